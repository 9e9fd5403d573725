import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * Issue 4 point 4: the trainer's roster and the teacher's self check-in, through the real
 * server, with the locks of point 5 (confirmed records refuse writes).
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
type Caller = Awaited<ReturnType<typeof server.as>>;
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

const callers = {} as Record<
  | 'trainer'
  | 'otherTrainer'
  | 'institution'
  | 'school'
  | 'providingSchool'
  | 'office'
  | 'teacher'
  | 'teacher2'
  | 'teacherB'
  | 'outsider'
  | 'rejected',
  Caller
>;

/** Database ids of everything the tests use. */
const ids = {} as {
  running: number;
  taught: number;
  untaught: number;
  e1: number;
  e2: number;
  eB: number;
  eRejected: number;
  eWithdrawn: number;
  closedSession: number;
  closedEnrollment: number;
  schoolBased: number;
  schoolBasedEnrollment: number;
  confirmed: number;
  confirmedSession: number;
  cA: number;
  cB: number;
  otherActivityEnrollment: number;
  live: number;
  liveNow: number;
  liveLate: number;
  liveTomorrow: number;
  liveE2: number;
  nationalIdA: string;
  nationalIdB: string;
};

const record = /* GraphQL */ `
  mutation ($input: RecordAttendanceInput!) {
    recordAttendance(input: $input) {
      __typename
      ... on MutationRecordAttendanceSuccess {
        data {
          id
          status
          minutes
          source
          enrollment {
            id
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

/** A mutation's union: its success payload or one of the typed errors. */
interface Outcome<D> {
  __typename: string;
  data?: D;
  code?: string;
  message?: string;
  issues?: Array<{ path: string[]; message: string }>;
}
interface RecordResult {
  recordAttendance: Outcome<
    Array<{
      id: string;
      status: string;
      minutes: number;
      source: string;
      enrollment: { id: string };
    }>
  > | null;
}

const entry = (enrollmentId: number, status: string, minutes: number) => ({
  enrollmentId: g('Enrollment', enrollmentId),
  status,
  minutes,
});

async function rowsOf(sessionId: number) {
  return database.db
    .selectFrom('attendance')
    .select(['enrollment_id', 'status', 'minutes', 'source', 'recorded_by'])
    .where('session_id', '=', sessionId)
    .orderBy('enrollment_id')
    .execute();
}

async function auditCount(action: string) {
  const row = await database.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('action', '=', action)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  const fx = new Fixtures(db);
  const world = await fx.world();
  const schoolB = await fx.organization('school', { id: world.district.id });
  const otherInstitution = await fx.organization('training_institution', {
    id: world.district.id,
  });
  const setStatus = (id: number, status: string) =>
    sql`update activities set status = ${status} where id = ${id}`.execute(db);
  const teach = (sessionId: number, trainerId: number) =>
    db
      .insertInto('session_trainers')
      .values({ session_id: sessionId, trainer_id: trainerId })
      .execute();

  const teacher = world.teacher;
  const teacher2 = await fx.teacher(world.school);
  const teacherB = await fx.teacher(schoolB);
  const outsider = await fx.teacher(world.school);
  const rejectedTeacher = await fx.teacher(world.school);
  const withdrawnTeacher = await fx.teacher(world.school);
  ids.nationalIdA = teacher.national_id;
  ids.nationalIdB = teacherB.national_id;
  const trainer = await fx.trainer(world.institution);
  const otherTrainer = await fx.trainer(world.institution);

  // A running activity: session 1 (3 hours) taught by the trainer, session 2 not.
  const running = await fx.activity(world.institution);
  await setStatus(running.id, 'in_progress');
  ids.running = running.id;
  ids.taught = (
    await fx.session(running, {
      sequence: 1,
      hours: 3,
      starts_at: '2026-03-01T01:00:00Z',
      ends_at: '2026-03-01T04:00:00Z',
    })
  ).id;
  ids.untaught = (await fx.session(running, { sequence: 2 })).id;
  await teach(ids.taught, trainer.id);
  ids.e1 = (await fx.enrollment(running, teacher)).id;
  ids.e2 = (await fx.enrollment(running, teacher2)).id;
  ids.eB = (await fx.enrollment(running, teacherB)).id;
  ids.eRejected = (await fx.enrollment(running, rejectedTeacher)).id;
  await db
    .updateTable('enrollments')
    .set({ status: 'eligibility_rejected', rejection_reason: '不符合学段要求' })
    .where('id', '=', ids.eRejected)
    .execute();
  ids.eWithdrawn = (await fx.enrollment(running, withdrawnTeacher)).id;
  await db
    .updateTable('enrollments')
    .set({ status: 'withdrawn' })
    .where('id', '=', ids.eWithdrawn)
    .execute();

  const elsewhere = await fx.activity(otherInstitution);
  await setStatus(elsewhere.id, 'in_progress');
  ids.otherActivityEnrollment = (await fx.enrollment(elsewhere, teacher)).id;

  const closed = await fx.activity(world.institution);
  await setStatus(closed.id, 'closed');
  ids.closedSession = (await fx.session(closed, { sequence: 1 })).id;
  await teach(ids.closedSession, trainer.id);
  ids.closedEnrollment = (await fx.enrollment(closed, teacher)).id;

  const schoolBased = await fx.activity(world.school, { deliveryMode: 'school_based' });
  await setStatus(schoolBased.id, 'open');
  ids.schoolBased = (await fx.session(schoolBased, { sequence: 1 })).id;
  ids.schoolBasedEnrollment = (await fx.enrollment(schoolBased, teacher2)).id;

  const confirmed = await fx.activity(world.institution);
  await setStatus(confirmed.id, 'in_progress');
  ids.confirmed = confirmed.id;
  ids.confirmedSession = (await fx.session(confirmed, { sequence: 1 })).id;
  ids.cA = (await fx.enrollment(confirmed, teacher)).id;
  ids.cB = (await fx.enrollment(confirmed, teacherB)).id;

  // Check-in: sessions around the real clock.
  const now = Date.now();
  const iso = (offsetMinutes: number) => new Date(now + offsetMinutes * 60_000).toISOString();
  const live = await fx.activity(world.institution);
  await setStatus(live.id, 'in_progress');
  ids.live = live.id;
  ids.liveNow = (
    await fx.session(live, { sequence: 1, starts_at: iso(-5), ends_at: iso(115), hours: 2 })
  ).id;
  ids.liveLate = (
    await fx.session(live, { sequence: 2, starts_at: iso(-40), ends_at: iso(80), hours: 2 })
  ).id;
  ids.liveTomorrow = (
    await fx.session(live, {
      sequence: 3,
      starts_at: iso(24 * 60),
      ends_at: iso(25 * 60),
      hours: 1,
    })
  ).id;
  for (const id of [ids.liveNow, ids.liveLate, ids.liveTomorrow]) await teach(id, trainer.id);
  await fx.enrollment(live, teacher);
  ids.liveE2 = (await fx.enrollment(live, teacher2)).id;
  await fx.enrollment(live, teacherB);
  const liveRejected = await fx.enrollment(live, rejectedTeacher);
  await db
    .updateTable('enrollments')
    .set({ status: 'eligibility_rejected', rejection_reason: '名额已满' })
    .where('id', '=', liveRejected.id)
    .execute();
  // School B signed its teachers' attendance of the live activity: teacher B is locked there.
  await db
    .insertInto('confirmations')
    .values({ activity_id: live.id, level: 'school', organization_id: schoolB.id })
    .execute();

  server = await startTestServer(database);
  callers.trainer = await server.as(
    await fx.account('trainer', world.institution, { trainerId: trainer.id }),
  );
  callers.otherTrainer = await server.as(
    await fx.account('trainer', world.institution, { trainerId: otherTrainer.id }),
  );
  callers.institution = await server.as(await fx.account('institution_admin', world.institution));
  callers.school = await server.as(await fx.account('school_admin', schoolB));
  callers.providingSchool = await server.as(await fx.account('school_admin', world.school));
  callers.office = await server.as(await fx.account('office_officer', world.office));
  callers.teacher = await server.as(
    await fx.account('teacher', world.school, { teacherId: teacher.id }),
  );
  callers.teacher2 = await server.as(
    await fx.account('teacher', world.school, { teacherId: teacher2.id }),
  );
  callers.teacherB = await server.as(
    await fx.account('teacher', schoolB, { teacherId: teacherB.id }),
  );
  callers.outsider = await server.as(
    await fx.account('teacher', world.school, { teacherId: outsider.id }),
  );
  callers.rejected = await server.as(
    await fx.account('teacher', world.school, { teacherId: rejectedTeacher.id }),
  );
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

/** The roster the first test records, and the last describe block records when run alone. */
const taughtRoster = () => ({
  sessionId: g('Session', ids.taught),
  entries: [entry(ids.e2, 'LATE', 150), entry(ids.e1, 'PRESENT', 180), entry(ids.eB, 'ABSENT', 0)],
});

describe('recordAttendance', () => {
  it('records a whole roster at once with one audit entry', async () => {
    const { data, errors } = await callers.trainer<RecordResult>(record, {
      input: taughtRoster(),
    });
    expect(errors).toBeUndefined();
    const payload = data!.recordAttendance!;
    expect(payload.__typename).toBe('MutationRecordAttendanceSuccess');
    // Answered in the order sent.
    expect(payload.data!.map((a) => [a.enrollment.id, a.status, a.minutes, a.source])).toEqual([
      [g('Enrollment', ids.e2), 'LATE', 150, 'TRAINER'],
      [g('Enrollment', ids.e1), 'PRESENT', 180, 'TRAINER'],
      [g('Enrollment', ids.eB), 'ABSENT', 0, 'TRAINER'],
    ]);
    const rows = await rowsOf(ids.taught);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.source === 'trainer' && r.recorded_by !== null)).toBe(true);
    const audit = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'attendance.recorded')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entity_type: 'session', entity_id: String(ids.taught) });
    expect(audit[0]!.before).toEqual([]);
    expect(audit[0]!.after).toHaveLength(3);
  });

  it('replaces earlier records and audits them as before', async () => {
    const { data } = await callers.institution<RecordResult>(record, {
      input: { sessionId: g('Session', ids.taught), entries: [entry(ids.e1, 'EXCUSED', 0)] },
    });
    expect(data!.recordAttendance!.__typename).toBe('MutationRecordAttendanceSuccess');
    const rows = await rowsOf(ids.taught);
    expect(rows.find((r) => r.enrollment_id === ids.e1)).toMatchObject({
      status: 'excused',
      minutes: 0,
    });
    expect(rows).toHaveLength(3);
    const [last] = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'attendance.recorded')
      .orderBy('id', 'desc')
      .limit(1)
      .execute();
    expect(last!.before).toEqual([
      expect.objectContaining({ enrollmentId: ids.e1, status: 'present', minutes: 180 }),
    ]);
    expect(last!.after).toEqual([
      expect.objectContaining({ enrollmentId: ids.e1, status: 'excused', minutes: 0 }),
    ]);
  });

  it('refuses a bad roster naming every entry, in both languages, and changes nothing', async () => {
    const before = await rowsOf(ids.taught);
    const input = {
      sessionId: g('Session', ids.taught),
      entries: [
        entry(ids.e1, 'PRESENT', 60),
        entry(ids.e2, 'PRESENT', 181),
        entry(ids.otherActivityEnrollment, 'PRESENT', 60),
        entry(ids.eRejected, 'PRESENT', 60),
        entry(ids.eWithdrawn, 'ABSENT', 0),
        entry(ids.e1, 'LATE', -1),
        { enrollmentId: 'not-an-id', status: 'PRESENT', minutes: 10 },
      ],
    };
    const { data } = await callers.trainer<RecordResult>(record, { input });
    const payload = data!.recordAttendance!;
    expect(payload.__typename).toBe('ValidationError');
    // The undecodable ID is reported before anything is looked up.
    expect(payload.issues!.map((i) => i.path)).toEqual([['input', 'entries', '6', 'enrollmentId']]);
    input.entries.pop();
    const second = (
      await callers.trainer<RecordResult>(record, { input }, { 'accept-language': 'zh-CN' })
    ).data!.recordAttendance!;
    expect(second.__typename).toBe('ValidationError');
    expect(second.issues!.map((i) => i.path.join('.'))).toEqual([
      'input.entries.1.minutes',
      'input.entries.2.enrollmentId',
      'input.entries.3.enrollmentId',
      'input.entries.4.enrollmentId',
      'input.entries.5.enrollmentId',
      'input.entries.5.minutes',
    ]);
    expect(second.issues![0]!.message).toBe('必须是 0 至 180 的整数（课次时长）');
    expect(second.message).toContain('输入有误');
    expect(await rowsOf(ids.taught)).toEqual(before);
  });

  it('refuses an empty roster and a malformed session ID', async () => {
    const { data } = await callers.trainer<RecordResult>(record, {
      input: { sessionId: g('Activity', ids.running), entries: [] },
    });
    expect(data!.recordAttendance!.issues!.map((i) => i.path.join('.'))).toEqual([
      'input.sessionId',
      'input.entries',
    ]);
  });

  it.each([
    ['a trainer of another session', 'trainer', () => ids.untaught, 'NotFoundError'],
    ['a trainer who teaches nothing here', 'otherTrainer', () => ids.taught, 'NotFoundError'],
    [
      'the admin of a school that does not provide it',
      'school',
      () => ids.taught,
      'ForbiddenError',
    ],
  ] as const)('refuses %s', async (_name, who, session, typename) => {
    const before = await rowsOf(session());
    const { data } = await callers[who]<RecordResult>(record, {
      input: { sessionId: g('Session', session()), entries: [entry(ids.eB, 'PRESENT', 60)] },
    });
    expect(data!.recordAttendance!.__typename).toBe(typename);
    expect(await rowsOf(session())).toEqual(before);
  });

  it.each(['teacher', 'office'] as const)('refuses the %s at the schema (scope)', async (who) => {
    const { data, errors } = await callers[who]<RecordResult>(record, {
      input: { sessionId: g('Session', ids.taught), entries: [entry(ids.e1, 'PRESENT', 60)] },
    });
    expect(data?.recordAttendance ?? null).toBeNull();
    expect(errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('lets the provider’s admins record any session, a school admin for the school-based activity', async () => {
    const byInstitution = await callers.institution<RecordResult>(record, {
      input: { sessionId: g('Session', ids.untaught), entries: [entry(ids.e1, 'PRESENT', 360)] },
    });
    expect(byInstitution.data!.recordAttendance!.__typename).toBe(
      'MutationRecordAttendanceSuccess',
    );
    const bySchool = await callers.providingSchool<RecordResult>(record, {
      input: {
        sessionId: g('Session', ids.schoolBased),
        entries: [entry(ids.schoolBasedEnrollment, 'LATE', 300)],
      },
    });
    expect(bySchool.data!.recordAttendance!.__typename).toBe('MutationRecordAttendanceSuccess');
  });

  it('refuses a closed activity as a conflict', async () => {
    const { data } = await callers.trainer<RecordResult>(record, {
      input: {
        sessionId: g('Session', ids.closedSession),
        entries: [entry(ids.closedEnrollment, 'PRESENT', 60)],
      },
    });
    expect(data!.recordAttendance).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(data!.recordAttendance!.message).toContain('closed');
    expect(await rowsOf(ids.closedSession)).toEqual([]);
  });

  it('refuses confirmed records, naming them, and only current confirmations lock', async () => {
    const db = database.db;
    const session = g('Session', ids.confirmedSession);
    const school = await db
      .selectFrom('enrollments')
      .select('school_id')
      .where('id', '=', ids.cA)
      .executeTakeFirstOrThrow();
    // A superseded confirmation locks nothing.
    await db
      .insertInto('confirmations')
      .values({
        activity_id: ids.confirmed,
        level: 'school',
        organization_id: school.school_id,
        superseded_at: new Date(),
      })
      .execute();
    const free = await callers.institution<RecordResult>(record, {
      input: { sessionId: session, entries: [entry(ids.cA, 'PRESENT', 60)] },
    });
    expect(free.data!.recordAttendance!.__typename).toBe('MutationRecordAttendanceSuccess');

    await db
      .insertInto('confirmations')
      .values({
        activity_id: ids.confirmed,
        level: 'school',
        organization_id: school.school_id,
        revision: 2,
      })
      .execute();
    const before = await rowsOf(ids.confirmedSession);
    const locked = await callers.institution<RecordResult>(record, {
      input: {
        sessionId: session,
        entries: [entry(ids.cB, 'PRESENT', 60), entry(ids.cA, 'ABSENT', 0)],
      },
    });
    expect(locked.data!.recordAttendance).toMatchObject({
      __typename: 'ConflictError',
      code: 'CONFLICT',
    });
    expect(locked.data!.recordAttendance!.message).toContain(`#2 ${ids.nationalIdA}`);
    expect(locked.data!.recordAttendance!.message).not.toContain(ids.nationalIdB);
    expect(await rowsOf(ids.confirmedSession)).toEqual(before);

    // The other school's teacher is still open — until the office confirms the whole roster.
    const other = await callers.institution<RecordResult>(record, {
      input: { sessionId: session, entries: [entry(ids.cB, 'PRESENT', 60)] },
    });
    expect(other.data!.recordAttendance!.__typename).toBe('MutationRecordAttendanceSuccess');
    const office = await db
      .selectFrom('organizations')
      .select('id')
      .where('kind', '=', 'education_office')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('confirmations')
      .values({ activity_id: ids.confirmed, level: 'office', organization_id: office.id })
      .execute();
    const afterOffice = await callers.institution<RecordResult>(record, {
      input: { sessionId: session, entries: [entry(ids.cB, 'ABSENT', 0)] },
    });
    expect(afterOffice.data!.recordAttendance!.__typename).toBe('ConflictError');
    expect(afterOffice.data!.recordAttendance!.message).toContain(ids.nationalIdB);
  });
});

const codeQuery = /* GraphQL */ `
  query ($id: ID!) {
    node(id: $id) {
      ... on Session {
        checkinCode {
          code
          validUntil
          opensAt
          closesAt
          qrText
          qrCodeSvg
        }
      }
    }
  }
`;
interface CodeResult {
  node: {
    checkinCode: {
      code: string;
      validUntil: string;
      opensAt: string;
      closesAt: string;
      qrText: string;
      qrCodeSvg: string;
    } | null;
  } | null;
}

const checkIn = /* GraphQL */ `
  mutation ($input: CheckInInput!) {
    checkIn(input: $input) {
      __typename
      ... on MutationCheckInSuccess {
        data {
          id
          status
          minutes
          source
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
interface CheckInResult {
  checkIn: Outcome<{ id: string; status: string; minutes: number; source: string }> | null;
}

async function codeOf(sessionId: number): Promise<string> {
  const { data, errors } = await callers.trainer<CodeResult>(codeQuery, {
    id: g('Session', sessionId),
  });
  expect(errors).toBeUndefined();
  return data!.node!.checkinCode!.code;
}

describe('check-in', () => {
  it('shows the trainer the current code with its QR code', async () => {
    const { data } = await callers.trainer<CodeResult>(codeQuery, {
      id: g('Session', ids.liveNow),
    });
    const view = data!.node!.checkinCode!;
    expect(view.code).toMatch(/^[23456789A-HJ-NP-Z]{6}$/);
    expect(new Date(view.validUntil).getTime()).toBeGreaterThan(Date.now() - 1000);
    expect(new Date(view.validUntil).getTime()).toBeLessThanOrEqual(Date.now() + 61_000);
    expect(view.qrText).toContain(view.code);
    expect(view.qrText).toContain(encodeURIComponent(g('Session', ids.liveNow)));
    expect(view.qrCodeSvg).toMatch(/<svg[\s\S]*<\/svg>/);
    expect(new Date(view.closesAt).getTime() - new Date(view.opensAt).getTime()).toBe(150 * 60_000);
  });

  it('shows the code to the provider, and to nobody else', async () => {
    const institution = await callers.institution<CodeResult>(codeQuery, {
      id: g('Session', ids.liveNow),
    });
    expect(institution.data!.node!.checkinCode!.code).toMatch(/^\w{6}$/);
    const school = await callers.school<CodeResult>(codeQuery, { id: g('Session', ids.liveNow) });
    expect(school.data!.node!.checkinCode).toBeNull();
    const teacher = await callers.teacher<CodeResult>(codeQuery, { id: g('Session', ids.liveNow) });
    expect(teacher.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    expect(teacher.data?.node?.checkinCode ?? null).toBeNull();
  });

  it('checks a teacher in as present with the whole session, once', async () => {
    const code = await codeOf(ids.liveNow);
    // Typed on a phone: lower case with a dash.
    const typed = `${code.slice(0, 3)}-${code.slice(3)}`.toLowerCase();
    const first = await callers.teacher<CheckInResult>(checkIn, {
      input: { sessionId: g('Session', ids.liveNow), code: typed },
    });
    expect(first.errors).toBeUndefined();
    expect(first.data!.checkIn!).toMatchObject({
      __typename: 'MutationCheckInSuccess',
      data: { status: 'PRESENT', minutes: 120, source: 'SIGN_IN' },
    });
    const audits = await auditCount('attendance.checked_in');
    const again = await callers.teacher<CheckInResult>(checkIn, {
      input: { sessionId: g('Session', ids.liveNow), code: await codeOf(ids.liveNow) },
    });
    expect(again.data!.checkIn!.data!.id).toBe(first.data!.checkIn!.data!.id);
    expect(await auditCount('attendance.checked_in')).toBe(audits);
  });

  it('writes one record under concurrent taps', async () => {
    const code = await codeOf(ids.liveNow);
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        callers.teacher2<CheckInResult>(checkIn, {
          input: { sessionId: g('Session', ids.liveNow), code },
        }),
      ),
    );
    const idsSeen = new Set(results.map((r) => r.data!.checkIn!.data?.id));
    expect(idsSeen.size).toBe(1);
    expect([...idsSeen][0]).toBeTruthy();
    const rows = await database.db
      .selectFrom('attendance')
      .selectAll()
      .where('session_id', '=', ids.liveNow)
      .where('source', '=', 'sign_in')
      .execute();
    expect(rows).toHaveLength(2);
  });

  it('records late with the minutes left after the allowance', async () => {
    const code = await codeOf(ids.liveLate);
    const { data } = await callers.teacher<CheckInResult>(checkIn, {
      input: { sessionId: g('Session', ids.liveLate), code },
    });
    expect(data!.checkIn!.data!.status).toBe('LATE');
    // The session ends 80 minutes from the fixture's clock; a few seconds have passed since.
    expect(data!.checkIn!.data!.minutes).toBeGreaterThanOrEqual(78);
    expect(data!.checkIn!.data!.minutes).toBeLessThanOrEqual(80);
  });

  it('refuses a wrong code as bad input, in Chinese when asked', async () => {
    const { data } = await callers.teacher2<CheckInResult>(
      checkIn,
      { input: { sessionId: g('Session', ids.liveLate), code: '222222' } },
      { 'accept-language': 'zh-CN' },
    );
    expect(data!.checkIn!.__typename).toBe('ValidationError');
    expect(data!.checkIn!.issues).toEqual([
      { path: ['input', 'code'], message: '签到码不正确或已过期，请输入屏幕上当前显示的签到码。' },
    ]);
  });

  it('answers with the trainer’s record instead of overwriting it', async () => {
    const recorded = await callers.trainer<RecordResult>(record, {
      input: { sessionId: g('Session', ids.liveLate), entries: [entry(ids.liveE2, 'ABSENT', 0)] },
    });
    expect(recorded.data!.recordAttendance!.__typename).toBe('MutationRecordAttendanceSuccess');
    const audits = await auditCount('attendance.checked_in');
    const { data } = await callers.teacher2<CheckInResult>(checkIn, {
      input: { sessionId: g('Session', ids.liveLate), code: await codeOf(ids.liveLate) },
    });
    expect(data!.checkIn!.data).toMatchObject({ status: 'ABSENT', minutes: 0, source: 'TRAINER' });
    expect(await auditCount('attendance.checked_in')).toBe(audits);
  });

  it('refuses outside the session window even with the right code', async () => {
    const code = await codeOf(ids.liveTomorrow);
    const { data } = await callers.teacher<CheckInResult>(checkIn, {
      input: { sessionId: g('Session', ids.liveTomorrow), code },
    });
    expect(data!.checkIn!).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(data!.checkIn!.message).toMatch(
      /^Check-in is open from .* to .*; it is not open now\.$/,
    );
  });

  it.each([
    ['a teacher not enrolled', 'outsider', 'ForbiddenError'],
    ['a rejected teacher', 'rejected', 'ForbiddenError'],
    ['a teacher whose school confirmed the roster (locked)', 'teacherB', 'ConflictError'],
  ] as const)('refuses %s', async (_name, who, typename) => {
    const code = await codeOf(ids.liveNow);
    const { data } = await callers[who]<CheckInResult>(checkIn, {
      input: { sessionId: g('Session', ids.liveNow), code },
    });
    expect(data!.checkIn!.__typename).toBe(typename);
    if (who === 'teacherB') expect(data!.checkIn!.message).toContain(ids.nationalIdB);
  });

  it('refuses malformed input without looking anything up', async () => {
    const { data } = await callers.teacher<CheckInResult>(checkIn, {
      input: { sessionId: 'x', code: '   ' },
    });
    expect(data!.checkIn!.issues!.map((i) => i.path.join('.'))).toEqual([
      'input.sessionId',
      'input.code',
    ]);
  });

  it('is for teachers only (scope)', async () => {
    const { errors } = await callers.trainer<CheckInResult>(checkIn, {
      input: { sessionId: g('Session', ids.liveNow), code: 'AAAAAA' },
    });
    expect(errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});

describe('who attended', () => {
  const page = /* GraphQL */ `
    query ($id: ID!) {
      node(id: $id) {
        ... on Session {
          attendance(first: 50) {
            edges {
              node {
                id
                teacher {
                  id
                }
              }
            }
          }
        }
      }
    }
  `;
  const one = /* GraphQL */ `
    query ($id: ID!) {
      node(id: $id) {
        ... on Attendance {
          teacher {
            id
          }
        }
      }
    }
  `;
  beforeAll(async () => {
    // Run alone (-t), the roster tests above have not recorded this session yet.
    const recorded = await rowsOf(ids.taught);
    if (recorded.length > 0) return;
    const { data } = await callers.trainer<RecordResult>(record, {
      input: taughtRoster(),
    });
    expect(data!.recordAttendance!.__typename).toBe('MutationRecordAttendanceSuccess');
  });

  type Page = {
    node: {
      attendance: { edges: Array<{ node: { id: string; teacher: { id: string } | null } }> };
    };
  };

  // The page reads each record's teacher with the record (under the enrollment's visibility);
  // a record read on its own finds it through the enrollment loader. Both must agree, whoever
  // asks: a teacher the caller may not see is null either way.
  it.each([
    'trainer',
    'otherTrainer',
    'institution',
    'school',
    'providingSchool',
    'office',
  ] as const)(
    'names the same teacher on the session’s page as on the record, for %s',
    async (who) => {
      const { data, errors } = await callers[who]<Page>(page, { id: g('Session', ids.taught) });
      expect(errors).toBeUndefined();
      const edges = data?.node?.attendance.edges ?? [];
      // Those who see the session see records; the other trainer sees no session at all.
      if (who !== 'otherTrainer') expect(edges.length).toBeGreaterThan(0);
      for (const { node } of edges) {
        const alone = await callers[who]<{ node: { teacher: { id: string } | null } | null }>(one, {
          id: node.id,
        });
        expect(alone.errors).toBeUndefined();
        expect(node.teacher).toEqual(alone.data!.node!.teacher);
      }
    },
  );

  it('names every participant to the provider, and a school only its own teachers', async () => {
    const teachersSeenBy = async (who: 'institution' | 'school') => {
      const { data } = await callers[who]<Page>(page, { id: g('Session', ids.taught) });
      return data!.node.attendance.edges.map((e) => e.node.teacher !== null);
    };
    const provider = await teachersSeenBy('institution');
    expect(provider.length).toBeGreaterThanOrEqual(3);
    expect(provider.every(Boolean)).toBe(true);
    const school = await teachersSeenBy('school');
    expect(school.length).toBeGreaterThanOrEqual(1);
    expect(school.every(Boolean)).toBe(true);
    expect(school.length).toBeLessThan(provider.length);
  });
});
