import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * The confirmation chain through the gateway (issue 4, point 5): schools confirm their own
 * teachers, then the office the roster; an amendment supersedes both links and the chain
 * confirms again with the next revision.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
type Caller = Awaited<ReturnType<typeof server.as>>;
let fx: Fixtures;
let world: Awaited<ReturnType<Fixtures['world']>>;
let otherSchool: { id: number; regionId: number };
let schoolAdmin: Caller;
let otherSchoolAdmin: Caller;
let office: Caller;
let otherOffice: Caller;
let institution: Caller;
let trainerCaller: Caller;
let teacherCaller: Caller;
let trainer: { id: number };
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

beforeAll(async () => {
  database = await createTestDatabase();
  fx = new Fixtures(database.db);
  world = await fx.world();
  otherSchool = await fx.organization('school', world.district);
  trainer = await fx.trainer(world.institution);
  const elsewhere = await fx.region(world.city);
  server = await startTestServer(database);
  schoolAdmin = await server.as(await fx.account('school_admin', world.school));
  otherSchoolAdmin = await server.as(await fx.account('school_admin', otherSchool));
  office = await server.as(await fx.account('office_officer', world.office));
  otherOffice = await server.as(
    await fx.account('office_officer', await fx.organization('education_office', elsewhere)),
  );
  institution = await server.as(await fx.account('institution_admin', world.institution));
  trainerCaller = await server.as(
    await fx.account('trainer', world.institution, { trainerId: trainer.id }),
  );
  teacherCaller = await server.as(
    await fx.account('teacher', world.school, { teacherId: world.teacher.id }),
  );
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

/**
 * An activity of five 2-hour sessions (the first taught by `trainer`) in the given status, with
 * `perSchool` eligible teachers from each school, all present at every session.
 */
async function roster(status: string, schools: Array<{ id: number }>, perSchool = 2) {
  const activity = await fx.activity(world.institution, { creditHours: 10 });
  const sessions = [];
  for (let sequence = 1; sequence <= 5; sequence += 1) {
    sessions.push(await fx.session(activity, { sequence, hours: 2 }));
  }
  await fx.db
    .insertInto('session_trainers')
    .values({ session_id: sessions[0]!.id, trainer_id: trainer.id })
    .execute();
  const attendance: Array<{ id: number; schoolId: number; enrollmentId: number }> = [];
  for (const school of schools) {
    for (let i = 0; i < perSchool; i += 1) {
      const teacher = await fx.teacher(school);
      const enrollment = await fx.enrollment(activity, teacher);
      await sql`update enrollments set status = 'eligibility_confirmed' where id = ${enrollment.id}`.execute(
        fx.db,
      );
      for (const session of sessions) {
        const row = await fx.db
          .insertInto('attendance')
          .values({
            activity_id: activity.id,
            session_id: session.id,
            enrollment_id: enrollment.id,
            status: 'present',
            minutes: 120,
            source: 'trainer',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        attendance.push({ id: row.id, schoolId: school.id, enrollmentId: enrollment.id });
      }
    }
  }
  await sql`update activities set status = ${status} where id = ${activity.id}`.execute(fx.db);
  return { activity, sessions, attendance };
}

interface Payload {
  __typename: string;
  code?: string;
  message?: string;
  issues?: Array<{ path: string[]; message: string }>;
  data?: Record<string, unknown>;
}

const errorFields = `... on UserError { code message } ... on ValidationError { issues { path message } }`;

async function confirmSchool(caller: Caller, activityId: number, schoolId?: number, extra = {}) {
  const { data, errors } = await caller<{ confirmSchoolAttendance: Payload }>(
    `mutation($input: ConfirmSchoolAttendanceInput!) { confirmSchoolAttendance(input: $input) {
      __typename ... on MutationConfirmSchoolAttendanceSuccess { data { level revision supersededAt note organization { id } } }
      ${errorFields} } }`,
    {
      input: {
        activityId: g('Activity', activityId),
        ...(schoolId ? { schoolId: g('Organization', schoolId) } : {}),
        ...extra,
      },
    },
  );
  expect(errors).toBeUndefined();
  return data!.confirmSchoolAttendance;
}

async function confirmRoster(caller: Caller, activityId: number, headers = {}) {
  const { data, errors } = await caller<{ confirmRoster: Payload }>(
    `mutation($input: ConfirmRosterInput!) { confirmRoster(input: $input) {
      __typename ... on MutationConfirmRosterSuccess { data {
        confirmation { level revision organization { id } }
        activity { status }
        crediting { evaluated completed notCompleted awardsWritten awardsAlreadyPresent }
      } }
      ${errorFields} } }`,
    { input: { activityId: g('Activity', activityId) } },
    headers,
  );
  expect(errors).toBeUndefined();
  return data!.confirmRoster;
}

async function amend(
  caller: Caller,
  attendanceId: number,
  input: Record<string, unknown> = { status: 'ABSENT', minutes: 0, reason: '签到表误记，实际缺勤' },
) {
  const { data, errors } = await caller<{ amendAttendance: Payload }>(
    `mutation($input: AmendAttendanceInput!) { amendAttendance(input: $input) {
      __typename ... on MutationAmendAttendanceSuccess { data {
        reason statusBefore minutesBefore statusAfter minutesAfter
        attendance { status minutes }
        supersededConfirmations { level revision supersededAt }
      } }
      ${errorFields} } }`,
    { input: { attendanceId: g('Attendance', attendanceId), ...input } },
  );
  return { payload: data?.amendAttendance, errors };
}

async function chain(activityId: number) {
  return fx.db
    .selectFrom('confirmations')
    .select(['level', 'organization_id', 'revision', 'superseded_at'])
    .where('activity_id', '=', activityId)
    .orderBy('id')
    .execute();
}

async function auditCount(action: string, entityId?: number) {
  let query = fx.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', action);
  if (entityId !== undefined) query = query.where('entity_id', '=', String(entityId));
  return Number((await query.executeTakeFirstOrThrow()).n);
}

describe('confirmSchoolAttendance', () => {
  it('lets a school confirm its own teachers once per revision, audited', async () => {
    const { activity } = await roster('in_progress', [world.school, otherSchool]);
    const before = await auditCount('confirmation.school');
    const first = await confirmSchool(schoolAdmin, activity.id, undefined, { note: ' 属实 ' });
    expect(first.__typename).toBe('MutationConfirmSchoolAttendanceSuccess');
    expect(first.data).toMatchObject({
      level: 'SCHOOL',
      revision: 1,
      supersededAt: null,
      note: '属实',
      organization: { id: g('Organization', world.school.id) },
    });
    const again = await confirmSchool(schoolAdmin, activity.id);
    expect(again).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(again.message).toMatch(/already confirmed/);
    expect(await auditCount('confirmation.school')).toBe(before + 1);
    expect(await chain(activity.id)).toHaveLength(1);
  });

  it('refuses to confirm for another school, and a school without participants', async () => {
    const { activity } = await roster('closed', [world.school]);
    const forOther = await confirmSchool(otherSchoolAdmin, activity.id, world.school.id);
    expect(forOther.__typename).toBe('ForbiddenError');
    const own = await confirmSchool(otherSchoolAdmin, activity.id, otherSchool.id);
    // The other school has no teacher on this roster, so it does not even see the activity.
    expect(['NotFoundError', 'ConflictError']).toContain(own.__typename);
    expect(await chain(activity.id)).toHaveLength(0);
  });

  it('refuses before the activity runs, naming the status, in Chinese when asked', async () => {
    const { activity } = await roster('open', [world.school]);
    const { data } = await schoolAdmin<{ confirmSchoolAttendance: Payload }>(
      `mutation($input: ConfirmSchoolAttendanceInput!) { confirmSchoolAttendance(input: $input) { __typename ${errorFields} } }`,
      { input: { activityId: g('Activity', activity.id) } },
      { 'accept-language': 'zh-CN' },
    );
    expect(data!.confirmSchoolAttendance.__typename).toBe('ConflictError');
    expect(data!.confirmSchoolAttendance.message).toContain('报名中');
  });

  it('answers bad input with the field path and changes nothing', async () => {
    const { activity } = await roster('closed', [world.school]);
    const bad = await confirmSchool(schoolAdmin, activity.id, undefined, {
      activityId: 'not-an-id',
      note: '长'.repeat(1001),
    });
    expect(bad.__typename).toBe('ValidationError');
    expect(bad.issues!.map((i) => i.path.join('.')).sort()).toEqual([
      'input.activityId',
      'input.note',
    ]);
    expect(await chain(activity.id)).toHaveLength(0);
  });

  it('is not open to teachers', async () => {
    const { activity } = await roster('closed', [world.school]);
    const { data, errors } = await teacherCaller(
      `mutation($input: ConfirmSchoolAttendanceInput!) { confirmSchoolAttendance(input: $input) { __typename } }`,
      { input: { activityId: g('Activity', activity.id) } },
    );
    expect(data?.confirmSchoolAttendance ?? null).toBeNull();
    expect(errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});

describe('confirmRoster: the chain order', () => {
  it('waits for every school with participants, listing the missing ones', async () => {
    const { activity } = await roster('closed', [world.school, otherSchool]);
    await confirmSchool(schoolAdmin, activity.id);
    const early = await confirmRoster(office, activity.id);
    expect(early.__typename).toBe('ConflictError');
    const name = (
      await fx.db
        .selectFrom('organizations')
        .select('name')
        .where('id', '=', otherSchool.id)
        .executeTakeFirstOrThrow()
    ).name;
    expect(early.message).toContain(name);
    const zh = await confirmRoster(office, activity.id, { 'accept-language': 'zh-CN' });
    expect(zh.message).toContain(`尚未确认本校教师的出勤：${name}`);

    await confirmSchool(otherSchoolAdmin, activity.id);
    const done = await confirmRoster(office, activity.id);
    expect(done.__typename).toBe('MutationConfirmRosterSuccess');
    expect(done.data).toMatchObject({
      confirmation: {
        level: 'OFFICE',
        revision: 1,
        organization: { id: g('Organization', world.office.id) },
      },
      activity: { status: 'CREDITED' },
      crediting: { evaluated: 4, completed: 4, awardsWritten: 4 },
    });
    const again = await confirmRoster(office, activity.id);
    expect(again.__typename).toBe('ConflictError');
    expect(again.message).toMatch(/already confirmed/);
  });

  it('needs the activity closed', async () => {
    const { activity } = await roster('in_progress', [world.school]);
    await confirmSchool(schoolAdmin, activity.id);
    expect((await confirmRoster(office, activity.id)).__typename).toBe('ConflictError');
    expect((await chain(activity.id)).filter((l) => l.level === 'office')).toHaveLength(0);
  });

  it('is the office of the region’s: another district’s office does not see the activity', async () => {
    const { activity } = await roster('closed', [world.school]);
    await confirmSchool(schoolAdmin, activity.id);
    expect((await confirmRoster(otherOffice, activity.id)).__typename).toBe('NotFoundError');
  });

  it('shows the chain on the activity in the order it was signed', async () => {
    const { activity } = await roster('closed', [world.school]);
    await confirmSchool(schoolAdmin, activity.id);
    await confirmRoster(office, activity.id);
    const { data } = await institution<{
      node: { confirmations: Array<{ level: string; revision: number }> };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Activity { confirmations { level revision } } } }`,
      {
        id: g('Activity', activity.id),
      },
    );
    expect(data!.node.confirmations).toEqual([
      { level: 'SCHOOL', revision: 1 },
      { level: 'OFFICE', revision: 1 },
    ]);
  });
});

describe('amendAttendance', () => {
  it('is refused before any confirmation: attendance is recorded the ordinary way then', async () => {
    const { attendance } = await roster('closed', [world.school]);
    const { payload } = await amend(schoolAdmin, attendance[0]!.id);
    expect(payload!.__typename).toBe('ConflictError');
    expect(
      Number(
        (
          await fx.db
            .selectFrom('attendance_amendments')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('attendance_id', '=', attendance[0]!.id)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(0);
  });

  it("supersedes the school's and the office's links, not other schools'; the chain confirms again with revision 2", async () => {
    const { activity, attendance } = await roster('closed', [world.school, otherSchool]);
    await confirmSchool(schoolAdmin, activity.id);
    await confirmSchool(otherSchoolAdmin, activity.id);
    await confirmRoster(office, activity.id);
    const row = attendance.find((a) => a.schoolId === world.school.id)!;
    const supersededBefore = await auditCount('confirmation.superseded');

    const { payload } = await amend(schoolAdmin, row.id);
    expect(payload!.__typename).toBe('MutationAmendAttendanceSuccess');
    expect(payload!.data).toMatchObject({
      reason: '签到表误记，实际缺勤',
      statusBefore: 'PRESENT',
      minutesBefore: 120,
      statusAfter: 'ABSENT',
      minutesAfter: 0,
      attendance: { status: 'ABSENT', minutes: 0 },
    });
    const superseded = payload!.data!.supersededConfirmations as Array<{ level: string }>;
    expect(superseded.map((l) => l.level).sort()).toEqual(['OFFICE', 'SCHOOL']);

    const links = await chain(activity.id);
    const standing = links.filter((l) => l.superseded_at === null);
    expect(standing).toEqual([
      expect.objectContaining({ level: 'school', organization_id: otherSchool.id, revision: 1 }),
    ]);
    const stored = await fx.db
      .selectFrom('attendance_amendments')
      .selectAll()
      .where('attendance_id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(stored.before).toEqual({ status: 'present', minutes: 120 });
    expect(stored.after).toEqual({ status: 'absent', minutes: 0 });
    expect(await auditCount('attendance.amended', row.id)).toBe(1);
    expect(await auditCount('confirmation.superseded')).toBe(supersededBefore + 2);

    // The office cannot confirm until the amended school confirms again.
    expect((await confirmRoster(office, activity.id)).__typename).toBe('ConflictError');
    const school2 = await confirmSchool(schoolAdmin, activity.id);
    expect(school2.data).toMatchObject({ revision: 2 });
    const office2 = await confirmRoster(office, activity.id);
    expect(office2.data).toMatchObject({ confirmation: { revision: 2 } });
  });

  it('lets the provider and a trainer of the session correct, with a reason, and refuses empty changes', async () => {
    const { activity, attendance, sessions } = await roster('closed', [world.school]);
    await confirmSchool(schoolAdmin, activity.id);
    const first = attendance.find((a) => a.id)!;
    const trainerRow = await fx.db
      .selectFrom('attendance')
      .select('id')
      .where('session_id', '=', sessions[0]!.id)
      .executeTakeFirstOrThrow();

    const byTrainer = await amend(trainerCaller, trainerRow.id, {
      status: 'LATE',
      minutes: 100,
      reason: '迟到20分钟',
    });
    expect(byTrainer.payload!.__typename).toBe('MutationAmendAttendanceSuccess');

    const missingReason = await amend(institution, first.id, {
      status: 'EXCUSED',
      minutes: 0,
      reason: '   ',
    });
    expect(missingReason.payload!.__typename).toBe('ValidationError');
    expect(missingReason.payload!.issues![0]!.path).toEqual(['input', 'reason']);

    const badMinutes = await amend(institution, first.id, {
      status: 'EXCUSED',
      minutes: 1441,
      reason: '请假',
    });
    expect(badMinutes.payload!.issues!.map((i) => i.path.join('.'))).toEqual(['input.minutes']);

    const current = await fx.db
      .selectFrom('attendance')
      .select(['status', 'minutes'])
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow();
    const same = await amend(institution, first.id, {
      status: current.status.toUpperCase(),
      minutes: current.minutes,
      reason: '无变化',
    });
    expect(same.payload!.__typename).toBe('ValidationError');

    const byProvider = await amend(institution, first.id, {
      status: 'EXCUSED',
      minutes: 0,
      reason: '病假，已补交证明',
    });
    expect(byProvider.payload!.__typename).toBe('MutationAmendAttendanceSuccess');
    // Two amendments before the chain confirms again: the second supersedes nothing more.
    expect(byProvider.payload!.data!.supersededConfirmations).toEqual([]);
  });

  it('refuses a trainer who does not teach the session, and teachers altogether', async () => {
    const { activity, attendance, sessions } = await roster('closed', [world.school]);
    await confirmSchool(schoolAdmin, activity.id);
    const notTaught = await fx.db
      .selectFrom('attendance')
      .select('id')
      .where('session_id', '=', sessions[1]!.id)
      .executeTakeFirstOrThrow();
    const byTrainer = await amend(trainerCaller, notTaught.id);
    expect(['ForbiddenError', 'NotFoundError']).toContain(byTrainer.payload!.__typename);
    const byTeacher = await amend(teacherCaller, attendance[0]!.id);
    expect(byTeacher.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(
      (await chain(activity.id)).every((l) => l.superseded_at === null),
      'nothing superseded',
    ).toBe(true);
  });
});
