import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * Eligibility and enrollment through the gateway: the engine's explanation for one teacher, a
 * school's and a provider's lists, self-registration, the school's decisions and substitution.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
type Caller = Awaited<ReturnType<typeof server.as>>;
let fx: Fixtures;
let world: Awaited<ReturnType<Fixtures['world']>>;
let institution: Caller;
let schoolAdmin: Caller;
let otherSchoolAdmin: Caller;
let otherSchool: { id: number; regionId: number };
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
const zh = { 'accept-language': 'zh-CN' };

beforeAll(async () => {
  database = await createTestDatabase();
  fx = new Fixtures(database.db);
  world = await fx.world();
  otherSchool = await fx.organization('school', world.district);
  server = await startTestServer(database);
  institution = await server.as(await fx.account('institution_admin', world.institution));
  schoolAdmin = await server.as(await fx.account('school_admin', world.school));
  otherSchoolAdmin = await server.as(await fx.account('school_admin', otherSchool));
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

/** An open activity of the world's institution, with one session on the given day. */
async function openActivity(
  overrides: Parameters<Fixtures['activity']>[1] = {},
  session: { starts_at: string; ends_at: string } = {
    starts_at: '2026-03-01T01:00:00Z',
    ends_at: '2026-03-01T07:00:00Z',
  },
) {
  const activity = await fx.activity(world.institution, overrides);
  await sql`update activities set status = 'open' where id = ${activity.id}`.execute(fx.db);
  await fx.session(activity, { sequence: 1, ...session });
  return activity;
}

const explain = /* GraphQL */ `
  query ($activityId: ID!, $teacherId: ID!) {
    eligibility(activityId: $activityId, teacherId: $teacherId) {
      eligible
      reasons {
        code
        message
      }
    }
  }
`;

interface Explained {
  eligibility: { eligible: boolean; reasons: Array<{ code: string; message: string }> } | null;
}

const enroll = /* GraphQL */ `
  mutation ($input: EnrollTeachersInput!) {
    enrollTeachers(input: $input) {
      __typename
      ... on MutationEnrollTeachersSuccess {
        data {
          dryRun
          enrolledCount
          refusedCount
          outcomes {
            given
            enrolled
            enrollment {
              id
              status
              source
            }
            reasons {
              code
              message
            }
          }
        }
      }
      ... on UserError {
        code
        message
      }
      ... on ValidationError {
        issues {
          path
          message
        }
      }
    }
  }
`;

interface Enrolled {
  enrollTeachers: {
    __typename: string;
    code?: string;
    issues?: Array<{ path: string[]; message: string }>;
    data?: {
      dryRun: boolean;
      enrolledCount: number;
      refusedCount: number;
      outcomes: Array<{
        given: string;
        enrolled: boolean;
        enrollment: { id: string; status: string; source: string } | null;
        reasons: Array<{ code: string; message: string }>;
      }>;
    };
  };
}

const rosterSize = async (activityId: number) =>
  Number(
    (
      await fx.db
        .selectFrom('enrollments')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('activity_id', '=', activityId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('eligibility explanation', () => {
  it('lists every failing condition in words, in English and Chinese', async () => {
    const activity = await openActivity({
      eligibilityRules: { stages: ['senior'], subjects: ['物理'], minYearsOfService: 10 },
    });
    const variables = {
      activityId: g('Activity', activity.id),
      teacherId: g('Teacher', world.teacher.id),
    };
    const { data } = await schoolAdmin<Explained>(explain, variables);
    expect(data?.eligibility?.eligible).toBe(false);
    expect(data?.eligibility?.reasons.map((r) => r.code)).toEqual([
      'STAGE_NOT_ELIGIBLE',
      'SUBJECT_NOT_ELIGIBLE',
      'TOO_FEW_YEARS_OF_SERVICE',
    ]);
    expect(data?.eligibility?.reasons[0]!.message).toBe(
      'Only for senior secondary school teachers; this teacher teaches in primary school.',
    );
    const chinese = await schoolAdmin<Explained>(explain, variables, zh);
    expect(chinese.data?.eligibility?.reasons[2]!.message).toMatch(/教龄/);
  });

  it('says eligible with no reasons when every condition holds', async () => {
    const activity = await openActivity({ eligibilityRules: { stages: ['primary'] } });
    const { data } = await schoolAdmin<Explained>(explain, {
      activityId: g('Activity', activity.id),
      teacherId: g('Teacher', world.teacher.id),
    });
    expect(data?.eligibility).toEqual({ eligible: true, reasons: [] });
  });

  it('reports clashing sessions, a full activity and an earlier completion', async () => {
    const teacher = await fx.teacher(world.school);
    const taken = await openActivity(
      {},
      { starts_at: '2026-05-01T01:00:00Z', ends_at: '2026-05-01T05:00:00Z' },
    );
    await fx.enrollment(taken, teacher);
    const done = await openActivity();
    const doneEnrollment = await fx.enrollment(done, teacher);
    await fx.db
      .insertInto('credit_ledger')
      .values({
        teacher_id: teacher.id,
        kind: 'award',
        activity_id: done.id,
        enrollment_id: doneEnrollment.id,
        category: 'professional',
        hours: 6,
        earned_on: '2026-03-02',
      })
      .execute();
    // Same day, overlapping hours; capacity 1 already held by someone else.
    const target = await openActivity(
      { capacity: 1 },
      { starts_at: '2026-05-01T04:00:00Z', ends_at: '2026-05-01T08:00:00Z' },
    );
    await fx.enrollment(target, await fx.teacher(world.school));
    // "Already completed": the same activity counts, so ask about the completed one too.
    const { data } = await schoolAdmin<Explained>(explain, {
      activityId: g('Activity', target.id),
      teacherId: g('Teacher', teacher.id),
    });
    expect(data?.eligibility?.reasons.map((r) => r.code)).toEqual([
      'CAPACITY_FULL',
      'SESSIONS_OVERLAP',
    ]);
    const again = await schoolAdmin<Explained>(explain, {
      activityId: g('Activity', done.id),
      teacherId: g('Teacher', teacher.id),
    });
    // Their own seat is not counted against them; the award is.
    expect(again.data?.eligibility?.reasons.map((r) => r.code)).toEqual(['ALREADY_COMPLETED']);
  });

  it('answers null when the caller cannot see the teacher', async () => {
    const activity = await openActivity();
    const { data } = await otherSchoolAdmin<Explained>(explain, {
      activityId: g('Activity', activity.id),
      teacherId: g('Teacher', world.teacher.id),
    });
    expect(data?.eligibility).toBeNull();
  });
});

describe('enrolling a list', () => {
  it('enrolls the eligible teachers and reports every other one with its reasons', async () => {
    const activity = await openActivity({ capacity: 3, eligibilityRules: { stages: ['primary'] } });
    const a = await fx.teacher(world.school);
    const b = await fx.teacher(world.school);
    const junior = await fx.teacher(world.school, { stage: 'junior' });
    const c = await fx.teacher(world.school);
    const d = await fx.teacher(world.school);
    const elsewhere = await fx.teacher(otherSchool);
    const { data } = await schoolAdmin<Enrolled>(enroll, {
      input: {
        activityId: g('Activity', activity.id),
        teacherIds: [a, b, junior, c, d, elsewhere].map((t) => g('Teacher', t.id)),
        nationalIds: ['ZZ9999999'],
      },
    });
    const result = data!.enrollTeachers.data!;
    expect(result.outcomes.map((o) => [o.enrolled, o.reasons.map((r) => r.code)])).toEqual([
      [true, []],
      [true, []],
      [false, ['STAGE_NOT_ELIGIBLE']],
      [true, []],
      // The fourth eligible teacher finds the three seats given out earlier in the list.
      [false, ['CAPACITY_FULL']],
      [false, ['OTHER_SCHOOL']],
      [false, ['UNKNOWN_TEACHER']],
    ]);
    expect([result.enrolledCount, result.refusedCount]).toEqual([3, 4]);
    expect(result.outcomes[0]!.enrollment).toMatchObject({
      status: 'REGISTERED',
      source: 'SCHOOL',
    });
    expect(await rosterSize(activity.id)).toBe(3);
    const audited = await fx.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('action', '=', 'enrollment.created')
      .where(sql<boolean>`(after->>'activityId')::int = ${activity.id}`)
      .executeTakeFirstOrThrow();
    expect(Number(audited.n)).toBe(3);
  });

  it('lets the provider enroll any school’s teachers by national ID; a dry run writes nothing', async () => {
    const activity = await openActivity();
    const here = await fx.teacher(world.school);
    const there = await fx.teacher(otherSchool);
    const input = {
      activityId: g('Activity', activity.id),
      nationalIds: [here.national_id.toLowerCase(), there.national_id],
    };
    const dry = await institution<Enrolled>(enroll, { input: { ...input, dryRun: true } });
    expect(dry.data?.enrollTeachers.data).toMatchObject({ dryRun: true, enrolledCount: 2 });
    expect(await rosterSize(activity.id)).toBe(0);
    const real = await institution<Enrolled>(enroll, { input });
    expect(real.data?.enrollTeachers.data?.outcomes.map((o) => o.enrollment?.source)).toEqual([
      'INSTITUTION',
      'INSTITUTION',
    ]);
    const again = await institution<Enrolled>(enroll, { input });
    expect(again.data?.enrollTeachers.data?.outcomes.map((o) => o.reasons[0]?.code)).toEqual([
      'ALREADY_ENROLLED',
      'ALREADY_ENROLLED',
    ]);
    expect(await rosterSize(activity.id)).toBe(2);
  });

  it('refuses bad lists as a whole, naming each bad entry', async () => {
    const activity = await openActivity();
    const teacher = await fx.teacher(world.school);
    const { data } = await schoolAdmin<Enrolled>(enroll, {
      input: {
        activityId: g('Activity', activity.id),
        teacherIds: [g('Teacher', teacher.id), 'garbage', g('Teacher', teacher.id)],
        nationalIds: ['x'],
      },
    });
    expect(data?.enrollTeachers.__typename).toBe('ValidationError');
    expect(data?.enrollTeachers.issues?.map((i) => i.path.join('.'))).toEqual([
      'input.teacherIds.1',
      'input.nationalIds.0',
    ]);
    const duplicates = await schoolAdmin<Enrolled>(enroll, {
      input: {
        activityId: g('Activity', activity.id),
        teacherIds: [g('Teacher', teacher.id), g('Teacher', teacher.id)],
      },
    });
    expect(duplicates.data?.enrollTeachers.issues?.map((i) => i.path.join('.'))).toEqual([
      'input.teacherIds.1',
    ]);
    const empty = await schoolAdmin<Enrolled>(enroll, {
      input: { activityId: g('Activity', activity.id), teacherIds: [] },
    });
    expect(empty.data?.enrollTeachers.issues?.[0]?.path).toEqual(['input', 'teacherIds']);
    expect(await rosterSize(activity.id)).toBe(0);
  });

  it('refuses an activity that is not open for enrollment', async () => {
    const activity = await fx.activity(world.institution);
    // Under way: schools see it, but the roster is fixed.
    await sql`update activities set status = 'in_progress' where id = ${activity.id}`.execute(
      fx.db,
    );
    const { data } = await schoolAdmin<Enrolled>(enroll, {
      input: {
        activityId: g('Activity', activity.id),
        teacherIds: [g('Teacher', world.teacher.id)],
      },
    });
    expect(data?.enrollTeachers.code).toBe('CONFLICT');
  });

  it('never goes over capacity when lists arrive at the same time', async () => {
    const activity = await openActivity({ capacity: 5 });
    const teachers = await Promise.all(Array.from({ length: 12 }, () => fx.teacher(world.school)));
    await Promise.all(
      teachers.map((t) =>
        schoolAdmin<Enrolled>(enroll, {
          input: { activityId: g('Activity', activity.id), teacherIds: [g('Teacher', t.id)] },
        }),
      ),
    );
    expect(await rosterSize(activity.id)).toBe(5);
  });
});

describe('self-registration', () => {
  const selfEnroll = /* GraphQL */ `
    mutation ($input: SelfEnrollInput!) {
      selfEnroll(input: $input) {
        __typename
        ... on MutationSelfEnrollSuccess {
          data {
            status
            source
          }
        }
        ... on UserError {
          code
        }
        ... on NotEligibleError {
          reasons {
            code
            message
          }
        }
      }
    }
  `;
  interface SelfEnrolled {
    selfEnroll: {
      __typename: string;
      code?: string;
      data?: { status: string; source: string };
      reasons?: Array<{ code: string; message: string }>;
    };
  }

  it('enrolls an eligible teacher where the activity allows it, once', async () => {
    const teacher = await fx.teacher(world.school);
    const caller = await server.as(
      await fx.account('teacher', world.school, { teacherId: teacher.id }),
    );
    const activity = await openActivity({ selfEnrollment: true });
    const input = { activityId: g('Activity', activity.id) };
    const first = await caller<SelfEnrolled>(selfEnroll, { input });
    expect(first.data?.selfEnroll.data).toEqual({ status: 'REGISTERED', source: 'SELF' });
    const second = await caller<SelfEnrolled>(selfEnroll, { input });
    expect(second.data?.selfEnroll.code).toBe('CONFLICT');
  });

  it('refuses with every reason when the teacher is not eligible, and where schools enroll', async () => {
    const teacher = await fx.teacher(world.school, { years_of_service: 1 });
    const caller = await server.as(
      await fx.account('teacher', world.school, { teacherId: teacher.id }),
    );
    const strict = await openActivity({
      selfEnrollment: true,
      eligibilityRules: { minYearsOfService: 3, roleTags: ['principal'] },
    });
    const { data } = await caller<SelfEnrolled>(
      selfEnroll,
      { input: { activityId: g('Activity', strict.id) } },
      zh,
    );
    expect(data?.selfEnroll.__typename).toBe('NotEligibleError');
    expect(data?.selfEnroll.reasons?.map((r) => r.code)).toEqual([
      'ROLE_TAG_REQUIRED',
      'TOO_FEW_YEARS_OF_SERVICE',
    ]);
    expect(data?.selfEnroll.reasons?.[1]?.message).toMatch(/教龄/);
    const closed = await openActivity({ selfEnrollment: false });
    const refused = await caller<SelfEnrolled>(selfEnroll, {
      input: { activityId: g('Activity', closed.id) },
    });
    expect(refused.data?.selfEnroll.code).toBe('FORBIDDEN');
    expect(await rosterSize(strict.id)).toBe(0);
    expect(await rosterSize(closed.id)).toBe(0);
  });
});

describe('the school’s decisions and substitution', () => {
  const decide = /* GraphQL */ `
    mutation ($input: DecideEligibilityInput!) {
      decideEligibility(input: $input) {
        __typename
        ... on MutationDecideEligibilitySuccess {
          data {
            enrollments {
              status
              rejectionReason
            }
          }
        }
        ... on UserError {
          code
          message
        }
        ... on ValidationError {
          issues {
            path
          }
        }
      }
    }
  `;
  interface Decided {
    decideEligibility: {
      __typename: string;
      code?: string;
      data?: { enrollments: Array<{ status: string; rejectionReason: string | null }> };
      issues?: Array<{ path: string[] }>;
    };
  }
  const substitute = /* GraphQL */ `
    mutation ($input: SubstituteParticipantInput!) {
      substituteParticipant(input: $input) {
        __typename
        ... on MutationSubstituteParticipantSuccess {
          data {
            id
            status
            substitutes {
              id
              status
              rejectionReason
            }
          }
        }
        ... on UserError {
          code
        }
        ... on NotEligibleError {
          reasons {
            code
          }
        }
        ... on ValidationError {
          issues {
            path
          }
        }
      }
    }
  `;
  interface Substituted {
    substituteParticipant: {
      __typename: string;
      code?: string;
      data?: {
        id: string;
        status: string;
        substitutes: { id: string; status: string; rejectionReason: string } | null;
      };
      reasons?: Array<{ code: string }>;
      issues?: Array<{ path: string[] }>;
    };
  }

  it('confirms and rejects in one all-or-nothing batch; a reject needs a reason', async () => {
    const activity = await openActivity();
    const keep = await fx.enrollment(activity, await fx.teacher(world.school));
    const drop = await fx.enrollment(activity, await fx.teacher(world.school));
    const missingReason = await schoolAdmin<Decided>(decide, {
      input: {
        decisions: [
          { enrollmentId: g('Enrollment', keep.id), decision: 'CONFIRM' },
          { enrollmentId: g('Enrollment', drop.id), decision: 'REJECT', reason: '  ' },
        ],
      },
    });
    expect(missingReason.data?.decideEligibility.issues?.[0]?.path).toEqual([
      'input',
      'decisions',
      '1',
      'reason',
    ]);
    const { data } = await schoolAdmin<Decided>(decide, {
      input: {
        decisions: [
          { enrollmentId: g('Enrollment', keep.id), decision: 'CONFIRM' },
          { enrollmentId: g('Enrollment', drop.id), decision: 'REJECT', reason: '已参加同类培训' },
        ],
      },
    });
    expect(data?.decideEligibility.data?.enrollments).toEqual([
      { status: 'ELIGIBILITY_CONFIRMED', rejectionReason: null },
      { status: 'ELIGIBILITY_REJECTED', rejectionReason: '已参加同类培训' },
    ]);
    // Deciding again is a conflict, and nothing changes.
    const again = await schoolAdmin<Decided>(decide, {
      input: {
        decisions: [{ enrollmentId: g('Enrollment', keep.id), decision: 'REJECT', reason: 'x' }],
      },
    });
    expect(again.data?.decideEligibility.code).toBe('CONFLICT');
    const row = await fx.db
      .selectFrom('enrollments')
      .select('status')
      .where('id', '=', keep.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('eligibility_confirmed');
  });

  it('lets only the participant’s own school decide', async () => {
    const activity = await openActivity();
    const enrollment = await fx.enrollment(activity, await fx.teacher(world.school));
    const { data } = await otherSchoolAdmin<Decided>(decide, {
      input: { decisions: [{ enrollmentId: g('Enrollment', enrollment.id), decision: 'CONFIRM' }] },
    });
    // The other school cannot even see the enrollment.
    expect(data?.decideEligibility.__typename).toBe('ValidationError');
    const byInstitution = await institution<Decided>(decide, {
      input: { decisions: [{ enrollmentId: g('Enrollment', enrollment.id), decision: 'CONFIRM' }] },
    });
    expect(byInstitution.data?.decideEligibility ?? null).toBeNull();
  });

  it('replaces a rejected participant with a teacher of the same school, keeping the history', async () => {
    const activity = await openActivity({ capacity: 2 });
    const rejected = await fx.enrollment(activity, await fx.teacher(world.school));
    await fx.enrollment(activity, await fx.teacher(world.school));
    await schoolAdmin<Decided>(decide, {
      input: {
        decisions: [
          { enrollmentId: g('Enrollment', rejected.id), decision: 'REJECT', reason: '岗位调整' },
        ],
      },
    });
    const stranger = await fx.teacher(otherSchool);
    const wrongSchool = await schoolAdmin<Substituted>(substitute, {
      input: { enrollmentId: g('Enrollment', rejected.id), teacherId: g('Teacher', stranger.id) },
    });
    expect(wrongSchool.data?.substituteParticipant.__typename).toBe('ValidationError');
    const ineligible = await fx.teacher(world.school, { stage: 'senior' });
    await sql`update activities set eligibility_rules = '{"stages":["primary"]}' where id = ${activity.id}`.execute(
      fx.db,
    );
    const refused = await schoolAdmin<Substituted>(substitute, {
      input: { enrollmentId: g('Enrollment', rejected.id), teacherId: g('Teacher', ineligible.id) },
    });
    expect(refused.data?.substituteParticipant.reasons?.map((r) => r.code)).toEqual([
      'STAGE_NOT_ELIGIBLE',
    ]);
    // The activity is full (2 of 2, the rejected seat included): the substitute takes that seat.
    const replacement = await fx.teacher(world.school);
    const { data } = await schoolAdmin<Substituted>(substitute, {
      input: {
        enrollmentId: g('Enrollment', rejected.id),
        teacherId: g('Teacher', replacement.id),
      },
    });
    expect(data?.substituteParticipant.data).toMatchObject({
      status: 'ELIGIBILITY_CONFIRMED',
      substitutes: {
        id: g('Enrollment', rejected.id),
        status: 'SUBSTITUTED',
        rejectionReason: '岗位调整',
      },
    });
    const twice = await schoolAdmin<Substituted>(substitute, {
      input: {
        enrollmentId: g('Enrollment', rejected.id),
        teacherId: g('Teacher', (await fx.teacher(world.school)).id),
      },
    });
    expect(twice.data?.substituteParticipant.code).toBe('CONFLICT');
    expect(await rosterSize(activity.id)).toBe(3);
  });
});
