import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * Issue 4 point 4: attendance CSV import (preview, all-or-nothing commit, idempotency key) and
 * the online platform's study-minutes feed, through the real server on both engines.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
type Caller = Awaited<ReturnType<typeof server.as>>;
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

let institution: Caller;
let trainer: Caller;
let idleTrainer: Caller;
let office: Caller;
const ids = {} as {
  activity: number;
  closed: number;
  s1: number;
  s2: number;
  day1: number;
  day2: number;
  a1: string;
  a2: string;
  b1: string;
  rejected: string;
  notEnrolled: string;
  e1: number;
};

interface Outcome<D> {
  __typename: string;
  data?: D;
  code?: string;
  message?: string;
  issues?: Array<{ path: string[]; message: string }>;
}
interface Problem {
  code: string;
  line: number | null;
  record: number | null;
  column: string | null;
  message: string;
}
interface PreviewResult {
  previewAttendanceImport: Outcome<{
    rowCount: number;
    validRowCount: number;
    clean: boolean;
    problems: Problem[];
  }> | null;
}
interface ImportView {
  idempotencyKey: string;
  format: string;
  rowCount: number;
  replayed: boolean;
}
interface CommitResult {
  commitAttendanceImport: Outcome<ImportView> | null;
}
interface OnlineResult {
  importOnlineStudy: Outcome<ImportView> | null;
}

const outcomeFields = /* GraphQL */ `
  __typename
  ... on UserError { code message }
  ... on ValidationError { issues { path message } }
`;
const preview = /* GraphQL */ `
  mutation ($input: PreviewAttendanceImportInput!) {
    previewAttendanceImport(input: $input) {
      ${outcomeFields}
      ... on MutationPreviewAttendanceImportSuccess {
        data { rowCount validRowCount clean problems { code line record column message } }
      }
    }
  }
`;
const commit = /* GraphQL */ `
  mutation ($input: CommitAttendanceImportInput!) {
    commitAttendanceImport(input: $input) {
      ${outcomeFields}
      ... on MutationCommitAttendanceImportSuccess { data { idempotencyKey format rowCount replayed } }
    }
  }
`;
const online = /* GraphQL */ `
  mutation ($input: ImportOnlineStudyInput!) {
    importOnlineStudy(input: $input) {
      ${outcomeFields}
      ... on MutationImportOnlineStudySuccess { data { idempotencyKey format rowCount replayed } }
    }
  }
`;

async function counts() {
  const count = async (table: string) => {
    const row = await sql<{
      n: string;
    }>`select count(*)::text as n from ${sql.table(table)}`.execute(database.db);
    return Number(row.rows[0]!.n);
  };
  return {
    attendance: await count('attendance'),
    imports: await count('attendance_imports'),
    audits: await count('audit_log'),
  };
}

async function attendanceOf(nationalId: string, sessionId: number) {
  return database.db
    .selectFrom('attendance')
    .innerJoin('enrollments', 'enrollments.id', 'attendance.enrollment_id')
    .innerJoin('teachers', 'teachers.id', 'enrollments.teacher_id')
    .select([
      'attendance.status',
      'attendance.minutes',
      'attendance.source',
      'attendance.import_id',
    ])
    .where('teachers.national_id', '=', nationalId)
    .where('attendance.session_id', '=', sessionId)
    .executeTakeFirst();
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  const fx = new Fixtures(db);
  const world = await fx.world();
  const schoolB = await fx.organization('school', { id: world.district.id });
  const setStatus = (id: number, status: string) =>
    sql`update activities set status = ${status} where id = ${id}`.execute(db);

  const activity = await fx.activity(world.institution, { deliveryMode: 'blended' });
  await setStatus(activity.id, 'in_progress');
  ids.activity = activity.id;
  // Session 1: 3 hours in person; session 2: 6 hours; 3 and 4: online day blocks (UTC+8 days).
  ids.s1 = (
    await fx.session(activity, {
      sequence: 1,
      starts_at: '2026-03-01T01:00:00Z',
      ends_at: '2026-03-01T04:00:00Z',
      hours: 3,
    })
  ).id;
  ids.s2 = (await fx.session(activity, { sequence: 2 })).id;
  const block = (sequence: number, day: string) =>
    db
      .insertInto('sessions')
      .values({
        activity_id: activity.id,
        sequence,
        title: `线上学习 ${day}`,
        mode: 'online',
        starts_at: `${day}T00:00:00+08:00`,
        ends_at: `${day}T23:59:00+08:00`,
        hours: 1,
        online_min_minutes: 60,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  ids.day1 = (await block(3, '2026-03-02')).id;
  ids.day2 = (await block(4, '2026-03-03')).id;

  const a1 = world.teacher;
  const a2 = await fx.teacher(world.school);
  const b1 = await fx.teacher(schoolB);
  const rejected = await fx.teacher(world.school);
  const notEnrolled = await fx.teacher(world.school);
  ids.a1 = a1.national_id;
  ids.a2 = a2.national_id;
  ids.b1 = b1.national_id;
  ids.rejected = rejected.national_id;
  ids.notEnrolled = notEnrolled.national_id;
  ids.e1 = (await fx.enrollment(activity, a1)).id;
  await fx.enrollment(activity, a2);
  await fx.enrollment(activity, b1);
  const r = await fx.enrollment(activity, rejected);
  await db
    .updateTable('enrollments')
    .set({ status: 'eligibility_rejected', rejection_reason: '不符合条件' })
    .where('id', '=', r.id)
    .execute();

  const closed = await fx.activity(world.institution);
  await setStatus(closed.id, 'closed');
  ids.closed = closed.id;
  await fx.session(closed, { sequence: 1 });
  await fx.enrollment(closed, a1);

  const teaching = await fx.trainer(world.institution);
  const idle = await fx.trainer(world.institution);
  await db
    .insertInto('session_trainers')
    .values({ session_id: ids.s1, trainer_id: teaching.id })
    .execute();

  server = await startTestServer(database);
  institution = await server.as(await fx.account('institution_admin', world.institution));
  trainer = await server.as(
    await fx.account('trainer', world.institution, { trainerId: teaching.id }),
  );
  idleTrainer = await server.as(
    await fx.account('trainer', world.institution, { trainerId: idle.id }),
  );
  office = await server.as(await fx.account('office_officer', world.office));
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

const header = '教师编号,姓名,场次,状态,分钟\r\n';
const goodFile = () =>
  `${header}${ids.a1},张三,1,出勤,180\r\n${ids.a2},李四,1,迟到,150\r\n${ids.a1},张三,2,请假,\r\n`;

describe('previewAttendanceImport', () => {
  it('reads a clean file', async () => {
    const { data, errors } = await institution<PreviewResult>(preview, {
      input: { activityId: g('Activity', ids.activity), csv: b64(goodFile()) },
    });
    expect(errors).toBeUndefined();
    expect(data!.previewAttendanceImport!.data).toEqual({
      rowCount: 3,
      validRowCount: 3,
      clean: true,
      problems: [],
    });
  });

  it('lists every bad row with line, column, code and a message', async () => {
    const file =
      header +
      `${ids.a1},,1,出勤,180\r\n` + // 2: good
      `T999999,,1,出勤,60\r\n` + // 3: unknown teacher
      `${ids.notEnrolled},,1,出勤,60\r\n` + // 4: not enrolled
      `${ids.rejected},,1,出勤,60\r\n` + // 5: rejected
      `${ids.a2},,9,出勤,60\r\n` + // 6: no session 9
      `${ids.a2},,1,出勤,1500\r\n` + // 7: out of range for any session
      `${ids.a2},,1,出勤,200\r\n` + // 8: longer than session 1 (180)
      `${ids.a1},,1,缺勤,0\r\n` + // 9: duplicate of line 2
      `${ids.a2},,2,在场,60\r\n`; // 10: bad status
    const { data } = await institution<PreviewResult>(
      preview,
      { input: { activityId: g('Activity', ids.activity), csv: b64(file) } },
      { 'accept-language': 'zh-CN' },
    );
    const result = data!.previewAttendanceImport!.data!;
    expect(result.clean).toBe(false);
    expect(result.problems.map((p) => [p.line, p.column, p.code])).toEqual([
      [3, 'teacherNationalId', 'UNKNOWN_TEACHER'],
      [4, 'teacherNationalId', 'NOT_ENROLLED'],
      [5, 'teacherNationalId', 'NOT_PARTICIPANT'],
      [6, 'sessionSequence', 'UNKNOWN_SESSION'],
      [7, '分钟', 'MINUTES_OUT_OF_RANGE'],
      [8, 'minutes', 'MINUTES_ABOVE_SESSION'],
      [9, null, 'DUPLICATE_ROW'],
      [10, '状态', 'BAD_STATUS'],
    ]);
    expect(result.rowCount).toBe(9);
    // Line 8 is kept by the parser as the first good (a2, 1), so line 9's duplicate is of line 2.
    expect(result.validRowCount).toBe(1);
    expect(result.problems[0]!.message).toBe(
      '第 3 行“teacherNationalId”列：系统中没有教师编号为“T999999”的教师。',
    );
    expect(result.problems[7]!.message).toContain('第 10 行“状态”列');
  });

  it('refuses a GBK file as a whole with the encoding advice', async () => {
    // "教师编号,场次,状态,分钟\r\n" as a Chinese Excel saves it.
    const gbk = Buffer.from([
      0xbd, 0xcc, 0xca, 0xa6, 0xb1, 0xe0, 0xba, 0xc5, 0x2c, 0xb3, 0xa1, 0xb4, 0xce, 0x2c, 0xd7,
      0xb4, 0xcc, 0xac, 0x2c, 0xb7, 0xd6, 0xd6, 0xd3, 0x0d, 0x0a,
    ]);
    const { data } = await institution<PreviewResult>(preview, {
      input: { activityId: g('Activity', ids.activity), csv: gbk.toString('base64') },
    });
    expect(data!.previewAttendanceImport!.data!.problems).toEqual([
      {
        code: 'ENCODING',
        line: null,
        record: null,
        column: null,
        message: expect.stringContaining('GBK/GB18030'),
      },
    ]);
  });

  it.each([
    ['text that is not base64', '教师编号,场次', 'must be the file’s bytes in base64'],
    [
      'a file over the cap',
      Buffer.alloc(513 * 1024, 0x41).toString('base64'),
      'larger than 512 KiB',
    ],
  ])('refuses %s as bad input', async (_name, csv, message) => {
    const { data } = await institution<PreviewResult>(preview, {
      input: { activityId: g('Activity', ids.activity), csv },
    });
    expect(data!.previewAttendanceImport!.__typename).toBe('ValidationError');
    expect(data!.previewAttendanceImport!.issues).toEqual([
      { path: ['input', 'csv'], message: expect.stringContaining(message) },
    ]);
  });

  it('tells a trainer which rows are for sessions they do not teach', async () => {
    const { data } = await trainer<PreviewResult>(preview, {
      input: { activityId: g('Activity', ids.activity), csv: b64(goodFile()) },
    });
    expect(data!.previewAttendanceImport!.data!.problems.map((p) => [p.line, p.code])).toEqual([
      [4, 'SESSION_NOT_TAUGHT'],
    ]);
  });

  it.each([
    ['a trainer who teaches none of it', () => idleTrainer, 'ForbiddenError'],
    ['the district office', () => office, 'FORBIDDEN'],
  ])('refuses %s', async (_name, caller, expected) => {
    const { data, errors } = await caller()<PreviewResult>(preview, {
      input: { activityId: g('Activity', ids.activity), csv: b64(goodFile()) },
    });
    const outcome = data?.previewAttendanceImport?.__typename ?? errors?.[0]?.extensions?.code;
    expect(outcome).toBe(expected);
  });
});

describe('commitAttendanceImport', () => {
  it('writes nothing when any row is bad, naming each in the issues', async () => {
    const before = await counts();
    const file = `${goodFile()}${ids.a2},,2,出勤,9999\r\nT999999,,1,出勤,10\r\n`;
    const { data } = await institution<CommitResult>(commit, {
      input: {
        activityId: g('Activity', ids.activity),
        csv: b64(file),
        idempotencyKey: 'bad-file-0001',
      },
    });
    expect(data!.commitAttendanceImport!.__typename).toBe('ValidationError');
    expect(data!.commitAttendanceImport!.issues!.map((i) => i.path)).toEqual([
      ['input', 'csv', '5', '分钟'],
      ['input', 'csv', '6', 'teacherNationalId'],
    ]);
    expect(await counts()).toEqual(before);
  });

  it('writes a clean file all at once, with one audit entry', async () => {
    const before = await counts();
    const { data, errors } = await institution<CommitResult>(commit, {
      input: {
        activityId: g('Activity', ids.activity),
        csv: b64(goodFile()),
        idempotencyKey: 'sheet-2026-03-01',
      },
    });
    expect(errors).toBeUndefined();
    expect(data!.commitAttendanceImport!.data).toEqual({
      idempotencyKey: 'sheet-2026-03-01',
      format: 'csv',
      rowCount: 3,
      replayed: false,
    });
    expect(await counts()).toEqual({
      attendance: before.attendance + 3,
      imports: before.imports + 1,
      audits: before.audits + 1,
    });
    expect(await attendanceOf(ids.a2, ids.s1)).toMatchObject({
      status: 'late',
      minutes: 150,
      source: 'import',
      import_id: expect.any(Number),
    });
    expect(await attendanceOf(ids.a1, ids.s2)).toMatchObject({ status: 'excused', minutes: 0 });

    // The entry says who wrote which rows with which values: every row of the file, by id.
    const { rows: entries } = await sql<{
      actor_id: number | null;
      after: {
        written: {
          source: string;
          recordedBy: number | null;
          importId: number;
          columns: string[];
          rows: Array<[number, number, number, string, number]>;
        };
      };
    }>`select actor_id, after from audit_log where action = 'attendance.imported'
        order by id desc limit 1`.execute(database.db);
    const { written } = entries[0]!.after;
    const { rows: stored } = await sql<{
      id: number;
      session_id: number;
      enrollment_id: number;
      status: string;
      minutes: number;
      recorded_by: number | null;
    }>`select id, session_id, enrollment_id, status, minutes, recorded_by from attendance
        where import_id = ${written.importId} order by id`.execute(database.db);
    expect(written.columns).toEqual(['id', 'sessionId', 'enrollmentId', 'status', 'minutes']);
    expect(written.source).toBe('import');
    expect(written.recordedBy).toBe(entries[0]!.actor_id);
    expect(stored.every((r) => r.recorded_by === entries[0]!.actor_id)).toBe(true);
    expect([...written.rows].sort((a, b) => a[0] - b[0])).toEqual(
      stored.map((r) => [Number(r.id), r.session_id, r.enrollment_id, r.status, r.minutes]),
    );
  });

  it('replays the same key and file without writing anything', async () => {
    // The trainer corrected a row since; a replay must not put the file's value back.
    await database.db
      .updateTable('attendance')
      .set({ minutes: 170, source: 'trainer' })
      .where('enrollment_id', '=', ids.e1)
      .where('session_id', '=', ids.s1)
      .execute();
    const before = await counts();
    const { data } = await institution<CommitResult>(commit, {
      input: {
        activityId: g('Activity', ids.activity),
        csv: b64(goodFile()),
        idempotencyKey: 'sheet-2026-03-01',
      },
    });
    expect(data!.commitAttendanceImport!.data).toMatchObject({ rowCount: 3, replayed: true });
    expect(await counts()).toEqual(before);
    expect(await attendanceOf(ids.a1, ids.s1)).toMatchObject({ minutes: 170, source: 'trainer' });
  });

  it('refuses the same key with another file as a conflict', async () => {
    const before = await counts();
    const { data } = await institution<CommitResult>(commit, {
      input: {
        activityId: g('Activity', ids.activity),
        csv: b64(`${header}${ids.a1},,1,出勤,100\r\n`),
        idempotencyKey: 'sheet-2026-03-01',
      },
    });
    expect(data!.commitAttendanceImport).toMatchObject({
      __typename: 'ConflictError',
      code: 'CONFLICT',
    });
    expect(await counts()).toEqual(before);
  });

  it('writes once when the same batch arrives concurrently', async () => {
    const before = await counts();
    const file = `${header}${ids.a2},,2,出勤,300\r\n`;
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        institution<CommitResult>(commit, {
          input: {
            activityId: g('Activity', ids.activity),
            csv: b64(file),
            idempotencyKey: 'concurrent-0001',
          },
        }),
      ),
    );
    const outcomes = results.map((r) => r.data!.commitAttendanceImport!.data?.replayed);
    expect(outcomes.filter((replayed) => replayed === false)).toHaveLength(1);
    expect(outcomes.filter((replayed) => replayed === true)).toHaveLength(3);
    expect(await counts()).toEqual({
      attendance: before.attendance + 1,
      imports: before.imports + 1,
      audits: before.audits + 1,
    });
  });

  it('refuses confirmed rows as a conflict naming them; the preview lists them', async () => {
    const school = await database.db
      .selectFrom('teachers')
      .select('school_id')
      .where('national_id', '=', ids.b1)
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('confirmations')
      .values({ activity_id: ids.activity, level: 'school', organization_id: school.school_id })
      .execute();
    const file = `${header}${ids.a1},,2,出勤,300\r\n${ids.b1},,2,出勤,300\r\n`;
    const before = await counts();
    const seen = await institution<PreviewResult>(preview, {
      input: { activityId: g('Activity', ids.activity), csv: b64(file) },
    });
    expect(seen.data!.previewAttendanceImport!.data!.problems.map((p) => [p.line, p.code])).toEqual(
      [[3, 'LOCKED']],
    );
    const { data } = await institution<CommitResult>(commit, {
      input: {
        activityId: g('Activity', ids.activity),
        csv: b64(file),
        idempotencyKey: 'locked-0001',
      },
    });
    expect(data!.commitAttendanceImport).toMatchObject({ __typename: 'ConflictError' });
    expect(data!.commitAttendanceImport!.message).toContain(`line 3 ${ids.b1}`);
    expect(await counts()).toEqual(before);
  });

  it('refuses a closed activity and a malformed key', async () => {
    const closed = await institution<CommitResult>(commit, {
      input: {
        activityId: g('Activity', ids.closed),
        csv: b64(goodFile()),
        idempotencyKey: 'closed-0001',
      },
    });
    expect(closed.data!.commitAttendanceImport!.__typename).toBe('ConflictError');
    const key = await institution<CommitResult>(commit, {
      input: {
        activityId: g('Activity', ids.activity),
        csv: b64(goodFile()),
        idempotencyKey: 'short',
      },
    });
    expect(key.data!.commitAttendanceImport!.issues!.map((i) => i.path.join('.'))).toEqual([
      'input.idempotencyKey',
    ]);
  });
});

describe('importOnlineStudy', () => {
  const feed = () => [
    { teacherNationalId: ids.a1, date: '2026-03-02', minutes: 75 },
    // Below the block's 60-minute minimum: recorded as sent, the completion rules judge it.
    { teacherNationalId: ids.a2, date: '2026-03-02', minutes: 30 },
    { teacherNationalId: ids.a2, date: '2026-03-03', minutes: 0 },
  ];

  it('writes minutes per day per teacher into the day’s online block', async () => {
    const before = await counts();
    const { data, errors } = await institution<OnlineResult>(online, {
      input: {
        activityId: g('Activity', ids.activity),
        format: 'JSON',
        payload: JSON.stringify(feed()),
        idempotencyKey: 'platform-batch-1',
      },
    });
    expect(errors).toBeUndefined();
    expect(data!.importOnlineStudy!.data).toEqual({
      idempotencyKey: 'platform-batch-1',
      format: 'json',
      rowCount: 3,
      replayed: false,
    });
    expect(await attendanceOf(ids.a1, ids.day1)).toMatchObject({
      status: 'present',
      minutes: 75,
      source: 'online_platform',
    });
    expect(await attendanceOf(ids.a2, ids.day1)).toMatchObject({ status: 'present', minutes: 30 });
    expect(await attendanceOf(ids.a2, ids.day2)).toMatchObject({ status: 'absent', minutes: 0 });
    expect(await counts()).toEqual({
      attendance: before.attendance + 3,
      imports: before.imports + 1,
      audits: before.audits + 1,
    });
  });

  it('replays the same batch and refuses the key with other data', async () => {
    const before = await counts();
    const replay = await institution<OnlineResult>(online, {
      input: {
        activityId: g('Activity', ids.activity),
        format: 'JSON',
        payload: JSON.stringify(feed()),
        idempotencyKey: 'platform-batch-1',
      },
    });
    expect(replay.data!.importOnlineStudy!.data).toMatchObject({ replayed: true, rowCount: 3 });
    const other = await institution<OnlineResult>(online, {
      input: {
        activityId: g('Activity', ids.activity),
        format: 'CSV',
        payload: `teacher_national_id,date,minutes\n${ids.a1},2026-03-02,75\n`,
        idempotencyKey: 'platform-batch-1',
      },
    });
    expect(other.data!.importOnlineStudy!.__typename).toBe('ConflictError');
    expect(await counts()).toEqual(before);
  });

  it('reads CSV and replaces earlier minutes', async () => {
    const { data } = await institution<OnlineResult>(online, {
      input: {
        activityId: g('Activity', ids.activity),
        format: 'CSV',
        payload: `\uFEFF教师编号,学习日期,学习时长\r\n${ids.a2},2026-03-03,95\r\n`,
        idempotencyKey: 'platform-batch-2',
      },
    });
    expect(data!.importOnlineStudy!.data).toMatchObject({ format: 'csv', rowCount: 1 });
    expect(await attendanceOf(ids.a2, ids.day2)).toMatchObject({ status: 'present', minutes: 95 });
  });

  it('refuses a batch with any bad record, naming each, and writes nothing', async () => {
    const before = await counts();
    const { data } = await institution<OnlineResult>(online, {
      input: {
        activityId: g('Activity', ids.activity),
        format: 'JSON',
        payload: JSON.stringify([
          { teacherNationalId: ids.a1, date: '2026-03-02', minutes: 80 },
          { teacherNationalId: ids.a1, date: '2026-03-09', minutes: 80 },
          { teacherNationalId: 'T999999', date: '2026-03-02', minutes: 80 },
          { teacherNationalId: ids.a2, date: '2026-03-02', minutes: 2000 },
        ]),
        idempotencyKey: 'platform-batch-3',
      },
    });
    expect(data!.importOnlineStudy!.__typename).toBe('ValidationError');
    expect(data!.importOnlineStudy!.issues!.map((i) => i.path.join('.')).sort()).toEqual([
      'input.payload.2.date',
      'input.payload.3.teacherNationalId',
      'input.payload.4.minutes',
    ]);
    expect(await counts()).toEqual(before);
  });

  it('refuses malformed JSON, an oversized payload and confirmed teachers', async () => {
    const malformed = await institution<OnlineResult>(online, {
      input: {
        activityId: g('Activity', ids.activity),
        format: 'JSON',
        payload: '{"records": [',
        idempotencyKey: 'platform-batch-4',
      },
    });
    expect(malformed.data!.importOnlineStudy!.issues![0]!.path).toEqual(['input', 'payload']);
    const huge = await institution<OnlineResult>(online, {
      input: {
        activityId: g('Activity', ids.activity),
        format: 'CSV',
        payload: 'x'.repeat(513 * 1024),
        idempotencyKey: 'platform-batch-5',
      },
    });
    expect(huge.data!.importOnlineStudy!.issues![0]!.message).toContain('512 KiB');
    // Teacher B's school confirmed the activity in the test above.
    const locked = await institution<OnlineResult>(online, {
      input: {
        activityId: g('Activity', ids.activity),
        format: 'JSON',
        payload: JSON.stringify([{ teacherNationalId: ids.b1, date: '2026-03-02', minutes: 90 }]),
        idempotencyKey: 'platform-batch-6',
      },
    });
    expect(locked.data!.importOnlineStudy!.__typename).toBe('ConflictError');
    expect(locked.data!.importOnlineStudy!.message).toContain(`record 1 ${ids.b1}`);
  });
});
