import type {
  ActivityStatus,
  AttendanceSource,
  AttendanceStatus,
  EnrollmentStatus,
  SessionMode,
} from '@registry/domain';
import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { Attendance as AttendanceRow, DB } from '../generated/database';
import { chunksOf, codeArray, eachChunkOverlapped, intArray } from './array-parameters';
import type { AttendanceRecord } from './enrollment.repository';

/**
 * Writes of attendance (issue 4 point 4): the trainer's roster, the teacher's check-in and the
 * imports. Callers have already decided who may write; these functions read without
 * visibility filters because they run inside that decision, in the writer's transaction.
 *
 * Invariant kept here: attendance of an enrollment whose school (or the district office) has a
 * current confirmation for the activity is never written — callers ask `findLockedEnrollments`
 * after holding the activity row, and refuse before writing.
 */

export interface AttendanceSession {
  id: number;
  activityId: number;
  sequence: number;
  mode: SessionMode;
  startsAt: Date;
  endsAt: Date;
  onlineMinMinutes: number | null;
}

export interface AttendanceEnrollment {
  id: number;
  teacherId: number;
  schoolId: number;
  status: EnrollmentStatus;
  nationalId: string;
}

/** A row as written, with who wrote it: what the audit log's before/after records. */
export interface AttendanceWrite extends AttendanceRecord {
  recordedBy: number | null;
  importId: number | null;
}

function toWrite(row: Selectable<AttendanceRow>): AttendanceWrite {
  return {
    id: Number(row.id),
    activityId: row.activity_id,
    sessionId: row.session_id,
    enrollmentId: row.enrollment_id,
    status: row.status as AttendanceStatus,
    minutes: row.minutes,
    source: row.source as AttendanceSource,
    recordedAt: row.recorded_at,
    recordedBy: row.recorded_by,
    importId: row.import_id,
  };
}

const sessionColumns = [
  'id',
  'activity_id',
  'sequence',
  'mode',
  'starts_at',
  'ends_at',
  'online_min_minutes',
] as const;

function toSession(row: {
  id: number;
  activity_id: number;
  sequence: number;
  mode: string;
  starts_at: Date;
  ends_at: Date;
  online_min_minutes: number | null;
}): AttendanceSession {
  return {
    id: row.id,
    activityId: row.activity_id,
    sequence: row.sequence,
    mode: row.mode as SessionMode,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    onlineMinMinutes: row.online_min_minutes,
  };
}

/**
 * Holds the activity row FOR SHARE until the transaction ends and returns its status: attendance
 * writes of one activity proceed side by side, while a status change (transitionActivity locks
 * the row FOR UPDATE) waits for them and they wait for it, so nothing is written into an
 * activity that just closed.
 */
export async function shareLockActivity(
  db: Kysely<DB>,
  activityId: number,
): Promise<{ id: number; status: ActivityStatus; providerId: number } | null> {
  const row = await db
    .selectFrom('activities')
    .select(['id', 'status', 'provider_id'])
    .where('id', '=', activityId)
    .forShare()
    .executeTakeFirst();
  return row
    ? { id: row.id, status: row.status as ActivityStatus, providerId: row.provider_id }
    : null;
}

/** A session with its check-in secret; the secret never leaves the API layer. */
export async function findSessionWithSecret(
  db: Kysely<DB>,
  sessionId: number,
): Promise<(AttendanceSession & { checkinSecret: string }) | null> {
  const row = await db
    .selectFrom('sessions')
    .select([...sessionColumns, 'checkin_secret'])
    .where('id', '=', sessionId)
    .executeTakeFirst();
  return row ? { ...toSession(row), checkinSecret: row.checkin_secret } : null;
}

export async function findSessionsOfActivityForAttendance(
  db: Kysely<DB>,
  activityId: number,
): Promise<AttendanceSession[]> {
  const rows = await db
    .selectFrom('sessions')
    .select(sessionColumns)
    .where('activity_id', '=', activityId)
    .orderBy('sequence')
    .execute();
  return rows.map(toSession);
}

/** Which of the given sessions the trainer teaches. */
export async function findSessionsTaughtBy(
  db: Kysely<DB>,
  trainerId: number,
  sessionIds: ReadonlyArray<number>,
): Promise<Set<number>> {
  if (sessionIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('session_trainers')
    .select('session_id')
    .where('trainer_id', '=', trainerId)
    .where('session_id', 'in', sessionIds)
    .execute();
  return new Set(rows.map((r) => r.session_id));
}

const enrollmentColumns = [
  'enrollments.id',
  'enrollments.teacher_id',
  'enrollments.school_id',
  'enrollments.status',
  'teachers.national_id',
] as const;

function toEnrollment(row: {
  id: number;
  teacher_id: number;
  school_id: number;
  status: string;
  national_id: string;
}): AttendanceEnrollment {
  return {
    id: row.id,
    teacherId: row.teacher_id,
    schoolId: row.school_id,
    status: row.status as EnrollmentStatus,
    nationalId: row.national_id,
  };
}

/** Enrollments of one activity among the given ids (others are simply absent). */
export async function findEnrollmentsOfActivity(
  db: Kysely<DB>,
  activityId: number,
  enrollmentIds: ReadonlyArray<number>,
): Promise<AttendanceEnrollment[]> {
  if (enrollmentIds.length === 0) return [];
  const rows = await db
    .selectFrom('enrollments')
    .innerJoin('teachers', 'teachers.id', 'enrollments.teacher_id')
    .select(enrollmentColumns)
    .where('enrollments.activity_id', '=', activityId)
    .where('enrollments.id', 'in', enrollmentIds)
    .execute();
  return rows.map(toEnrollment);
}

export async function findEnrollmentOfTeacher(
  db: Kysely<DB>,
  activityId: number,
  teacherId: number,
): Promise<AttendanceEnrollment | null> {
  const row = await db
    .selectFrom('enrollments')
    .innerJoin('teachers', 'teachers.id', 'enrollments.teacher_id')
    .select(enrollmentColumns)
    .where('enrollments.activity_id', '=', activityId)
    .where('enrollments.teacher_id', '=', teacherId)
    .executeTakeFirst();
  return row ? toEnrollment(row) : null;
}

/**
 * Teachers by national ID with their enrollment in the activity, if any: an import names
 * teachers, not enrollments. A national ID missing from the map is no teacher at all.
 */
export async function findTeachersForImport(
  db: Kysely<DB>,
  activityId: number,
  nationalIds: ReadonlyArray<string>,
): Promise<Map<string, AttendanceEnrollment | null>> {
  if (nationalIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('teachers')
    .leftJoin('enrollments', (join) =>
      join
        .onRef('enrollments.teacher_id', '=', 'teachers.id')
        .on('enrollments.activity_id', '=', activityId),
    )
    .select([
      'teachers.national_id',
      'teachers.id as teacher_id',
      'enrollments.id as enrollment_id',
      'enrollments.school_id',
      'enrollments.status',
    ])
    // One array parameter: a file names thousands of teachers, and a list of that many
    // placeholders costs more to parse and plan than the lookup itself.
    .where('teachers.national_id', '=', sql<string>`any(${[...new Set(nationalIds)]}::text[])`)
    .execute();
  return new Map(
    rows.map((row) => [
      row.national_id,
      row.enrollment_id === null || row.school_id === null || row.status === null
        ? null
        : toEnrollment({
            id: row.enrollment_id,
            teacher_id: row.teacher_id,
            school_id: row.school_id,
            status: row.status,
            national_id: row.national_id,
          }),
    ]),
  );
}

/**
 * An enrollment's attendance is confirmed, hence locked, while the school that vouches for the
 * enrollment, or the district office for the whole roster, has a current (not superseded)
 * confirmation of the activity. One predicate for the writes that refuse and the reads that
 * show the lock, so the two never disagree.
 */
function lockedByConfirmation(eb: ExpressionBuilder<DB, 'enrollments'>) {
  return eb.exists(
    eb
      .selectFrom('confirmations')
      .select(sql`1`.as('one'))
      .whereRef('confirmations.activity_id', '=', 'enrollments.activity_id')
      .where('confirmations.superseded_at', 'is', null)
      .where((c) =>
        c.or([
          c('confirmations.level', '=', 'office'),
          c.and([
            c('confirmations.level', '=', 'school'),
            c('confirmations.organization_id', '=', c.ref('enrollments.school_id')),
          ]),
        ]),
      ),
  );
}

/**
 * The enrollments among those given whose attendance is locked, within one activity for the
 * writes that refuse locked records, across activities for the reads that show the lock (a
 * DataLoader over attendance records). Writers pass one id per row (an import of 20,000 rows
 * names 2,000 enrollments ten times each): the ids go deduplicated, as one array parameter.
 */
export async function findLockedEnrollmentIds(
  db: Kysely<DB>,
  enrollmentIds: ReadonlyArray<number>,
  activityId?: number,
): Promise<Set<number>> {
  if (enrollmentIds.length === 0) return new Set();
  let query = db
    .selectFrom('enrollments')
    .select('enrollments.id')
    .where(
      'enrollments.id',
      '=',
      sql<number>`any(${intArray([...new Set(enrollmentIds)])}::int4[])`,
    )
    .where(lockedByConfirmation);
  if (activityId !== undefined) query = query.where('enrollments.activity_id', '=', activityId);
  const rows = await query.execute();
  return new Set(rows.map((r) => r.id));
}

/** findLockedEnrollmentIds within one activity, the writers' question. */
export function findLockedEnrollments(
  db: Kysely<DB>,
  activityId: number,
  enrollmentIds: ReadonlyArray<number>,
): Promise<Set<number>> {
  return findLockedEnrollmentIds(db, enrollmentIds, activityId);
}

export interface AttendanceUpsert {
  activityId: number;
  sessionId: number;
  enrollmentId: number;
  status: AttendanceStatus;
  minutes: number;
  source: AttendanceSource;
  recordedBy: number | null;
  importId: number | null;
}

/**
 * The upsert of one chunk, `insert … select from unnest(…)` the same on both engines, returning
 * the chunk's rows as they were before it beside the rows it wrote: one statement where a read
 * and a write were two. The `before` branch reads the statement's snapshot, taken before its
 * insert (PostgreSQL's rule for data-modifying CTEs), so it sees no row of this chunk's writing.
 */
function replaceStatement(rows: ReadonlyArray<AttendanceUpsert>, returning: 'all' | 'keys') {
  return sql<Selectable<AttendanceRow> & { written: boolean }>`
    /* attendance.replace */
    with input as (
      select * from ${unnestAttendance(rows)}
    ), before as (
      select a.* from attendance a
      join input i on a.session_id = i.session_id and a.enrollment_id = i.enrollment_id
      where a.activity_id = i.activity_id
    ), written as (
      insert into attendance
        (activity_id, session_id, enrollment_id, status, minutes, source, recorded_by, import_id)
      select activity_id, session_id, enrollment_id, status, minutes, source, recorded_by, import_id
      from input
      on conflict (session_id, enrollment_id) do update set
        status = excluded.status,
        minutes = excluded.minutes,
        source = excluded.source,
        recorded_by = excluded.recorded_by,
        import_id = excluded.import_id,
        recorded_at = now()
      returning ${returning === 'all' ? attendanceColumns : sql`id, session_id, enrollment_id`}
    )
    select false as written, ${attendanceColumns} from before
    union all
    select true, ${
      returning === 'all'
        ? attendanceColumns
        : sql`id, null, session_id, enrollment_id, null, null, null, null, null, null`
    }
    from written`;
}

/** The rows as a table of the columns a writer gives, one array parameter per column. */
function unnestAttendance(rows: ReadonlyArray<AttendanceUpsert>) {
  return sql`unnest(
    ${intArray(rows.map((r) => r.activityId))}::int4[],
    ${intArray(rows.map((r) => r.sessionId))}::int4[],
    ${intArray(rows.map((r) => r.enrollmentId))}::int4[],
    ${codeArray(rows.map((r) => r.status))}::text[],
    ${intArray(rows.map((r) => r.minutes))}::int4[],
    ${codeArray(rows.map((r) => r.source))}::text[],
    ${intArray(rows.map((r) => r.recordedBy))}::int4[],
    ${intArray(rows.map((r) => r.importId))}::int4[])
    as u(activity_id, session_id, enrollment_id, status, minutes, source, recorded_by, import_id)`;
}

/** Every column of attendance, in the order both branches of a replacement list them. */
const attendanceColumns = sql`id, activity_id, session_id, enrollment_id, status, minutes, source,
  recorded_by, import_id, recorded_at`;

export interface AttendanceReplacement<W> {
  /** The rows of the given keys as they were, in id order: what the audit records as before. */
  before: AttendanceWrite[];
  /** The rows as written, in RETURNING order (callers that need the input's order sort). */
  written: W[];
}

export type AttendanceKey = { id: number; sessionId: number; enrollmentId: number };

async function replaceInChunks<W>(
  db: Kysely<DB>,
  rows: ReadonlyArray<AttendanceUpsert>,
  returning: 'all' | 'keys',
  toWritten: (row: Selectable<AttendanceRow>) => W,
): Promise<AttendanceReplacement<W>> {
  const before: AttendanceWrite[] = [];
  const written: W[] = [];
  await eachChunk(
    db,
    chunksOf(rows),
    (chunk) => replaceStatement(chunk, returning).execute(db),
    (result) => {
      for (const row of result.rows) {
        if (row.written) written.push(toWritten(row));
        else before.push(toWrite(row));
      }
    },
  );
  before.sort((a, b) => a.id - b.id);
  return { before, written };
}

/** eachChunkOverlapped inside a transaction; outside one, each statement would take its own connection. */
function eachChunk<T, R>(
  db: Kysely<DB>,
  chunks: ReadonlyArray<T>,
  run: (chunk: T) => Promise<R>,
  take: (result: R) => void,
): Promise<void> {
  // One chunk (a roster) has nothing to overlap, and should not wait a turn of a busy event loop.
  if (db.isTransaction && chunks.length > 1) return eachChunkOverlapped(chunks, run, take);
  return chunks.reduce<Promise<void>>(
    (previous, chunk) => previous.then(() => run(chunk)).then(take),
    Promise.resolve(),
  );
}

/**
 * Writes one row per (session, enrollment), replacing what was there: the latest record of a
 * roster, import or feed is the attendance. Returns the rows as they were and as written. A
 * (session, enrollment) pair must appear once in `rows` (PostgreSQL refuses to update a row
 * twice in one statement); callers refuse duplicates before writing.
 */
export function replaceAttendance(
  db: Kysely<DB>,
  rows: ReadonlyArray<AttendanceUpsert>,
): Promise<AttendanceReplacement<AttendanceWrite>> {
  return replaceInChunks(db, rows, 'all', toWrite);
}

/**
 * replaceAttendance for bulk writers that know what they wrote (an import): returns only each
 * written row's id with its key, not every column of every row back over the wire.
 *
 * When none of the rows' teachers has attendance yet in any of the rows' sessions (an import
 * into sessions nobody has recorded, or the next file of a list split by teacher: the usual
 * cases), there is nothing to read as before and nothing to replace: the rows go in as a
 * plain INSERT, which measured 518 ms per 20,000 rows against 677 ms for the upsert that reads
 * its before-rows (COPY: 470; `pnpm --filter @registry/bench insert-forms`). The question costs
 * one statement (19 ms when the sessions already hold 100,000 rows of other teachers). A row
 * another writer adds in the meantime (writers share the activity lock) makes that INSERT fail
 * on the unique key; it is undone to a savepoint and the rows go through the replacement after
 * all, which reads that row as before. Inside a transaction only, which imports always are.
 */
export async function replaceAttendanceKeys(
  db: Kysely<DB>,
  rows: ReadonlyArray<AttendanceUpsert>,
): Promise<AttendanceReplacement<AttendanceKey>> {
  if (rows.length >= freshInsertMinimum && db.isTransaction) {
    const inserted = await insertWhereNothingRecorded(db, rows);
    if (inserted) return { before: [], written: inserted };
  }
  return replaceInChunks(db, rows, 'keys', keyOf);
}

const keyOf = (r: { id: string | number; session_id: number; enrollment_id: number }) => ({
  id: Number(r.id),
  sessionId: r.session_id,
  enrollmentId: r.enrollment_id,
});

/**
 * Below this many rows the upsert's read of before-rows costs less than the extra round trip
 * that asks whether there can be any.
 */
const freshInsertMinimum = 1_000;

/** The plain INSERT of replaceAttendanceKeys, or null (nothing written) when it does not apply. */
async function insertWhereNothingRecorded(
  db: Kysely<DB>,
  rows: ReadonlyArray<AttendanceUpsert>,
): Promise<AttendanceKey[] | null> {
  // Any (session, enrollment) of the rows recorded shows as a row with both among the rows'
  // sessions and enrollments; one found, or a false alarm from a pair the rows do not hold,
  // only sends them through the upsert.
  const sessionIds = [...new Set(rows.map((r) => r.sessionId))];
  const enrollmentIds = [...new Set(rows.map((r) => r.enrollmentId))];
  // The arrays reach the plan through sub-selects: planned with the 10,000 ids of a file in
  // view, PostgreSQL estimated each one against the column statistics — 13 of the statement's
  // 16 ms — to pick the plan it picks without them.
  const recorded = await sql<{ one: number }>`
    /* attendance.any-recorded */
    select 1 as one from attendance
    where session_id = any((select ${intArray(sessionIds)}::int4[])::int4[])
      and enrollment_id = any((select ${intArray(enrollmentIds)}::int4[])::int4[])
    limit 1`.execute(db);
  if (recorded.rows.length > 0) return null;

  const written: AttendanceKey[] = [];
  await sql`savepoint attendance_fresh_insert`.execute(db);
  try {
    await eachChunk(
      db,
      chunksOf(rows),
      (chunk) =>
        sql<{ id: string; session_id: number; enrollment_id: number }>`
          /* attendance.insert-fresh */
          insert into attendance
            (activity_id, session_id, enrollment_id, status, minutes, source, recorded_by, import_id)
          select * from ${unnestAttendance(chunk)}
          returning id, session_id, enrollment_id`.execute(db),
      (result) => {
        for (const row of result.rows) written.push(keyOf(row));
      },
    );
  } catch (error) {
    if (!isDuplicateAttendance(error)) throw error;
    await sql`rollback to savepoint attendance_fresh_insert`.execute(db);
    return null;
  }
  await sql`release savepoint attendance_fresh_insert`.execute(db);
  return written;
}

function isDuplicateAttendance(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: string; constraint?: string };
  return code === '23505' && constraint === 'attendance_session_id_enrollment_id_key';
}

/**
 * A teacher's own check-in: written only if the session has no record of them yet, so a repeat
 * (or a concurrent double tap) changes nothing and a trainer's record is never overwritten by a
 * phone. Null when a row already existed.
 */
export async function insertCheckin(
  db: Kysely<DB>,
  row: Omit<AttendanceUpsert, 'source' | 'importId'>,
): Promise<AttendanceWrite | null> {
  const written = await db
    .insertInto('attendance')
    .values({
      activity_id: row.activityId,
      session_id: row.sessionId,
      enrollment_id: row.enrollmentId,
      status: row.status,
      minutes: row.minutes,
      source: 'sign_in',
      recorded_by: row.recordedBy,
    })
    .onConflict((oc) => oc.columns(['session_id', 'enrollment_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return written ? toWrite(written) : null;
}

export async function findAttendanceOf(
  db: Kysely<DB>,
  sessionId: number,
  enrollmentId: number,
): Promise<AttendanceWrite | null> {
  const row = await db
    .selectFrom('attendance')
    .selectAll()
    .where('session_id', '=', sessionId)
    .where('enrollment_id', '=', enrollmentId)
    .executeTakeFirst();
  return row ? toWrite(row) : null;
}

// --- imports -------------------------------------------------------------------------------------

export interface AttendanceImport {
  id: number;
  activityId: number;
  idempotencyKey: string;
  payloadHash: string;
  format: 'csv' | 'json';
  rowCount: number;
  createdBy: number | null;
  createdAt: Date;
}

function toImport(row: Selectable<DB['attendance_imports']>): AttendanceImport {
  return {
    id: row.id,
    activityId: row.activity_id,
    idempotencyKey: row.idempotency_key,
    payloadHash: row.payload_hash,
    format: row.format as 'csv' | 'json',
    rowCount: row.row_count,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export async function findAttendanceImport(
  db: Kysely<DB>,
  activityId: number,
  idempotencyKey: string,
): Promise<AttendanceImport | null> {
  const row = await db
    .selectFrom('attendance_imports')
    .selectAll()
    .where('activity_id', '=', activityId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
  return row ? toImport(row) : null;
}

/**
 * Claims the idempotency key. Null when the key is already taken: a concurrent request with the
 * same key waits on the unique index until the first commits, then gets null and reads the
 * first's row, so one batch is written once however often it is sent.
 */
export async function insertAttendanceImport(
  db: Kysely<DB>,
  value: Omit<AttendanceImport, 'id' | 'createdAt'>,
): Promise<AttendanceImport | null> {
  const row = await db
    .insertInto('attendance_imports')
    .values({
      activity_id: value.activityId,
      idempotency_key: value.idempotencyKey,
      payload_hash: value.payloadHash,
      format: value.format,
      row_count: value.rowCount,
      created_by: value.createdBy,
    })
    .onConflict((oc) => oc.columns(['activity_id', 'idempotency_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toImport(row) : null;
}

/** Rows written by one import, for the replay answer. */
export async function countAttendanceOfImport(db: Kysely<DB>, importId: number): Promise<number> {
  const row = await db
    .selectFrom('attendance')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('import_id', '=', importId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
