import type {
  EligibilityActivity,
  EligibilityContext,
  EligibilityTeacher,
  EnrollmentStatus,
  OtherEnrollment,
  RoleTag,
  SessionMode,
  Stage,
  TimedSession,
} from '@registry/domain';
import { seatHoldingStatuses } from '@registry/domain';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../generated/database';

/**
 * What the eligibility engine needs to answer "may these teachers take part in this activity",
 * read in a fixed number of statements whatever the number of teachers (a school enrolls a
 * whole staff list at once).
 */

/** Enrollments whose sessions the teacher still has to attend: they can clash with new ones. */
const clashingStatuses: readonly EnrollmentStatus[] = ['registered', 'eligibility_confirmed'];

export interface EligibilityFacts {
  activity: EligibilityActivity;
  /** Seats held by every enrollment of the activity (see seatHoldingStatuses). */
  seatsHeld: number;
  teachers: Map<
    number,
    {
      teacher: EligibilityTeacher;
      context: Omit<EligibilityContext, 'enrolledCount'>;
      seatHolder: boolean;
    }
  >;
}

function timed(row: { starts_at: Date; ends_at: Date; mode: string }): TimedSession {
  return { startsAt: row.starts_at, endsAt: row.ends_at, mode: row.mode as SessionMode };
}

/**
 * Facts for one activity and many teachers. Teachers that do not exist are absent from the map.
 * `seatHolder` says whether the teacher already holds a seat of this activity, so explaining an
 * enrolled teacher does not count their own seat as the one that is missing.
 */
export async function loadEligibilityFacts(
  db: Kysely<DB>,
  activity: {
    id: number;
    eligibilityRules: EligibilityActivity['eligibilityRules'];
    capacity: number | null;
  },
  teacherIds: readonly number[],
): Promise<EligibilityFacts> {
  const ids = [...new Set(teacherIds)];
  const [sessions, seats, teachers, others, awards] = await Promise.all([
    db
      .selectFrom('sessions')
      .select(['starts_at', 'ends_at', 'mode'])
      .where('activity_id', '=', activity.id)
      .execute(),
    db
      .selectFrom('enrollments')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('activity_id', '=', activity.id)
      .where('status', 'in', seatHoldingStatuses)
      .executeTakeFirstOrThrow(),
    ids.length === 0
      ? []
      : db
          .selectFrom('teachers')
          .innerJoin('organizations as school', 'school.id', 'teachers.school_id')
          .innerJoin('regions', 'regions.id', 'school.region_id')
          .leftJoin('enrollments as own', (join) =>
            join
              .onRef('own.teacher_id', '=', 'teachers.id')
              .on('own.activity_id', '=', activity.id)
              .on('own.status', 'in', seatHoldingStatuses),
          )
          .select([
            'teachers.id',
            'teachers.stage',
            'teachers.subjects',
            'teachers.role_tags',
            'teachers.years_of_service',
            'teachers.is_rural',
            'teachers.school_id',
            'school.name as school_name',
            'regions.path as region_path',
            'own.id as own_enrollment_id',
          ])
          .where('teachers.id', 'in', ids)
          .execute(),
    ids.length === 0
      ? []
      : db
          .selectFrom('enrollments')
          .innerJoin('activities', 'activities.id', 'enrollments.activity_id')
          .innerJoin('sessions', 'sessions.activity_id', 'enrollments.activity_id')
          .select([
            'enrollments.teacher_id',
            'enrollments.activity_id',
            'activities.title',
            'sessions.starts_at',
            'sessions.ends_at',
            'sessions.mode',
          ])
          .where('enrollments.teacher_id', 'in', ids)
          .where('enrollments.activity_id', '<>', activity.id)
          .where('enrollments.status', 'in', clashingStatuses)
          .execute(),
    ids.length === 0
      ? []
      : db
          .selectFrom('credit_ledger as award')
          .innerJoin('activities', 'activities.id', 'award.activity_id')
          .select(['award.teacher_id', 'award.activity_id', 'activities.title'])
          .where('award.teacher_id', 'in', ids)
          .where('award.kind', '=', 'award')
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('credit_ledger as revocation')
                  .select(sql`1`.as('one'))
                  .whereRef('revocation.corrects_entry_id', '=', 'award.id')
                  .where('revocation.kind', '=', 'revocation'),
              ),
            ),
          )
          .execute(),
  ]);

  const regionIds = new Set(activity.eligibilityRules.regionIds ?? []);
  const schoolIds = new Set(activity.eligibilityRules.schoolIds ?? []);
  const [regionNames, schoolNames] = await Promise.all([
    regionIds.size === 0
      ? []
      : db
          .selectFrom('regions')
          .select(['id', 'name'])
          .where('id', 'in', [...regionIds])
          .execute(),
    schoolIds.size === 0
      ? []
      : db
          .selectFrom('organizations')
          .select(['id', 'name'])
          .where('id', 'in', [...schoolIds])
          .execute(),
  ]);
  const regions = Object.fromEntries(regionNames.map((r) => [r.id, r.name]));
  const schools: Record<number, string> = Object.fromEntries(
    schoolNames.map((s) => [s.id, s.name]),
  );

  const result: EligibilityFacts = {
    activity: {
      id: activity.id,
      eligibilityRules: activity.eligibilityRules,
      capacity: activity.capacity,
      sessions: sessions.map(timed),
    },
    seatsHeld: Number(seats.count),
    teachers: new Map(),
  };
  for (const row of teachers) {
    const byActivity = new Map<number, OtherEnrollment>();
    const activityNames: Record<number, string> = {};
    for (const other of others) {
      if (other.teacher_id !== row.id) continue;
      activityNames[other.activity_id] = other.title;
      const entry = byActivity.get(other.activity_id) ?? {
        activityId: other.activity_id,
        sessions: [],
      };
      (entry.sessions as TimedSession[]).push(timed(other));
      byActivity.set(other.activity_id, entry);
    }
    const awarded = awards.filter((a) => a.teacher_id === row.id);
    for (const award of awarded) activityNames[award.activity_id!] = award.title;
    result.teachers.set(row.id, {
      teacher: {
        id: row.id,
        stage: row.stage as Stage,
        subjects: row.subjects,
        roleTags: row.role_tags as RoleTag[],
        yearsOfService: row.years_of_service,
        isRural: row.is_rural,
        schoolId: row.school_id,
        regionPath: row.region_path,
      },
      context: {
        otherEnrollments: [...byActivity.values()],
        awardedActivityIds: awarded.map((a) => a.activity_id!),
        names: {
          regions,
          schools: { ...schools, [row.school_id]: row.school_name },
          activities: activityNames,
        },
      },
      seatHolder: row.own_enrollment_id !== null,
    });
  }
  return result;
}
