import { sql } from 'kysely';
import { g, succeeded, type MatrixArea, type MatrixEnv, type TargetIds } from './matrix-kit';

/**
 * The confirmation chain and the ledger's corrections. Every cell builds its own activity in
 * the target's district (institution, school, teacher, trainer of that district), so an allowed
 * confirmation or correction never changes what the next cell finds.
 */
// prettier-ignore
const rows: MatrixArea['rows'] = {
  'mutation confirmSchoolAttendance': { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'mutation confirmRoster':           { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['deny', 'deny'], teacher: ['deny', 'deny'] },
  'mutation amendAttendance':         { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'mutation adjustCredit':            { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['deny', 'deny'], teacher: ['deny', 'deny'] },
  'mutation revokeCredit':            { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['deny', 'deny'], teacher: ['deny', 'deny'] },
};

/**
 * A fresh activity of the target's institution in the given status with one session taught by
 * the target's trainer, the target's teacher enrolled (eligibility confirmed) and present, and
 * optionally the school's confirmation.
 */
async function freshRoster(
  env: MatrixEnv,
  t: TargetIds,
  status: 'in_progress' | 'closed',
  schoolConfirmed: boolean,
) {
  const activity = await env.fx.activity({ id: t.institution, regionId: t.region });
  const session = await env.fx.session(activity, { sequence: 1 });
  await env.db
    .insertInto('session_trainers')
    .values({ session_id: session.id, trainer_id: t.trainer })
    .execute();
  await sql`update activities set status = ${status} where id = ${activity.id}`.execute(env.db);
  const teacher = await env.db
    .selectFrom('teachers')
    .select(['id', 'school_id'])
    .where('id', '=', t.teacher)
    .executeTakeFirstOrThrow();
  const enrollment = await env.fx.enrollment(activity, teacher);
  await sql`update enrollments set status = 'eligibility_confirmed' where id = ${enrollment.id}`.execute(
    env.db,
  );
  const attendance = await env.db
    .insertInto('attendance')
    .values({
      activity_id: activity.id,
      session_id: session.id,
      enrollment_id: enrollment.id,
      status: 'present',
      minutes: 360,
      source: 'trainer',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (schoolConfirmed) {
    await env.db
      .insertInto('confirmations')
      .values({ activity_id: activity.id, level: 'school', organization_id: t.school })
      .execute();
  }
  return { activity, enrollment, attendance };
}

/** A fresh award for the target's teacher, on a fresh credited activity. */
async function freshAward(env: MatrixEnv, t: TargetIds) {
  const { activity, enrollment } = await freshRoster(env, t, 'closed', true);
  return env.db
    .insertInto('credit_ledger')
    .values({
      teacher_id: t.teacher,
      kind: 'award',
      activity_id: activity.id,
      enrollment_id: enrollment.id,
      category: 'professional',
      hours: 6,
      earned_on: activity.endsOn,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

const operations: MatrixArea['operations'] = {
  'mutation confirmSchoolAttendance': async (caller, t, env) => {
    const { activity } = await freshRoster(env, t, 'in_progress', false);
    const { data } = await caller<{ confirmSchoolAttendance: { __typename: string } | null }>(
      `mutation($input: ConfirmSchoolAttendanceInput!) { confirmSchoolAttendance(input: $input) { __typename } }`,
      { input: { activityId: g('Activity', activity.id), schoolId: g('Organization', t.school) } },
    );
    return succeeded(data?.confirmSchoolAttendance) ? 'allow' : 'deny';
  },
  'mutation confirmRoster': async (caller, t, env) => {
    const { activity } = await freshRoster(env, t, 'closed', true);
    const { data } = await caller<{ confirmRoster: { __typename: string } | null }>(
      `mutation($input: ConfirmRosterInput!) { confirmRoster(input: $input) { __typename } }`,
      { input: { activityId: g('Activity', activity.id) } },
    );
    return succeeded(data?.confirmRoster) ? 'allow' : 'deny';
  },
  'mutation amendAttendance': async (caller, t, env) => {
    const { attendance } = await freshRoster(env, t, 'closed', true);
    const { data } = await caller<{ amendAttendance: { __typename: string } | null }>(
      `mutation($input: AmendAttendanceInput!) { amendAttendance(input: $input) { __typename } }`,
      {
        input: {
          attendanceId: g('Attendance', attendance.id),
          status: 'ABSENT',
          minutes: 0,
          reason: '矩阵测试：签到表误记',
        },
      },
    );
    return succeeded(data?.amendAttendance) ? 'allow' : 'deny';
  },
  'mutation adjustCredit': async (caller, t, env) => {
    const award = await freshAward(env, t);
    const { data } = await caller<{ adjustCredit: { __typename: string } | null }>(
      `mutation($input: AdjustCreditInput!) { adjustCredit(input: $input) { __typename } }`,
      { input: { entryId: g('CreditEntry', award.id), hours: 1.5, reason: '矩阵测试' } },
    );
    return succeeded(data?.adjustCredit) ? 'allow' : 'deny';
  },
  'mutation revokeCredit': async (caller, t, env) => {
    const award = await freshAward(env, t);
    const { data } = await caller<{ revokeCredit: { __typename: string } | null }>(
      `mutation($input: RevokeCreditInput!) { revokeCredit(input: $input) { __typename } }`,
      { input: { entryId: g('CreditEntry', award.id), reason: '矩阵测试' } },
    );
    return succeeded(data?.revokeCredit) ? 'allow' : 'deny';
  },
};

export const area: MatrixArea = { rows, operations };
