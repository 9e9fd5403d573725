import { sql } from 'kysely';
import { g, succeeded, type MatrixArea, type MatrixEnv, type TargetIds } from './matrix-kit';

/** Eligibility and enrollment: who may explain, enroll, self-register, decide and substitute. */
// prettier-ignore
const rows: MatrixArea['rows'] = {
  'query eligibility':                { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'mutation enrollTeachers':          { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'mutation selfEnroll':              { platform_admin: ['deny', 'deny'], office_officer: ['deny', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['deny', 'deny'], teacher: ['allow', 'deny'] },
  'mutation decideEligibility':       { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'mutation substituteParticipant':   { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
};

/** A fresh teacher of the target's school, on the open activity's roster with this status. */
async function freshEnrollment(env: MatrixEnv, t: TargetIds, status: string, reason?: string) {
  const teacher = await env.fx.teacher({ id: t.school });
  const enrollment = await env.fx.enrollment({ id: t.confirmedActivity }, teacher);
  await sql`update enrollments set status = ${status}, rejection_reason = ${reason ?? null}
    where id = ${enrollment.id}`.execute(env.db);
  return enrollment;
}

const operations: MatrixArea['operations'] = {
  'query eligibility': async (caller, t) => {
    const { data } = await caller<{ eligibility: { eligible: boolean } | null }>(
      `query($a: ID!, $t: ID!) { eligibility(activityId: $a, teacherId: $t) { eligible } }`,
      { a: g('Activity', t.confirmedActivity), t: g('Teacher', t.teacher) },
    );
    return data?.eligibility ? 'allow' : 'deny';
  },
  'mutation enrollTeachers': async (caller, t, env) => {
    const teacher = await env.fx.teacher({ id: t.school });
    const { data } = await caller<{
      enrollTeachers: { __typename: string; data?: { enrolledCount: number } } | null;
    }>(
      `mutation($input: EnrollTeachersInput!) { enrollTeachers(input: $input) { __typename ... on MutationEnrollTeachersSuccess { data { enrolledCount } } } }`,
      {
        input: {
          activityId: g('Activity', t.confirmedActivity),
          teacherIds: [g('Teacher', teacher.id)],
        },
      },
    );
    return data?.enrollTeachers?.data?.enrolledCount === 1 ? 'allow' : 'deny';
  },
  'mutation selfEnroll': async (caller, t, env) => {
    // A fresh open activity of the target district that takes self-registration.
    const activity = await env.fx.activity(
      { id: t.institution, regionId: t.region },
      { selfEnrollment: true },
    );
    await sql`update activities set status = 'open' where id = ${activity.id}`.execute(env.db);
    const { data } = await caller<{ selfEnroll: { __typename: string } | null }>(
      `mutation($input: SelfEnrollInput!) { selfEnroll(input: $input) { __typename } }`,
      { input: { activityId: g('Activity', activity.id) } },
    );
    return succeeded(data?.selfEnroll) ? 'allow' : 'deny';
  },
  'mutation decideEligibility': async (caller, t, env) => {
    const enrollment = await freshEnrollment(env, t, 'registered');
    const { data } = await caller<{ decideEligibility: { __typename: string } | null }>(
      `mutation($input: DecideEligibilityInput!) { decideEligibility(input: $input) { __typename } }`,
      {
        input: {
          decisions: [{ enrollmentId: g('Enrollment', enrollment.id), decision: 'CONFIRM' }],
        },
      },
    );
    return succeeded(data?.decideEligibility) ? 'allow' : 'deny';
  },
  'mutation substituteParticipant': async (caller, t, env) => {
    const rejected = await freshEnrollment(env, t, 'eligibility_rejected', '矩阵测试');
    const substitute = await env.fx.teacher({ id: t.school });
    const { data } = await caller<{ substituteParticipant: { __typename: string } | null }>(
      `mutation($input: SubstituteParticipantInput!) { substituteParticipant(input: $input) { __typename } }`,
      {
        input: {
          enrollmentId: g('Enrollment', rejected.id),
          teacherId: g('Teacher', substitute.id),
        },
      },
    );
    return succeeded(data?.substituteParticipant) ? 'allow' : 'deny';
  },
};

export const area: MatrixArea = { rows, operations };
