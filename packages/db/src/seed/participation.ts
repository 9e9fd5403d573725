import type { EligibilityRules, EnrollmentSource, EnrollmentStatus } from '@registry/domain';
import { sql } from 'kysely';
import type { ActivityPlan } from './activities';
import { insertRows } from './bulk';
import { addDays, timestampAt } from './calendar';
import { enrollmentRejectionReasons, substitutionReasons } from './names';
import { at, type Random } from './random';
import type { AccountSet, RegionTree, SeedContext, Teacher } from './world';

// --- eligibility -----------------------------------------------------------------------------

/**
 * The seed's own reading of the eligibility rules, so enrolled teachers satisfy them. Kept here
 * rather than borrowed from the rule engine: the demo data must not change when the engine's
 * wording or edge cases do.
 */
function isEligible(rules: EligibilityRules, teacher: Teacher, regions: RegionTree): boolean {
  if (rules.stages && !rules.stages.includes(teacher.stage)) return false;
  const subjects = rules.subjects;
  if (subjects && !teacher.subjects.some((s) => subjects.includes(s))) return false;
  const tags = rules.roleTags;
  if (tags && !teacher.roleTags.some((t) => tags.includes(t))) return false;
  const regionIds = rules.regionIds;
  if (regionIds) {
    const chain = [teacher.school.district.id, regions.city.id, regions.province.id];
    if (!chain.some((id) => regionIds.includes(id))) return false;
  }
  if (rules.schoolIds && !rules.schoolIds.includes(teacher.school.id)) return false;
  if (rules.locality && (rules.locality === 'rural') !== teacher.isRural) return false;
  if (rules.minYearsOfService !== undefined && teacher.yearsOfService < rules.minYearsOfService)
    return false;
  if (rules.maxYearsOfService !== undefined && teacher.yearsOfService > rules.maxYearsOfService)
    return false;
  return true;
}

/**
 * Eligible teachers of the activity's pool in random order, `reach` × `fill` of them, at most
 * `limit`. Small pools are filtered whole; a city-wide pool of 200,000 is estimated from a
 * sample and then drawn by random probes, so the cost follows the number of enrollments rather
 * than the number of teachers.
 */
function sampleEligible(
  plan: ActivityPlan,
  share: number,
  limit: number,
  taken: Set<number>,
  regions: RegionTree,
  random: Random,
): Teacher[] {
  const eligible = (teacher: Teacher) => isEligible(plan.eligibility, teacher, regions);
  if (plan.pool.length <= 3000) {
    const candidates = random.shuffle(plan.pool.filter((t) => !taken.has(t.id) && eligible(t)));
    const picked = candidates.slice(
      0,
      Math.max(0, Math.min(limit, Math.round(candidates.length * share))),
    );
    for (const teacher of picked) taken.add(teacher.id);
    return picked;
  }
  const probe = () => at(plan.pool, Math.floor(random.next() * plan.pool.length));
  let hits = 0;
  for (let i = 0; i < 400; i += 1) if (eligible(probe())) hits += 1;
  const count = Math.max(0, Math.min(limit, Math.round((plan.pool.length * hits * share) / 400)));
  const picked: Teacher[] = [];
  for (let attempt = 0; attempt < count * 20 && picked.length < count; attempt += 1) {
    const teacher = probe();
    if (taken.has(teacher.id) || !eligible(teacher)) continue;
    taken.add(teacher.id);
    picked.push(teacher);
  }
  return picked;
}

// --- enrollments ---------------------------------------------------------------------------

interface EnrollmentDraft {
  plan: ActivityPlan;
  teacher: Teacher;
  status: EnrollmentStatus;
  source: EnrollmentSource;
  enrolledBy: number | null;
  rejectionReason: string | null;
  decidedBy: number | null;
  decidedAt: string | null;
  createdAt: string;
  /** Index (in the first batch) of the rejected enrollment this one replaces. */
  substitutes: number | null;
  /** About one participant in twelve is often absent, short of minutes, late with homework. */
  weak: boolean;
  assessment: 'fail' | 'qualified' | 'excellent' | null;
}

const enrollingStatuses = new Set(['open', 'in_progress', 'closed', 'credited', 'archived']);

/**
 * Rosters for every activity past approval. Finished and running activities hold confirmed
 * participants (their completion is decided later, in SQL, from attendance); open ones still
 * have registrations waiting for the school. A few rejected participants were replaced by a
 * colleague (status 'substituted', the replacement pointing back at them).
 * Never more rows than the capacity; one per teacher and activity.
 */
export async function seedEnrollments(
  ctx: SeedContext,
  regions: RegionTree,
  plans: ActivityPlan[],
  accounts: AccountSet,
): Promise<{ weakEnrollmentIds: number[] }> {
  const random = ctx.random.fork('enrollments');
  const first: EnrollmentDraft[] = [];
  const replacements: EnrollmentDraft[] = [];
  const demo = accounts.demoTeacher;

  for (const plan of plans) {
    if (!enrollingStatuses.has(plan.status)) continue;
    const capacity = plan.capacity ?? Number.POSITIVE_INFINITY;
    const reserve = capacity > 10 ? 2 : 0;
    const fill = plan.status === 'open' ? 0.4 + random.next() * 0.4 : 0.75 + random.next() * 0.25;
    const limit = capacity - reserve;
    const taken = new Set<number>();
    const participants: Teacher[] = [];
    // The demo teacher takes part in every hand-placed activity open to them, so the teacher
    // login shows credits, running activities and registrations.
    if (plan.curated && isEligible(plan.eligibility, demo, regions)) {
      taken.add(demo.id);
      participants.push(demo);
    }
    participants.push(
      ...sampleEligible(
        plan,
        plan.reach * fill,
        limit - participants.length,
        taken,
        regions,
        random,
      ),
    );

    // Replacements come on top of the sampled participants; they too must fit the capacity.
    let swaps = 0;
    for (const teacher of participants) {
      const isDemo = teacher.id === demo.id;
      let status: EnrollmentStatus = isDemo
        ? 'eligibility_confirmed'
        : plan.status === 'open'
          ? random.weighted<EnrollmentStatus>([
              ['registered', 50],
              ['eligibility_confirmed', 40],
              ['eligibility_rejected', 5],
              ['withdrawn', 5],
            ])
          : plan.mode === 'mentoring'
            ? 'eligibility_confirmed'
            : random.weighted<EnrollmentStatus>([
                ['eligibility_confirmed', 92],
                ['eligibility_rejected', 3],
                ['withdrawn', 3],
                ['substituted', 2],
              ]);
      let replacement: Teacher | undefined;
      if (status === 'substituted') {
        replacement =
          participants.length + swaps < capacity
            ? teacher.school.teachers.find(
                (t) => !taken.has(t.id) && isEligible(plan.eligibility, t, regions),
              )
            : undefined;
        if (!replacement) status = 'eligibility_rejected';
      }
      const draft = enrollmentDraft(ctx, plan, teacher, status, accounts, random);
      first.push(draft);
      if (replacement) {
        taken.add(replacement.id);
        const swap = enrollmentDraft(
          ctx,
          plan,
          replacement,
          'eligibility_confirmed',
          accounts,
          random,
        );
        swap.substitutes = first.length - 1;
        swap.source = 'school';
        swap.enrolledBy = accounts.schoolAdminBySchool.get(replacement.school.id) ?? null;
        replacements.push(swap);
        swaps += 1;
      }
    }
  }

  const ids = await insertEnrollments(ctx, first, []);
  const replacementIds = await insertEnrollments(ctx, replacements, ids);
  const weakEnrollmentIds = [
    ...first.flatMap((d, i) => (d.weak ? [at(ids, i)] : [])),
    ...replacements.flatMap((d, i) => (d.weak ? [at(replacementIds, i)] : [])),
  ];
  return { weakEnrollmentIds };
}

const finishedStatuses = new Set(['closed', 'credited', 'archived']);

/** The final assessment of a finished activity's participant; the weak fail half the time. */
function assessmentOf(weak: boolean, demo: boolean, random: Random): EnrollmentDraft['assessment'] {
  if (demo) return 'excellent';
  const roll = random.next();
  if (weak) return roll < 0.5 ? 'fail' : 'qualified';
  return roll < 0.22 ? 'excellent' : roll >= 0.99 ? 'fail' : 'qualified';
}

function enrollmentDraft(
  ctx: SeedContext,
  plan: ActivityPlan,
  teacher: Teacher,
  status: EnrollmentStatus,
  accounts: AccountSet,
  random: Random,
): EnrollmentDraft {
  const today = ctx.calendar.today;
  const schoolAdmin = accounts.schoolAdminBySchool.get(teacher.school.id) ?? null;
  const source: EnrollmentSource =
    plan.provider.kind === 'school'
      ? 'school'
      : plan.selfEnrollment
        ? random.weighted<EnrollmentSource>([
            ['self', 40],
            ['school', 50],
            ['institution', 10],
          ])
        : random.weighted<EnrollmentSource>([
            ['school', 85],
            ['institution', 15],
          ]);
  const enrolledBy =
    source === 'school'
      ? schoolAdmin
      : source === 'institution'
        ? (accounts.institutionAdminByOrganization.get(plan.provider.id) ?? null)
        : teacher.id === accounts.demoTeacher.id
          ? accounts.teacherUserId
          : null;
  // Registered after approval, a few days to two weeks before the start, never in the future.
  const approvedOn = (plan.decidedAt ?? plan.createdAt).slice(0, 10);
  const wanted = addDays(plan.startsOn, -random.int(2, 15));
  const created = clamp(wanted, approvedOn, today);
  const decided =
    status === 'registered' || status === 'withdrawn'
      ? null
      : clamp(
          addDays(created, random.int(1, 3)),
          created,
          minOf(today, addDays(plan.startsOn, -1)),
        );
  const reason =
    status === 'eligibility_rejected'
      ? random.pick(enrollmentRejectionReasons)
      : status === 'substituted'
        ? random.pick(substitutionReasons)
        : null;
  const demo = teacher.id === accounts.demoTeacher.id;
  const weak = !demo && random.chance(0.08);
  const assessed = status === 'eligibility_confirmed' && finishedStatuses.has(plan.status);
  return {
    weak,
    assessment: assessed ? assessmentOf(weak, demo, random) : null,
    plan,
    teacher,
    status,
    source,
    enrolledBy,
    rejectionReason: reason,
    decidedBy: decided ? schoolAdmin : null,
    decidedAt: decided ? timestampAt(decided, '17:00') : null,
    createdAt: timestampAt(
      created,
      `${String(random.int(8, 12)).padStart(2, '0')}:${String(random.int(0, 59)).padStart(2, '0')}`,
    ),
    substitutes: null,
  };
}

const minOf = (a: string, b: string) => (a < b ? a : b);
function clamp(date: string, low: string, high: string): string {
  if (date < low) return low;
  return date > high ? (high < low ? low : high) : date;
}

async function insertEnrollments(
  ctx: SeedContext,
  drafts: EnrollmentDraft[],
  firstIds: number[],
): Promise<number[]> {
  return insertRows(
    ctx.db,
    'enrollments',
    {
      activity_id: 'int4',
      teacher_id: 'int4',
      status: 'text',
      source: 'text',
      enrolled_by: 'int4',
      school_id: 'int4',
      rejection_reason: 'text',
      substitutes_enrollment_id: 'int4',
      decided_by: 'int4',
      decided_at: 'timestamptz',
      assessment_result: 'text',
      created_at: 'timestamptz',
      updated_at: 'timestamptz',
    },
    drafts.map((d) => ({
      activity_id: d.plan.id,
      teacher_id: d.teacher.id,
      status: d.status,
      source: d.source,
      enrolled_by: d.enrolledBy,
      school_id: d.teacher.school.id,
      rejection_reason: d.rejectionReason,
      substitutes_enrollment_id: d.substitutes === null ? null : at(firstIds, d.substitutes),
      decided_by: d.decidedBy,
      decided_at: d.decidedAt,
      assessment_result: d.assessment,
      created_at: d.createdAt,
      updated_at: d.decidedAt ?? d.createdAt,
    })),
    { returning: 'id' },
  );
}

// --- what happened at the sessions -----------------------------------------------------------

/**
 * Attendance, homework and completion are generated in SQL, set-based: at 200,000 teachers the
 * attendance table alone has over a million rows, far cheaper to produce inside the database
 * than to ship from Node. Randomness is a hash of the seed and the row's ids, so it is as
 * deterministic as the rest. The weak participants (drawn with the enrollments, who also fail
 * their assessment more often) are often absent, short of online minutes and late with
 * homework, so they are most of the ones not completed. The demo teacher is always diligent.
 */
export async function seedOutcomes(
  ctx: SeedContext,
  accounts: AccountSet,
  weakEnrollmentIds: number[],
): Promise<void> {
  const seed = String(ctx.seed);
  const todayStart = ctx.calendar.startOfToday;
  const demo = accounts.demoTeacher.id;
  // The weak participants were drawn in Node with the enrollments; a hash join on this list is
  // how SQL learns who they are.
  const weak = sql`(select id from unnest(${weakEnrollmentIds}::int4[]) as w (id))`;

  // Past sessions only: today's sessions are still open for the trainer to record.
  // Rolls are per mille. A diligent teacher misses about one in seventy in-person days and one
  // online block in a hundred (absent or a few minutes short); a weak one, a third of them.
  await sql`
    with session_users as (
      select st.session_id, min(ua.id) as user_id
      from session_trainers st join user_accounts ua on ua.trainer_id = st.trainer_id
      group by st.session_id
    )
    insert into attendance (activity_id, session_id, enrollment_id, status, minutes, source, recorded_by, recorded_at)
    select x.activity_id, x.session_id, x.enrollment_id, x.status,
      case
        when x.status in ('absent', 'excused') then 0
        when x.mode = 'online' and x.demo then x.online_min_minutes + 20
        -- around the minimum: some stop a few minutes short of it
        when x.mode = 'online' and x.weak then greatest(5, x.online_min_minutes - 40 + x.roll2 % 80)
        when x.mode = 'online' and x.roll2 < 10 then x.online_min_minutes - 5 - x.roll2
        when x.mode = 'online' then least(1440, x.online_min_minutes + x.roll2 % 45)
        when x.status = 'late' then greatest(0, x.full_minutes - 10 - x.roll2 % 50)
        else x.full_minutes
      end,
      case
        when x.mode = 'online' then 'online_platform'
        when x.by_trainer then 'trainer'
        else 'sign_in'
      end,
      case when x.mode <> 'online' and x.by_trainer then x.trainer_user end,
      case
        when x.mode = 'online' then x.ends_at
        when x.status = 'late' then x.starts_at + interval '1 minute' * (10 + x.roll2 % 50)
        when x.by_trainer then x.ends_at
        else x.starts_at - interval '1 minute' * (x.roll2 % 15)
      end
    from (
      select s.activity_id, s.id as session_id, e.id as enrollment_id, s.mode, s.online_min_minutes,
        (s.hours * 60)::int as full_minutes, s.starts_at, s.ends_at, tu.user_id as trainer_user,
        d.demo, d.weak, h.roll2, st.status,
        -- absences are marked by the trainer; otherwise about a third of rosters are ticked by hand
        (st.status in ('absent', 'excused') or h.roll2 % 10 < 3) as by_trainer
      from sessions s
      join enrollments e on e.activity_id = s.activity_id and e.status = 'eligibility_confirmed'
      left join ${weak} w on w.id = e.id
      cross join lateral (select e.teacher_id = ${demo} as demo, w.id is not null as weak) d
      cross join lateral (
        select raw.h % 1000 as roll, (raw.h / 1000) % 1000 as roll2
        from (select abs(hashtext(${seed} || ':attendance:' || e.id || ':' || s.id)::bigint) as h) raw
      ) h
      cross join lateral (
        select case
          when d.demo then 'present'
          when s.mode = 'online' then case when h.roll < case when d.weak then 300 else 5 end then 'absent' else 'present' end
          when h.roll < case when d.weak then 350 else 15 end then 'absent'
          when h.roll < case when d.weak then 420 else 30 end then 'excused'
          when h.roll < case when d.weak then 550 else 80 end then 'late'
          else 'present'
        end as status
      ) st
      left join session_users tu on tu.session_id = s.id
      where s.ends_at < ${todayStart}::timestamptz
    ) x
    order by x.session_id, x.enrollment_id
  `.execute(ctx.db);

  // Homework whose deadline has passed; late work only when it came in before today.
  await sql`
    insert into submissions (activity_id, assignment_id, enrollment_id, submitted_at, on_time, score)
    select x.activity_id, x.assignment_id, x.enrollment_id, x.submitted_at, x.on_time, x.score
    from (
      select a.activity_id, a.id as assignment_id, e.id as enrollment_id,
        case when v.on_time then a.due_at - interval '1 hour' * (1 + h.roll2 % 72)
             else a.due_at + interval '1 hour' * (1 + h.roll2 % 48) end as submitted_at,
        v.on_time, v.submitted,
        case when d.demo then 95 else 60 + h.roll2 % 41 end as score
      from assignments a
      join enrollments e on e.activity_id = a.activity_id and e.status = 'eligibility_confirmed'
      left join ${weak} w on w.id = e.id
      cross join lateral (select e.teacher_id = ${demo} as demo, w.id is not null as weak) d
      cross join lateral (
        select raw.h % 1000 as roll, (raw.h / 1000) % 1000 as roll2
        from (select abs(hashtext(${seed} || ':submission:' || e.id || ':' || a.id)::bigint) as h) raw
      ) h
      cross join lateral (
        select d.demo or h.roll < case when d.weak then 450 else 975 end as on_time,
               d.demo or h.roll < case when d.weak then 600 else 990 end as submitted
      ) v
      where a.due_at < ${todayStart}::timestamptz
    ) x
    where x.submitted and x.submitted_at < ${todayStart}::timestamptz
    order by x.assignment_id, x.enrollment_id
  `.execute(ctx.db);

  // Completion of credited activities, decided by the activity's own completion rules: share of
  // session hours attended (present or late), every online block at its minimum, homework on
  // time, assessment at least the minimum.
  await sql`
    with credited as (
      select id, ends_on, completion_rules from activities where status in ('credited', 'archived')
    ), per_activity as (
      select s.activity_id, sum(s.hours) as total_hours,
        count(*) filter (where s.mode = 'online') as online_blocks
      from sessions s join credited a on a.id = s.activity_id
      group by s.activity_id
    ), per_enrollment as (
      -- From the attendance rows alone: a missing row attends nothing and meets no minimum.
      select t.enrollment_id,
        sum(s.hours) filter (where t.status in ('present', 'late')) as attended_hours,
        count(*) filter (where s.mode = 'online' and t.minutes >= s.online_min_minutes) as online_met
      from attendance t
      join credited a on a.id = t.activity_id
      join sessions s on s.id = t.session_id
      group by t.enrollment_id
    ), homework as (
      select b.enrollment_id, count(*) filter (where b.on_time) as on_time
      from submissions b join credited a on a.id = b.activity_id
      group by b.enrollment_id
    ), verdict as (
      select e.id, a.ends_on,
        coalesce(pe.attended_hours, 0) >= (a.completion_rules ->> 'minAttendanceRatio')::numeric * pa.total_hours
        and (coalesce(pe.online_met, 0) >= pa.online_blocks
          or not (a.completion_rules ->> 'requireOnlineMinimums')::boolean)
        and coalesce(hw.on_time, 0) >= (a.completion_rules ->> 'minAssignmentsOnTime')::int
        and (a.completion_rules ->> 'minAssessment' is null
          or coalesce(array_position(array['qualified', 'excellent'], e.assessment_result), 0)
             >= array_position(array['qualified', 'excellent'], a.completion_rules ->> 'minAssessment'))
        as completed
      from enrollments e
      join credited a on a.id = e.activity_id
      join per_activity pa on pa.activity_id = e.activity_id
      left join per_enrollment pe on pe.enrollment_id = e.id
      left join homework hw on hw.enrollment_id = e.id
      where e.status = 'eligibility_confirmed'
    )
    update enrollments e
    set status = case when v.completed then 'completed' else 'not_completed' end,
      updated_at = ((v.ends_on + 5)::text || 'T10:00:00+08:00')::timestamptz
    from verdict v
    where e.id = v.id
  `.execute(ctx.db);
}
