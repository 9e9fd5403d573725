import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/** Issue 4 point 7: a teacher's transcript and progress toward the cycle, read through the gateway. */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
type Caller = Awaited<ReturnType<typeof server.as>>;
let teacherCaller: Caller;
let office: Caller;
let school: Caller;
let institution: Caller;
let otherSchool: Caller;
let officeAccount: { username: string; password: string };
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
const ids = {} as {
  teacher: number;
  policy: number;
  cityPolicy: number;
  failedAttendance: number;
  failedAssessment: number;
  underWay: number;
  rejected: number;
  revoked: number;
  awaiting: number;
};

const progressQuery = `
  query($id: ID!, $asOf: Date, $policyId: ID) {
    node(id: $id) {
      ... on Teacher {
        creditHours
        progress(asOf: $asOf, policyId: $policyId) {
          policy { id name }
          asOf
          total { required earned counted remaining status }
          categories { code required cap earned counted overCap remaining status }
          awardedHours adjustedHours revokedHours entryCount plannedHours
          uncredited {
            activity { id }
            hours pending
            reasons { code message }
          }
        }
      }
    }
  }
`;

interface Progress {
  policy: { id: string; name: string };
  asOf: string;
  total: { required: number; earned: number; counted: number; remaining: number; status: string };
  categories: Array<{
    code: string;
    required: number;
    cap: number | null;
    earned: number;
    counted: number;
    overCap: number;
    remaining: number;
    status: string;
  }>;
  awardedHours: number;
  adjustedHours: number;
  revokedHours: number;
  entryCount: number;
  plannedHours: number;
  uncredited: Array<{
    activity: { id: string } | null;
    hours: number;
    pending: boolean;
    reasons: Array<{ code: string; message: string }>;
  }>;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  const fx = new Fixtures(db);
  const world = await fx.world();
  const teacher = await fx.teacher(world.school, { name: '林小雨' });
  ids.teacher = teacher.id;
  await fx.category('professional');
  await fx.category('school_based');

  // The district's own cycle beats the city's, which also covers 2026.
  const policy = await db
    .insertInto('requirement_policies')
    .values({
      region_id: world.district.id,
      name: '区“十五五”继续教育学分办法',
      cycle_starts_on: '2026-01-01',
      cycle_ends_on: '2030-12-31',
      total_hours: 100,
      category_minimums: JSON.stringify({ school_based: 20 }),
      category_caps: JSON.stringify({ professional: 15 }),
      conversion_factors: JSON.stringify({ online: 0.5 }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  ids.policy = policy.id;
  const cityPolicy = await db
    .insertInto('requirement_policies')
    .values({
      region_id: world.city.id,
      name: '市继续教育学分办法',
      cycle_starts_on: '2024-01-01',
      cycle_ends_on: '2028-12-31',
      total_hours: 360,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  ids.cityPolicy = cityPolicy.id;

  const setStatus = (id: number, status: string) =>
    sql`update activities set status = ${status} where id = ${id}`.execute(db);
  const enrollAs = async (
    activityId: number,
    status: string,
    extra: Record<string, unknown> = {},
  ) => {
    const e = await fx.enrollment({ id: activityId }, teacher);
    await db
      .updateTable('enrollments')
      .set({ status, ...extra })
      .where('id', '=', e.id)
      .execute();
    return e;
  };

  // Credited: 12 hours of professional, plus an adjustment; 20 more professional over the cap.
  const credited = await fx.activity(world.institution, {
    category: 'professional',
    creditHours: 12,
    endsOn: '2026-03-02',
  });
  await setStatus(credited.id, 'credited');
  const creditedEnrollment = await enrollAs(credited.id, 'completed');
  const ledger = (values: Record<string, unknown>) =>
    db
      .insertInto('credit_ledger')
      .values({ teacher_id: teacher.id, category: 'professional', ...values } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
  await ledger({
    kind: 'award',
    activity_id: credited.id,
    enrollment_id: creditedEnrollment.id,
    policy_id: policy.id,
    hours: 12,
    earned_on: '2026-03-02',
  });
  await ledger({
    kind: 'adjustment',
    activity_id: credited.id,
    policy_id: policy.id,
    hours: 1.5,
    earned_on: '2026-04-01',
    reason: '补录线上学时',
  });
  // Written before the policy existed: no cycle, but its day lies in the cycle.
  await ledger({
    kind: 'adjustment',
    category: 'school_based',
    hours: 8,
    earned_on: '2026-05-01',
    reason: '校本研修补录',
  });
  // Outside the cycle: counts toward nothing here, but stays on the ledger.
  await ledger({
    kind: 'adjustment',
    hours: 3,
    earned_on: '2025-06-01',
    reason: '往年补录',
  });

  // Not completed: attended 5 of 10 hours, no homework on time.
  const shortAttendance = await fx.activity(world.institution, {
    category: 'professional',
    creditHours: 10,
    endsOn: '2026-04-02',
    completionRules: { minAttendanceRatio: 0.8, minAssignmentsOnTime: 1 },
  });
  ids.failedAttendance = shortAttendance.id;
  const s1 = await fx.session(shortAttendance, { sequence: 1, hours: 5 });
  await fx.session(shortAttendance, { sequence: 2, hours: 5 });
  await db
    .insertInto('assignments')
    .values({ activity_id: shortAttendance.id, title: '教学反思', due_at: '2026-04-02T10:00:00Z' })
    .execute();
  await setStatus(shortAttendance.id, 'credited');
  const shortEnrollment = await enrollAs(shortAttendance.id, 'not_completed');
  await db
    .insertInto('attendance')
    .values({
      activity_id: shortAttendance.id,
      session_id: s1.id,
      enrollment_id: shortEnrollment.id,
      status: 'present',
      minutes: 300,
      source: 'trainer',
    })
    .execute();

  // Closed, assessed "fail" where "qualified" is required; attendance complete.
  const failed = await fx.activity(world.institution, {
    category: 'professional',
    creditHours: 4,
    endsOn: '2026-05-02',
    completionRules: { minAssessment: 'qualified' },
  });
  ids.failedAssessment = failed.id;
  const fs = await fx.session(failed, { sequence: 1, hours: 4 });
  await setStatus(failed.id, 'closed');
  const failedEnrollment = await enrollAs(failed.id, 'eligibility_confirmed', {
    assessment_result: 'fail',
  });
  await db
    .insertInto('attendance')
    .values({
      activity_id: failed.id,
      session_id: fs.id,
      enrollment_id: failedEnrollment.id,
      status: 'late',
      minutes: 240,
      source: 'trainer',
    })
    .execute();

  // Under way: an online course of 10 hours, counted at half under the policy.
  const underWay = await fx.activity(world.institution, {
    category: 'school_based',
    deliveryMode: 'online',
    creditHours: 10,
    endsOn: '2026-12-20',
  });
  ids.underWay = underWay.id;
  await setStatus(underWay.id, 'in_progress');
  await enrollAs(underWay.id, 'eligibility_confirmed');

  // Rejected by the school.
  const rejected = await fx.activity(world.institution, { endsOn: '2026-06-02' });
  ids.rejected = rejected.id;
  await setStatus(rejected.id, 'open');
  await enrollAs(rejected.id, 'eligibility_rejected', { rejection_reason: '任教学段不符' });

  // Completed, closed, not yet awarded.
  const awaiting = await fx.activity(world.institution, { creditHours: 3, endsOn: '2026-07-02' });
  ids.awaiting = awaiting.id;
  await setStatus(awaiting.id, 'closed');
  await enrollAs(awaiting.id, 'completed');
  // The first teacher by name has an enrollment too, so a page of one reads every kind of row.
  await fx.enrollment(awaiting, world.teacher);

  // Awarded, then revoked.
  const revoked = await fx.activity(world.institution, { creditHours: 2, endsOn: '2026-08-02' });
  ids.revoked = revoked.id;
  await setStatus(revoked.id, 'credited');
  const revokedEnrollment = await enrollAs(revoked.id, 'completed');
  const award = await ledger({
    kind: 'award',
    activity_id: revoked.id,
    enrollment_id: revokedEnrollment.id,
    policy_id: policy.id,
    hours: 2,
    earned_on: '2026-08-02',
  });
  await ledger({
    kind: 'revocation',
    activity_id: revoked.id,
    policy_id: policy.id,
    hours: -2,
    earned_on: '2026-09-01',
    reason: '签到记录造假',
    corrects_entry_id: award.id,
  });

  server = await startTestServer(database);
  teacherCaller = await server.as(
    await fx.account('teacher', world.school, { teacherId: teacher.id }),
  );
  officeAccount = await fx.account('office_officer', world.office);
  office = await server.as(officeAccount);
  school = await server.as(await fx.account('school_admin', world.school));
  institution = await server.as(await fx.account('institution_admin', world.institution));
  otherSchool = await server.as(
    await fx.account('school_admin', await fx.organization('school', world.district)),
  );
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

async function progressOf(caller: Caller, variables: Record<string, unknown> = {}, headers = {}) {
  return caller<{ node: { creditHours: number; progress: Progress | null } | null }>(
    progressQuery,
    { id: g('Teacher', ids.teacher), asOf: '2026-10-01', ...variables },
    headers,
  );
}

describe('Teacher.progress', () => {
  it('equals the ledger sum of the cycle, entry for entry', async () => {
    const { data, errors } = await progressOf(teacherCaller);
    expect(errors).toBeUndefined();
    const progress = data!.node!.progress!;
    expect(progress.policy.id).toBe(g('RequirementPolicy', ids.policy));
    const { rows } = await sql<{ sum: number; count: number }>`
      select coalesce(sum(l.hours), 0) as sum, count(*) as count
      from credit_ledger l, requirement_policies p
      where p.id = ${ids.policy} and l.teacher_id = ${ids.teacher}
        and (l.policy_id = p.id
          or (l.policy_id is null and l.earned_on between p.cycle_starts_on and p.cycle_ends_on))
    `.execute(database.db);
    expect(progress.total.earned).toBe(Number(rows[0]!.sum));
    expect(progress.entryCount).toBe(Number(rows[0]!.count));
    expect(progress.total.earned).toBe(21.5);
    // The kinds add up to the total, and the whole ledger is the cycle plus what lies outside.
    expect(progress.awardedHours + progress.adjustedHours + progress.revokedHours).toBe(21.5);
    expect(progress).toMatchObject({ awardedHours: 14, adjustedHours: 9.5, revokedHours: -2 });
    expect(data!.node!.creditHours).toBe(21.5 + 3);
  });

  it('applies the category cap and minimum, and says how much remains', async () => {
    const { data } = await progressOf(school);
    const progress = data!.node!.progress!;
    const byCode = Object.fromEntries(progress.categories.map((c) => [c.code, c]));
    // 13.5 professional under a cap of 15; 8 school-based against a minimum of 20.
    expect(byCode.professional).toMatchObject({ earned: 13.5, counted: 13.5, cap: 15, overCap: 0 });
    expect(byCode.school_based).toMatchObject({
      required: 20,
      earned: 8,
      counted: 8,
      remaining: 12,
    });
    expect(progress.total).toMatchObject({ required: 100, counted: 21.5, remaining: 78.5 });
    // 21.5 % done after 273 of 1826 days (15 %): on track.
    expect(progress.total.status).toBe('ON_TRACK');
  });

  it('lists every enrollment that did not credit, with the completion rule’s reasons', async () => {
    const { data } = await progressOf(teacherCaller);
    const progress = data!.node!.progress!;
    const byActivity = new Map(progress.uncredited.map((u) => [u.activity?.id, u] as const));
    const codes = (activityId: number) =>
      byActivity.get(g('Activity', activityId))?.reasons.map((r) => r.code);
    expect(codes(ids.failedAttendance)).toEqual([
      'ATTENDANCE_BELOW_THRESHOLD',
      'ASSIGNMENTS_BELOW_MINIMUM',
    ]);
    expect(codes(ids.failedAssessment)).toEqual(['ASSESSMENT_BELOW_MINIMUM']);
    expect(codes(ids.underWay)).toEqual(['IN_PROGRESS']);
    expect(codes(ids.rejected)).toEqual(['ELIGIBILITY_REJECTED']);
    expect(codes(ids.awaiting)).toEqual(['AWAITING_CREDIT']);
    expect(codes(ids.revoked)).toEqual(['REVOKED']);
    expect(progress.uncredited).toHaveLength(6);
    expect(byActivity.get(g('Activity', ids.failedAttendance))!.reasons[0]!.message).toBe(
      'Attended 5 of 10 session hours; at least 80% (8 hours) is required.',
    );
    expect(byActivity.get(g('Activity', ids.rejected))!.reasons[0]!.message).toContain(
      '任教学段不符',
    );
    // Planned: the online course at half (5 h) and the completed one awaiting its award (3 h).
    expect(byActivity.get(g('Activity', ids.underWay))).toMatchObject({ hours: 5, pending: true });
    expect(progress.plannedHours).toBe(8);
  });

  it('explains in Chinese when the caller asks for it', async () => {
    const { data } = await progressOf(teacherCaller, {}, { 'accept-language': 'zh-CN,zh;q=0.9' });
    const messages = data!.node!.progress!.uncredited.flatMap((u) =>
      u.reasons.map((r) => r.message),
    );
    expect(messages).toContain('考核结果为“不合格”，要求“合格”及以上。');
    expect(messages).toContain('活动尚在进行中，结束后认定学分。');
    expect(messages.some((m) => m.includes('签到记录造假'))).toBe(true);
  });

  it('reads another cycle that binds the teacher by its policy', async () => {
    const { data, errors } = await progressOf(office, {
      policyId: g('RequirementPolicy', ids.cityPolicy),
    });
    expect(errors).toBeUndefined();
    // An entry counts toward the cycle it names: the city cycle (2024–2028) holds only the two
    // written without one (8 h in 2026, 3 h in 2025).
    expect(data!.node!.progress!.total).toMatchObject({ required: 360, earned: 11 });
  });

  it('is null on a day no cycle covers', async () => {
    const { data, errors } = await progressOf(office, { asOf: '2020-01-01' });
    expect(errors).toBeUndefined();
    expect(data!.node!.progress).toBeNull();
  });

  it.each([
    ['a policy that does not bind the teacher', g('RequirementPolicy', 999999)],
    ['an ID of another type', g('Teacher', 1)],
  ])('refuses %s as bad input naming the field', async (_what, policyId) => {
    const { errors } = await progressOf(office, { policyId });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'policyId' });
  });

  it('is refused to an institution, which sees only part of the ledger', async () => {
    const { data, errors } = await progressOf(institution);
    expect(data?.node?.progress ?? null).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('is out of reach of another school', async () => {
    const { data } = await progressOf(otherSchool);
    expect(data!.node).toBeNull();
  });

  it('costs a fixed number of statements for a list of teachers', async () => {
    const login = await server.graphql<{ login: { data?: { token: string } } }>(
      `mutation($input: LoginInput!) { login(input: $input) { ... on MutationLoginSuccess { data { token } } } }`,
      {
        input: {
          username: officeAccount.username,
          password: officeAccount.password,
          issueToken: true,
        },
      },
    );
    const token = login.data!.login.data!.token;
    const statementsFor = async (first: number) => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `query($first: Int!) { teachers(first: $first) { edges { node { progress(asOf: "2026-10-01") { total { earned } uncredited { reasons { code } } } } } } }`,
          variables: { first },
        }),
      });
      const body = (await response.json()) as {
        errors?: unknown;
        data: { teachers: { edges: unknown[] } };
      };
      expect(body.errors).toBeUndefined();
      return {
        teachers: body.data.teachers.edges.length,
        statements: Number(response.headers.get('x-sql-statements')),
      };
    };
    // A token's first request also looks its session up; later ones find it cached (decision 0017).
    await statementsFor(1);
    const one = await statementsFor(1);
    const all = await statementsFor(50);
    expect(all.teachers).toBeGreaterThan(one.teachers);
    expect(all.statements).toBe(one.statements);
  });
});
