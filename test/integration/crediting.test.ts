import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * Crediting through the gateway (issue 4, point 6): the office's roster confirmation evaluates
 * every participant and writes one award per completed enrollment; amendments re-credit on the
 * next confirmation; the office's adjustments and revocations are new entries; a transcript is
 * always the sum of the ledger.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
type Caller = Awaited<ReturnType<typeof server.as>>;
let fx: Fixtures;
let world: Awaited<ReturnType<Fixtures['world']>>;
let schoolAdmin: Caller;
let office: Caller;
let otherOffice: Caller;
let officeUserId: number;
let currentCycle: number;
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

beforeAll(async () => {
  database = await createTestDatabase();
  fx = new Fixtures(database.db);
  world = await fx.world();
  const elsewhere = await fx.region(world.city);
  server = await startTestServer(database);
  schoolAdmin = await server.as(await fx.account('school_admin', world.school));
  const officeAccount = await fx.account('office_officer', world.office);
  officeUserId = officeAccount.id;
  office = await server.as(officeAccount);
  otherOffice = await server.as(
    await fx.account('office_officer', await fx.organization('education_office', elsewhere)),
  );
  // Two cycles of the district; online study counts half. The city's policy is overridden.
  const policy = (region: number, starts: string, ends: string, online: number) =>
    fx.db
      .insertInto('requirement_policies')
      .values({
        region_id: region,
        name: `继续教育 ${starts}`,
        cycle_starts_on: starts,
        cycle_ends_on: ends,
        total_hours: 360,
        conversion_factors: JSON.stringify({ online }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  await policy(world.district.id, '2021-01-01', '2025-12-31', 0.5);
  currentCycle = (await policy(world.district.id, '2026-01-01', '2030-12-31', 0.5)).id;
  await policy(world.city.id, '2026-01-01', '2030-12-31', 1);
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

type Attended = 'present' | 'absent';

/**
 * A closed online activity of five 2-hour sessions (10 credit hours) with one enrollment per
 * entry of `people`: its status and which sessions it attended. The school has not confirmed.
 */
async function roster(
  people: Array<{ status?: string; attended: Attended[]; assessment?: string; onTime?: number }>,
  completionRules: Record<string, unknown> = { minAttendanceRatio: 0.8 },
) {
  const activity = await fx.activity(world.institution, {
    creditHours: 10,
    deliveryMode: 'online',
    endsOn: '2026-03-02',
    completionRules: completionRules as never,
  });
  const sessions = [];
  for (let sequence = 1; sequence <= 5; sequence += 1) {
    sessions.push(await fx.session(activity, { sequence, hours: 2 }));
  }
  const assignment = await fx.db
    .insertInto('assignments')
    .values({ activity_id: activity.id, title: '教学设计', due_at: '2026-03-02T10:00:00Z' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const enrollments = [];
  for (const person of people) {
    const teacher = await fx.teacher(world.school);
    const enrollment = await fx.enrollment(activity, teacher);
    await sql`update enrollments set status = ${person.status ?? 'eligibility_confirmed'}, assessment_result = ${person.assessment ?? null},
      rejection_reason = ${person.status === 'eligibility_rejected' ? '不符合条件' : null}
      where id = ${enrollment.id}`.execute(fx.db);
    const attendance = [];
    for (const [i, status] of person.attended.entries()) {
      const row = await fx.db
        .insertInto('attendance')
        .values({
          activity_id: activity.id,
          session_id: sessions[i]!.id,
          enrollment_id: enrollment.id,
          status,
          minutes: status === 'present' ? 120 : 0,
          source: 'trainer',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      attendance.push(row.id);
    }
    if (person.onTime) {
      await fx.db
        .insertInto('submissions')
        .values({
          activity_id: activity.id,
          assignment_id: assignment.id,
          enrollment_id: enrollment.id,
          submitted_at: '2026-03-02T09:00:00Z',
          on_time: true,
        })
        .execute();
    }
    enrollments.push({ id: enrollment.id, teacherId: teacher.id, attendance });
  }
  await sql`update activities set status = 'closed' where id = ${activity.id}`.execute(fx.db);
  return { activity, enrollments };
}

const all = (n: number): Attended[] => [1, 2, 3, 4, 5].map((i) => (i <= n ? 'present' : 'absent'));

interface Summary {
  evaluated: number;
  completed: number;
  notCompleted: number;
  unconfirmed: number;
  awardsWritten: number;
  awardsAlreadyPresent: number;
  adjustmentsWritten: number;
  revocationsWritten: number;
  hoursWritten: number;
}

async function confirmChain(activityId: number): Promise<Summary> {
  const school = await schoolAdmin<{ confirmSchoolAttendance: { __typename: string } }>(
    `mutation($input: ConfirmSchoolAttendanceInput!) { confirmSchoolAttendance(input: $input) { __typename } }`,
    { input: { activityId: g('Activity', activityId) } },
  );
  expect(school.data!.confirmSchoolAttendance.__typename).toBe(
    'MutationConfirmSchoolAttendanceSuccess',
  );
  const { data, errors } = await office<{
    confirmRoster: { __typename: string; message?: string; data?: { crediting: Summary } };
  }>(
    `mutation($input: ConfirmRosterInput!) { confirmRoster(input: $input) { __typename
      ... on UserError { message }
      ... on MutationConfirmRosterSuccess { data { crediting {
        evaluated completed notCompleted unconfirmed awardsWritten awardsAlreadyPresent
        adjustmentsWritten revocationsWritten hoursWritten } } } } }`,
    { input: { activityId: g('Activity', activityId) } },
  );
  expect(errors).toBeUndefined();
  expect(data!.confirmRoster.__typename, data!.confirmRoster.message).toBe(
    'MutationConfirmRosterSuccess',
  );
  return data!.confirmRoster.data!.crediting;
}

async function ledgerOf(enrollmentId: number) {
  return fx.db
    .selectFrom('credit_ledger')
    .selectAll()
    .where('enrollment_id', '=', enrollmentId)
    .orderBy('id')
    .execute();
}

async function statusOf(enrollmentId: number) {
  return (
    await fx.db
      .selectFrom('enrollments')
      .select('status')
      .where('id', '=', enrollmentId)
      .executeTakeFirstOrThrow()
  ).status;
}

async function amend(
  attendanceId: number,
  status: 'PRESENT' | 'ABSENT',
  reason: string,
  minutes = status === 'PRESENT' ? 120 : 0,
) {
  const { data } = await schoolAdmin<{
    amendAttendance: { __typename: string; message?: string };
  }>(
    `mutation($input: AmendAttendanceInput!) { amendAttendance(input: $input) { __typename ... on UserError { message } } }`,
    {
      input: {
        attendanceId: g('Attendance', attendanceId),
        status,
        minutes,
        reason,
      },
    },
  );
  expect(data!.amendAttendance.__typename, data!.amendAttendance.message).toBe(
    'MutationAmendAttendanceSuccess',
  );
  return (
    await fx.db
      .selectFrom('attendance_amendments')
      .select('id')
      .where('attendance_id', '=', attendanceId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
  ).id;
}

/** What the gateway says a teacher has: the ledger's entries, their sum and the cycle's total. */
async function transcript(caller: Caller, teacherId: number) {
  const { data, errors } = await caller<{
    node: {
      creditHours: number;
      creditEntries: {
        edges: Array<{ node: { kind: string; hours: number; reason: string | null } }>;
      };
      progress: { total: { earned: number } } | null;
    };
  }>(
    `query($id: ID!) { node(id: $id) { ... on Teacher {
      creditHours
      creditEntries(first: 100) { edges { node { kind hours reason } } }
      progress(asOf: "2026-07-01") { total { earned } }
    } } }`,
    { id: g('Teacher', teacherId) },
  );
  expect(errors).toBeUndefined();
  return data!.node;
}

async function sqlSum(teacherId: number) {
  const { rows } = await sql<{
    total: number;
  }>`select coalesce(sum(hours), 0)::float8 as total from credit_ledger where teacher_id = ${teacherId}`.execute(
    fx.db,
  );
  return rows[0]!.total;
}

describe('confirmRoster credits the roster', () => {
  it('writes one award per completed enrollment: converted hours, category, cycle, day, actor', async () => {
    const { activity, enrollments } = await roster([
      { attended: all(5) }, // everything
      { attended: all(4) }, // exactly at 80 %
      { attended: all(3) }, // partial attendance, below
      { status: 'registered', attended: all(5) }, // the school never confirmed eligibility
      { status: 'withdrawn', attended: [] },
    ]);
    const summary = await confirmChain(activity.id);
    expect(summary).toEqual({
      evaluated: 3,
      completed: 2,
      notCompleted: 1,
      unconfirmed: 1,
      awardsWritten: 2,
      awardsAlreadyPresent: 0,
      adjustmentsWritten: 0,
      revocationsWritten: 0,
      hoursWritten: 10,
    });
    const [full, exact, partial, registered, withdrawn] = enrollments;
    expect(await statusOf(full!.id)).toBe('completed');
    expect(await statusOf(exact!.id)).toBe('completed');
    expect(await statusOf(partial!.id)).toBe('not_completed');
    expect(await statusOf(registered!.id)).toBe('registered');
    expect(await statusOf(withdrawn!.id)).toBe('withdrawn');
    for (const e of [full!, exact!]) {
      expect(await ledgerOf(e.id)).toEqual([
        expect.objectContaining({
          kind: 'award',
          origin: 'crediting',
          teacher_id: e.teacherId,
          activity_id: activity.id,
          hours: 5, // 10 online hours at the district's factor 0.5
          category: activity.category,
          policy_id: currentCycle, // the cycle containing 2026-03-02, the district's own
          earned_on: '2026-03-02',
          actor_id: officeUserId,
          reason: null,
        }),
      ]);
    }
    expect(await ledgerOf(partial!.id)).toEqual([]);
    expect(await ledgerOf(registered!.id)).toEqual([]);
    const { rows } = await sql<{
      action: string;
      n: number;
    }>`select action, count(*)::int as n from audit_log where (entity_type = 'enrollment' and entity_id in (${sql.join(enrollments.map((e) => String(e.id)))}))
        or (entity_type = 'activity' and entity_id = ${String(activity.id)}) group by action order by action`.execute(
      fx.db,
    );
    expect(rows).toEqual([
      { action: 'activity.credit', n: 1 },
      { action: 'enrollment.credited', n: 3 },
    ]);
  });

  it('applies every completion rule: homework on time and the assessment', async () => {
    const { activity, enrollments } = await roster(
      [
        { attended: all(5), assessment: 'qualified', onTime: 1 },
        { attended: all(5), assessment: 'fail', onTime: 1 },
        { attended: all(5), assessment: 'excellent' }, // no homework on time
        { attended: all(5), onTime: 1 }, // no assessment yet
      ],
      { minAttendanceRatio: 0.8, minAssignmentsOnTime: 1, minAssessment: 'qualified' },
    );
    const summary = await confirmChain(activity.id);
    expect(summary).toMatchObject({ evaluated: 4, completed: 1, awardsWritten: 1 });
    expect(await Promise.all(enrollments.map((e) => statusOf(e.id)))).toEqual([
      'completed',
      'not_completed',
      'not_completed',
      'not_completed',
    ]);
  });
});

describe('amendments after confirmation re-credit on the next confirmation', () => {
  it('revokes an award that no longer completes, awards one that now does, reinstates by adjustment', async () => {
    const { activity, enrollments } = await roster([
      { attended: all(4) }, // at the threshold: one absence more and it fails
      { attended: all(3) }, // below: one more presence and it completes
      { attended: all(5) }, // untouched
    ]);
    const [atThreshold, below, untouched] = enrollments;
    await confirmChain(activity.id);

    const dropped = await amend(atThreshold!.attendance[0]!, 'ABSENT', '签到表误记，实际缺勤');
    const raised = await amend(below!.attendance[3]!, 'PRESENT', '线上平台数据补录');
    // Nothing changes in the ledger until the chain confirms again.
    expect((await ledgerOf(atThreshold!.id)).map((e) => e.kind)).toEqual(['award']);

    const second = await confirmChain(activity.id);
    expect(second).toEqual({
      evaluated: 3,
      completed: 2,
      notCompleted: 1,
      unconfirmed: 0,
      awardsWritten: 1,
      awardsAlreadyPresent: 1,
      adjustmentsWritten: 0,
      revocationsWritten: 1,
      hoursWritten: 0,
    });
    const revoked = await ledgerOf(atThreshold!.id);
    expect(revoked.map((e) => [e.kind, e.hours, e.origin])).toEqual([
      ['award', 5, 'crediting'],
      ['revocation', -5, 'crediting'],
    ]);
    expect(revoked[1]!.corrects_entry_id).toBe(revoked[0]!.id);
    // The same link through the API: the revocation names the award it corrects.
    const viaApi = await office<{
      node: { corrects: { id: string; kind: string } | null } | null;
    }>(`query($id: ID!) { node(id: $id) { ... on CreditEntry { corrects { id kind } } } }`, {
      id: Buffer.from(`CreditEntry:${revoked[1]!.id}`).toString('base64'),
    });
    expect(viaApi.data?.node?.corrects).toEqual({
      id: Buffer.from(`CreditEntry:${revoked[0]!.id}`).toString('base64'),
      kind: 'AWARD',
    });
    expect(revoked[1]!.reason).toContain(`#${dropped}`);
    expect(revoked[1]!.reason).toContain('签到表误记');
    expect(revoked[1]!.reason).toContain('revision 2');
    expect(await statusOf(atThreshold!.id)).toBe('not_completed');
    expect((await ledgerOf(below!.id)).map((e) => [e.kind, e.hours])).toEqual([['award', 5]]);
    expect(await statusOf(below!.id)).toBe('completed');
    expect((await ledgerOf(untouched!.id)).map((e) => e.kind)).toEqual(['award']);
    expect(raised).toBeGreaterThan(dropped);

    // Corrected back: the award cannot be written twice, so an adjustment reinstates it.
    await amend(atThreshold!.attendance[0]!, 'PRESENT', '核实后确为出勤');
    const third = await confirmChain(activity.id);
    expect(third).toMatchObject({ adjustmentsWritten: 1, awardsWritten: 0, revocationsWritten: 0 });
    const reinstated = await ledgerOf(atThreshold!.id);
    expect(reinstated.map((e) => [e.kind, e.hours])).toEqual([
      ['award', 5],
      ['revocation', -5],
      ['adjustment', 5],
    ]);
    expect(reinstated[2]!.reason).toContain('revision 3');
    const awards = await sql<{
      n: number;
    }>`select count(*)::int as n from credit_ledger where activity_id = ${activity.id} and kind = 'award'`.execute(
      fx.db,
    );
    expect(awards.rows[0]!.n).toBe(3);
    expect(await statusOf(atThreshold!.id)).toBe('completed');
  });
});

describe('adjustCredit and revokeCredit', () => {
  it('append entries with reasons; the transcript is always the sum of the ledger', async () => {
    const { activity, enrollments } = await roster([{ attended: all(5) }, { attended: all(5) }]);
    await confirmChain(activity.id);
    const [adjusted, revoked] = enrollments;
    const award = async (enrollmentId: number) => (await ledgerOf(enrollmentId))[0]!;

    const adjust = async (input: Record<string, unknown>, caller = office) =>
      (
        await caller<{
          adjustCredit: {
            __typename: string;
            issues?: Array<{ path: string[] }>;
            data?: { kind: string; hours: number; reason: string };
          };
        }>(
          `mutation($input: AdjustCreditInput!) { adjustCredit(input: $input) { __typename
            ... on ValidationError { issues { path } }
            ... on MutationAdjustCreditSuccess { data { kind hours reason } } } }`,
          { input },
        )
      ).data!.adjustCredit;
    const revoke = async (input: Record<string, unknown>, caller = office) =>
      (
        await caller<{
          revokeCredit: { __typename: string; data?: { kind: string; hours: number } };
        }>(
          `mutation($input: RevokeCreditInput!) { revokeCredit(input: $input) { __typename
            ... on MutationRevokeCreditSuccess { data { kind hours } } } }`,
          { input },
        )
      ).data!.revokeCredit;

    const added = await adjust({
      enrollmentId: g('Enrollment', adjusted!.id),
      hours: 1.5,
      reason: '补记线下研讨学时',
    });
    expect(added).toMatchObject({
      __typename: 'MutationAdjustCreditSuccess',
      data: { kind: 'ADJUSTMENT', hours: 1.5, reason: '补记线下研讨学时' },
    });
    const tooMuch = await adjust({
      entryId: g('CreditEntry', (await award(adjusted!.id)).id),
      hours: -6.51,
      reason: '核减',
    });
    expect(tooMuch.__typename).toBe('ValidationError');
    expect(tooMuch.issues![0]!.path).toEqual(['input', 'hours']);
    const noReason = await adjust({
      enrollmentId: g('Enrollment', adjusted!.id),
      hours: 1,
      reason: ' ',
    });
    expect(noReason.issues!.map((i) => i.path.join('.'))).toEqual(['input.reason']);
    const both = await adjust({
      entryId: g('CreditEntry', (await award(adjusted!.id)).id),
      enrollmentId: g('Enrollment', adjusted!.id),
      hours: 1,
      reason: '两者都填',
    });
    expect(both.__typename).toBe('ValidationError');
    const hidden = await adjust(
      { enrollmentId: g('Enrollment', adjusted!.id), hours: 1, reason: '越权' },
      otherOffice,
    );
    expect(hidden.__typename).toBe('NotFoundError');

    const revocation = await revoke({
      entryId: g('CreditEntry', (await award(revoked!.id)).id),
      reason: '冒名顶替参训，撤销学时',
    });
    expect(revocation).toMatchObject({ data: { kind: 'REVOCATION', hours: -5 } });
    const twice = await revoke({
      entryId: g('CreditEntry', (await award(revoked!.id)).id),
      reason: '再次撤销',
    });
    expect(twice.__typename).toBe('ConflictError');

    for (const e of [adjusted!, revoked!]) {
      const seen = await transcript(office, e.teacherId);
      const sum = await sqlSum(e.teacherId);
      expect(seen.creditHours).toBe(sum);
      expect(
        seen.creditEntries.edges.reduce((s, edge) => s + Math.round(edge.node.hours * 100), 0) /
          100,
      ).toBe(sum);
      expect(seen.progress!.total.earned).toBe(sum);
    }
    expect(await sqlSum(adjusted!.teacherId)).toBe(6.5);
    expect(await sqlSum(revoked!.teacherId)).toBe(0);

    // A re-confirmation keeps the office's decisions: the +1.5 stays, the revocation stands.
    await amend(adjusted!.attendance[4]!, 'PRESENT', '分钟数更正', 110);
    await amend(revoked!.attendance[4]!, 'PRESENT', '分钟数更正', 110);
    const again = await confirmChain(activity.id);
    // Minutes did not change the outcome here, so nothing is written.
    expect(again).toMatchObject({ awardsWritten: 0, adjustmentsWritten: 0, revocationsWritten: 0 });
    expect(await sqlSum(adjusted!.teacherId)).toBe(6.5);
    expect(await sqlSum(revoked!.teacherId)).toBe(0);
  });

  it('is the office’s: a school administrator may not correct the ledger', async () => {
    const { activity, enrollments } = await roster([{ attended: all(5) }]);
    await confirmChain(activity.id);
    const entry = (await ledgerOf(enrollments[0]!.id))[0]!;
    const { data, errors } = await schoolAdmin(
      `mutation($input: RevokeCreditInput!) { revokeCredit(input: $input) { __typename } }`,
      { input: { entryId: g('CreditEntry', entry.id), reason: '学校无权撤销' } },
    );
    expect(data?.revokeCredit ?? null).toBeNull();
    expect(errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(await ledgerOf(enrollments[0]!.id)).toHaveLength(1);
  });
});
