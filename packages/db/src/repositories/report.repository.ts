import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../generated/database';
import {
  activityVisible,
  enrollmentVisible,
  ledgerVisible,
  publishedStatuses,
  teacherVisible,
  type Visibility,
} from './visibility';

export interface ReportPeriod {
  /** First day counted, inclusive. */
  from: string;
  /** Last day counted, inclusive. */
  to: string;
  /** Only teachers of schools in this region subtree (materialized path), when set. */
  regionPath?: string | null | undefined;
}

export interface CategoryHours {
  category: string;
  hours: number;
  teachers: number;
}

/**
 * Net credit hours per category over a period, from the ledger the caller may see: awards minus
 * revocations plus adjustments, so a report always agrees with the transcripts it summarizes.
 */
export async function creditHoursByCategory(
  db: Kysely<DB>,
  visibility: Visibility,
  period: ReportPeriod,
): Promise<CategoryHours[]> {
  let query = db
    .selectFrom('credit_ledger')
    .where('credit_ledger.earned_on', '>=', period.from)
    .where('credit_ledger.earned_on', '<=', period.to)
    .where((eb) => ledgerVisible(eb, visibility));
  if (period.regionPath) {
    query = query.where(
      sql<boolean>`exists (select 1 from teachers t join organizations o on o.id = t.school_id join regions r on r.id = o.region_id where t.id = credit_ledger.teacher_id and r.path like ${`${period.regionPath}%`})`,
    );
  }
  const rows = await query
    .select([
      'credit_ledger.category',
      sql<number>`sum(credit_ledger.hours)`.as('hours'),
      sql<number>`count(distinct credit_ledger.teacher_id)`.as('teachers'),
    ])
    .groupBy('credit_ledger.category')
    .orderBy('credit_ledger.category')
    .execute();
  return rows.map((row) => ({
    category: row.category,
    hours: Number(row.hours),
    teachers: Number(row.teachers),
  }));
}

export interface MonthlyParticipation {
  /** First day of the month, YYYY-MM-01. */
  month: string;
  enrollments: number;
  teachers: number;
}

/** Enrollments per month of the activity's start, from the rosters the caller may see. */
export async function participationByMonth(
  db: Kysely<DB>,
  visibility: Visibility,
  period: ReportPeriod,
): Promise<MonthlyParticipation[]> {
  let query = db
    .selectFrom('enrollments')
    .innerJoin('activities', 'activities.id', 'enrollments.activity_id')
    .where('activities.starts_on', '>=', period.from)
    .where('activities.starts_on', '<=', period.to)
    .where((eb) => enrollmentVisible(eb, visibility));
  if (period.regionPath) {
    query = query.where(
      sql<boolean>`exists (select 1 from organizations o join regions r on r.id = o.region_id where o.id = enrollments.school_id and r.path like ${`${period.regionPath}%`})`,
    );
  }
  const rows = await query
    .select([
      sql<string>`to_char(date_trunc('month', activities.starts_on), 'YYYY-MM-DD')`.as('month'),
      sql<number>`count(*)`.as('enrollments'),
      sql<number>`count(distinct enrollments.teacher_id)`.as('teachers'),
    ])
    .groupBy(sql`date_trunc('month', activities.starts_on)`)
    .orderBy(sql`date_trunc('month', activities.starts_on)`)
    .execute();
  return rows.map((row) => ({
    month: row.month,
    enrollments: Number(row.enrollments),
    teachers: Number(row.teachers),
  }));
}

// --- activity figures (issue 4, point 9) -------------------------------------------------------

export const reportDimensions = [
  'region',
  'provider',
  'category',
  'level',
  'month',
  'year',
] as const;
export type ReportDimension = (typeof reportDimensions)[number];

export interface ActivityFigures {
  /** Region or provider id, category or level code, or the period ('2026-03', '2026'). */
  key: string;
  /** Region or provider name, category name in the asked language, else the key. */
  label: string;
  activities: number;
  /** Enrollments that took part (not rejected, replaced or withdrawn). */
  participants: number;
  /** Distinct teachers among them. */
  teachers: number;
  completed: number;
  /** Participants whose completion is decided: completed or not completed. */
  decided: number;
  /** Net ledger hours of the activities: awards plus adjustments minus revocations. */
  hoursAwarded: number;
  /** Assignments set × participants: the homework that was due. */
  homeworkDue: number;
  homeworkOnTime: number;
  ratings: number;
  /** Mean rating, two decimals; null without ratings. */
  averageRating: number | null;
}

/** Enrollment statuses of teachers who did not take part, left out of every participation figure. */
const notParticipating = ['eligibility_rejected', 'substituted', 'withdrawn'];

/**
 * What a report reaches: an office its region, an institution (or a school as provider) its own
 * activities, a school the activities its teachers take part in. The "published to my region"
 * reach that lets schools and teachers browse the catalogue is left out: a school's report is
 * about its teachers, not about every course offered in its city.
 */
function reportVisibility(visibility: Visibility): Visibility {
  return { ...visibility, schoolRegionPaths: [], teacherRegionPath: null };
}

const dimensionKey: Record<
  ReportDimension,
  { key: RawBuilder<string>; label: RawBuilder<string> | null }
> = {
  region: {
    key: sql`activities.region_id::text`,
    label: sql`(select name from regions where regions.id = activities.region_id)`,
  },
  provider: {
    key: sql`activities.provider_id::text`,
    label: sql`(select name from organizations where organizations.id = activities.provider_id)`,
  },
  category: { key: sql`activities.category`, label: null },
  level: { key: sql`activities.level`, label: null },
  month: { key: sql`to_char(activities.ends_on, 'YYYY-MM')`, label: null },
  year: { key: sql`to_char(activities.ends_on, 'YYYY')`, label: null },
};

/**
 * Activities, participation, completion, credit, homework and satisfaction per region,
 * provider, category, level or period, in one statement (report.activity-figures). An activity
 * belongs to the period of its last day: credit is earned then, and completion, awards and
 * ratings exist only after it. Every part is read under the caller's visibility: activities by
 * activityVisible, participants by enrollmentVisible, and ledger hours by ledgerVisible or
 * through a participant the caller sees on that roster.
 */
export async function activityFigures(
  db: Kysely<DB>,
  visibility: Visibility,
  period: ReportPeriod,
  dimension: ReportDimension,
  locale: 'en' | 'zh-CN',
): Promise<ActivityFigures[]> {
  const reach = reportVisibility(visibility);
  const { key } = dimensionKey[dimension];
  const label =
    dimension === 'category'
      ? locale === 'zh-CN'
        ? sql<string>`(select name_zh from credit_categories c where c.code = activities.category)`
        : sql<string>`(select name_en from credit_categories c where c.code = activities.category)`
      : (dimensionKey[dimension].label ?? key);
  const regionPattern = period.regionPath ? `${period.regionPath}%` : null;
  const schoolInRegion = (school: RawBuilder<number>) =>
    sql<boolean>`exists (select 1 from organizations o join regions r on r.id = o.region_id where o.id = ${school} and r.path like ${regionPattern})`;

  let activities = db
    .selectFrom('activities')
    .select([
      'activities.id',
      key.as('key'),
      label.as('label'),
      sql<number>`(select count(*) from assignments s where s.activity_id = activities.id)`.as(
        'assignments',
      ),
    ])
    .where('activities.status', 'in', [...publishedStatuses])
    .where('activities.ends_on', '>=', period.from)
    .where('activities.ends_on', '<=', period.to)
    .where((eb) => activityVisible(eb, reach));
  let participants = db
    .selectFrom('enrollments')
    .select([
      'enrollments.id',
      'enrollments.activity_id',
      'enrollments.teacher_id',
      'enrollments.status',
      sql<number>`(select count(*) from submissions s where s.enrollment_id = enrollments.id and s.on_time)`.as(
        'on_time',
      ),
      sql<
        number | null
      >`(select ev.rating from evaluations ev where ev.enrollment_id = enrollments.id)`.as(
        'rating',
      ),
    ])
    .where('enrollments.status', 'not in', notParticipating)
    .where(sql<boolean>`enrollments.activity_id in (select id from a)`)
    .where((eb) => enrollmentVisible(eb, visibility));
  let ledger = db
    .selectFrom('credit_ledger')
    .select(['credit_ledger.activity_id', sql<number>`sum(credit_ledger.hours)`.as('hours')])
    .where(sql<boolean>`credit_ledger.activity_id in (select id from a)`)
    .where((eb) =>
      eb.or([
        ledgerVisible(eb, visibility),
        sql<boolean>`(credit_ledger.teacher_id, credit_ledger.activity_id) in (select teacher_id, activity_id from e)`,
      ]),
    )
    .groupBy('credit_ledger.activity_id');
  if (regionPattern) {
    // The region narrows to teachers of its schools: their participation and their hours, and
    // the activities offered in the region or taken by them.
    activities = activities.where((eb) =>
      eb.or([
        sql<boolean>`exists (select 1 from regions r where r.id = activities.region_id and r.path like ${regionPattern})`,
        eb.exists(
          eb
            .selectFrom('enrollments')
            .select(sql`1`.as('one'))
            .whereRef('enrollments.activity_id', '=', 'activities.id')
            .where(schoolInRegion(sql`enrollments.school_id`)),
        ),
      ]),
    );
    participants = participants.where(schoolInRegion(sql`enrollments.school_id`));
    ledger = ledger.where(
      schoolInRegion(
        sql`(select t.school_id from teachers t where t.id = credit_ledger.teacher_id)`,
      ),
    );
  }

  const { rows } = await sql<{
    key: string;
    label: string | null;
    activities: number;
    participants: number;
    teachers: number;
    completed: number;
    decided: number;
    homework_due: number;
    homework_on_time: number;
    ratings: number;
    average_rating: number | null;
    hours: number;
  }>`
    with a as (${activities}),
    e as (${participants}),
    h as (${ledger}),
    g as (
      select a.key, min(a.label) as label,
        count(distinct a.id) as activities,
        count(e.id) as participants,
        count(distinct e.teacher_id) as teachers,
        count(e.id) filter (where e.status = 'completed') as completed,
        count(e.id) filter (where e.status in ('completed', 'not_completed')) as decided,
        coalesce(sum(a.assignments) filter (where e.id is not null), 0) as homework_due,
        coalesce(sum(e.on_time), 0) as homework_on_time,
        count(e.rating) as ratings,
        round(avg(e.rating), 2) as average_rating
      from a left join e on e.activity_id = a.id
      group by a.key
    ),
    hk as (select a.key, sum(h.hours) as hours from h join a on a.id = h.activity_id group by a.key)
    select g.*, coalesce(hk.hours, 0) as hours
    from g left join hk on hk.key = g.key
    order by g.key
  `.execute(db);
  return rows.map((row) => ({
    key: row.key,
    label: row.label ?? row.key,
    activities: Number(row.activities),
    participants: Number(row.participants),
    teachers: Number(row.teachers),
    completed: Number(row.completed),
    decided: Number(row.decided),
    hoursAwarded: Number(row.hours),
    homeworkDue: Number(row.homework_due),
    homeworkOnTime: Number(row.homework_on_time),
    ratings: Number(row.ratings),
    averageRating: row.average_rating === null ? null : Number(row.average_rating),
  }));
}

// --- teachers behind their requirement ---------------------------------------------------------

export interface TeacherCycleHours {
  teacherId: number;
  name: string;
  nationalId: string;
  schoolId: number;
  schoolName: string;
  /** The cycle that binds the teacher on the date asked: the deepest region's, then earliest. */
  policyId: number;
  /** Net ledger hours per category and calendar year counted toward that cycle. */
  cells: Array<{ category: string; year: number; hours: number }>;
}

/**
 * For every teacher the caller sees as owner (office, school, the teacher, platform admin) and
 * who is bound by a policy on `asOf`: their ledger summed per category and year toward that
 * cycle, in one statement (report.teacher-cycle-hours). Whether they are behind is the
 * domain's call (caps and the yearly cap need progressAgainstRequirement), so it is made by the
 * caller over these sums. An entry counts toward the cycle it names, or — written without one —
 * toward the cycle whose days contain it, as on the teacher's own transcript.
 */
export async function teacherCycleHours(
  db: Kysely<DB>,
  visibility: Visibility,
  options: { asOf: string; regionPath?: string | null | undefined },
): Promise<TeacherCycleHours[]> {
  const owner: Visibility = {
    ...visibility,
    institutionIds: [],
    trainerId: null,
    trainerInstitutionIds: [],
  };
  let query = db
    .selectFrom('teachers')
    .innerJoin('organizations', 'organizations.id', 'teachers.school_id')
    .innerJoin('regions', 'regions.id', 'organizations.region_id')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('requirement_policies as p')
          .innerJoin('regions as pr', 'pr.id', 'p.region_id')
          .select(['p.id', 'p.cycle_starts_on', 'p.cycle_ends_on'])
          .where(sql<boolean>`regions.path like pr.path || '%'`)
          .where('p.cycle_starts_on', '<=', options.asOf)
          .where('p.cycle_ends_on', '>=', options.asOf)
          .orderBy(sql`length(pr.path)`, 'desc')
          .orderBy('p.cycle_starts_on')
          .orderBy('p.id')
          .limit(1)
          .as('policy'),
      (join) => join.onTrue(),
    )
    .select([
      'teachers.id',
      'teachers.name',
      'teachers.national_id',
      'teachers.school_id',
      'organizations.name as school_name',
      'policy.id as policy_id',
      // The teacher is visible as owner, so their whole ledger is (ledgerVisible's first branch).
      sql<unknown>`coalesce((
        select json_agg(json_build_object('category', c.category, 'year', c.year, 'hours', c.hours))
        from (
          select l.category, extract(year from l.earned_on)::int as year, sum(l.hours) as hours
          from credit_ledger l
          where l.teacher_id = teachers.id
            and (l.policy_id = policy.id
              or (l.policy_id is null and l.earned_on between policy.cycle_starts_on and policy.cycle_ends_on))
          group by l.category, extract(year from l.earned_on)
        ) c
      ), '[]'::json)`.as('cells'),
    ])
    .where((eb) => teacherVisible(eb, owner));
  if (options.regionPath) {
    query = query.where('regions.path', 'like', `${options.regionPath}%`);
  }
  const rows = await query.orderBy('teachers.name').orderBy('teachers.id').execute();
  return rows.map((row) => {
    const cells = (typeof row.cells === 'string' ? JSON.parse(row.cells) : row.cells) as Array<{
      category: string;
      year: number;
      hours: number | string;
    }>;
    return {
      teacherId: row.id,
      name: row.name,
      nationalId: row.national_id,
      schoolId: row.school_id,
      schoolName: row.school_name,
      policyId: row.policy_id,
      cells: cells.map((c) => ({
        category: c.category,
        year: Number(c.year),
        hours: Number(c.hours),
      })),
    };
  });
}
