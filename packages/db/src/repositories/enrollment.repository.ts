import type {
  AssessmentResult,
  AttendanceSource,
  AttendanceStatus,
  EnrollmentSource,
  EnrollmentStatus,
  LedgerEntryKind,
  CertificateKind,
} from '@registry/domain';
import { sql, type ExpressionBuilder, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type {
  Attendance as AttendanceRow,
  Certificates,
  CreditLedger,
  DB,
  Enrollments,
} from '../generated/database';
import { activityAt, activityColumns, type Activity } from './activity.repository';
import { intArray } from './array-parameters';
import { compiledByIds, compiledOnce, visibilityKey } from './compiled-once';
import { organizationAt, organizationColumns, type Organization } from './organization.repository';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from './pagination';
import {
  activityVisible,
  certificateVisible,
  enrollmentVisible,
  ledgerVisible,
  type Visibility,
} from './visibility';

export interface Enrollment {
  id: number;
  activityId: number;
  teacherId: number;
  schoolId: number;
  status: EnrollmentStatus;
  source: EnrollmentSource;
  rejectionReason: string | null;
  substitutesEnrollmentId: number | null;
  decidedAt: Date | null;
  assessmentResult: AssessmentResult | null;
  createdAt: Date;
}

function toEnrollment(row: Selectable<Enrollments>): Enrollment {
  return {
    id: row.id,
    activityId: row.activity_id,
    teacherId: row.teacher_id,
    schoolId: row.school_id,
    status: row.status as EnrollmentStatus,
    source: row.source as EnrollmentSource,
    rejectionReason: row.rejection_reason,
    substitutesEnrollmentId: row.substitutes_enrollment_id,
    decidedAt: row.decided_at,
    assessmentResult: row.assessment_result as AssessmentResult | null,
    createdAt: row.created_at,
  };
}

/**
 * One page of children for each of many parents, in one statement: rows are numbered within
 * their parent and cut at `first`, so a nested list costs one query however many parents the
 * outer page has. `after` is an id cursor of the child list.
 */
export interface ChildPage<T> {
  rows: T[];
  hasNextPage: boolean;
}

export function childCursor(id: number): string {
  return encodeCursor([id]);
}

export function childCursorId(cursor: string): number {
  return decodeCursor(cursor, ['number'])[0] as number;
}

function pagesByParent<R, T>(
  parentIds: ReadonlyArray<number>,
  rows: ReadonlyArray<R>,
  first: number,
  parentOf: (row: R) => number,
  positionOf: (row: R) => number,
  map: (row: R) => T,
): Map<number, ChildPage<T>> {
  const pages = new Map<number, ChildPage<T>>(
    parentIds.map((id) => [id, { rows: [], hasNextPage: false }]),
  );
  // Mapped straight into its page: hundreds of rows per nested read, each copied once.
  // positionOf sees every row, in order (the attendance pages count positions as they go).
  for (const row of rows) {
    const position = positionOf(row);
    const page = pages.get(parentOf(row));
    if (!page) continue;
    if (position > first) page.hasNextPage = true;
    else page.rows.push(map(row));
  }
  return pages;
}

export async function findEnrollmentPagesByActivityIds(
  db: Kysely<DB>,
  visibility: Visibility,
  activityIds: ReadonlyArray<number>,
  first: number,
  after: number | null,
): Promise<Map<number, ChildPage<Enrollment>>> {
  if (activityIds.length === 0) return new Map();
  const rows = await db
    .selectFrom((sub) =>
      sub
        .selectFrom('enrollments')
        .selectAll('enrollments')
        .select(
          sql<number>`row_number() over (partition by enrollments.activity_id order by enrollments.id)`.as(
            'position',
          ),
        )
        .where('enrollments.activity_id', 'in', activityIds)
        .$if(after !== null, (q) => q.where('enrollments.id', '>', after!))
        .where((eb) => enrollmentVisible(eb, visibility))
        .as('ranked'),
    )
    .selectAll('ranked')
    .where('ranked.position', '<=', first + 1)
    .orderBy('ranked.activity_id')
    .orderBy('ranked.id')
    .execute();
  return pagesByParent(
    activityIds,
    rows,
    first,
    (row) => row.activity_id,
    (row) => Number(row.position),
    toEnrollment,
  );
}

export async function countEnrollmentsByActivityIds(
  db: Kysely<DB>,
  visibility: Visibility,
  activityIds: ReadonlyArray<number>,
): Promise<Map<number, number>> {
  if (activityIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('enrollments')
    .select(['enrollments.activity_id', (eb) => eb.fn.countAll<string | number>().as('count')])
    .where('enrollments.activity_id', 'in', activityIds)
    .where((eb) => enrollmentVisible(eb, visibility))
    .groupBy('enrollments.activity_id')
    .execute();
  return new Map(rows.map((row) => [row.activity_id, Number(row.count)]));
}

export async function findEnrollmentsByIds(
  db: Kysely<DB>,
  visibility: Visibility,
  ids: ReadonlyArray<number>,
): Promise<Enrollment[]> {
  if (ids.length === 0) return [];
  const rows = await enrollmentsByIds(db, visibility, ids);
  return rows.map(toEnrollment);
}

const enrollmentsByIds = compiledByIds({
  shapeKey: visibilityKey,
  build: (db, anyId, visibility: Visibility) =>
    db
      .selectFrom('enrollments')
      .selectAll()
      .where('id', '=', anyId)
      .where((eb) => enrollmentVisible(eb, visibility)),
});

export interface EnrollmentFilter {
  schoolIds?: ReadonlyArray<number> | null | undefined;
  activityIds?: ReadonlyArray<number> | null | undefined;
  statuses?: ReadonlyArray<EnrollmentStatus> | null | undefined;
}

function enrollmentsFiltered(db: Kysely<DB>, visibility: Visibility, filter: EnrollmentFilter) {
  let query = db.selectFrom('enrollments').where((eb) => enrollmentVisible(eb, visibility));
  if (filter.schoolIds?.length)
    query = query.where('enrollments.school_id', 'in', filter.schoolIds);
  if (filter.activityIds?.length) {
    query = query.where('enrollments.activity_id', 'in', filter.activityIds);
  }
  if (filter.statuses?.length) query = query.where('enrollments.status', 'in', filter.statuses);
  return query;
}

/**
 * Enrollments across activities in enrollment order (oldest first): a school's queue of
 * participants awaiting its decision is served first come, first decided.
 */
export async function findEnrollments(
  db: Kysely<DB>,
  visibility: Visibility,
  filter: EnrollmentFilter,
  page: PageRequest,
): Promise<Page<Enrollment>> {
  let query = enrollmentsFiltered(db, visibility, filter).selectAll('enrollments');
  if (page.after) query = query.where('enrollments.id', '>', childCursorId(page.after));
  const rows = await query
    .orderBy('enrollments.id')
    .limit(page.first + 1)
    .execute();
  return {
    rows: rows.slice(0, page.first).map(toEnrollment),
    hasNextPage: rows.length > page.first,
    cursorOf: (e) => childCursor(e.id),
  };
}

export async function countEnrollments(
  db: Kysely<DB>,
  visibility: Visibility,
  filter: EnrollmentFilter,
): Promise<number> {
  const row = await enrollmentsFiltered(db, visibility, filter)
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** A teacher's enrollments, newest first. */
export async function findEnrollmentsByTeacherIds(
  db: Kysely<DB>,
  visibility: Visibility,
  teacherIds: ReadonlyArray<number>,
): Promise<Enrollment[]> {
  if (teacherIds.length === 0) return [];
  const rows = await db
    .selectFrom('enrollments')
    .selectAll()
    .where('teacher_id', 'in', teacherIds)
    .where((eb) => enrollmentVisible(eb, visibility))
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toEnrollment);
}

export interface AttendanceRecord {
  id: number;
  activityId: number;
  sessionId: number;
  enrollmentId: number;
  status: AttendanceStatus;
  minutes: number;
  source: AttendanceSource;
  recordedAt: Date;
  /**
   * The teacher of the record's enrollment when the caller may see that enrollment, else null;
   * read with the record by a session's attendance page, absent (undefined) from other reads.
   */
  visibleTeacherId?: number | null;
}

function toAttendance(
  row: Selectable<AttendanceRow> & { visible_teacher_id?: number | null },
): AttendanceRecord {
  return {
    id: row.id,
    activityId: row.activity_id,
    sessionId: row.session_id,
    enrollmentId: row.enrollment_id,
    status: row.status as AttendanceStatus,
    minutes: row.minutes,
    source: row.source as AttendanceSource,
    recordedAt: row.recorded_at,
    ...(row.visible_teacher_id !== undefined ? { visibleTeacherId: row.visible_teacher_id } : {}),
  };
}

/**
 * Attendance is visible with its enrollment, except to a trainer who sees the roster only as a
 * trainer: they see the attendance of the sessions they teach.
 */
function attendanceVisible(eb: ExpressionBuilder<DB, 'attendance'>, visibility: Visibility) {
  // Every attendance row has its enrollment (foreign key), so for a caller who sees every
  // enrollment the exists below is always true; leaving it out spares the planner a semi-join
  // that it may run as a sequential scan of enrollments.
  if (visibility.all) return sql<SqlBool>`true`;
  const asStaff: Visibility = { ...visibility, trainerId: null, trainerInstitutionIds: [] };
  const ors = [
    eb.exists(
      eb
        .selectFrom('enrollments')
        .select(sql`1`.as('one'))
        .whereRef('enrollments.id', '=', 'attendance.enrollment_id')
        .where((inner) => enrollmentVisible(inner, asStaff)),
    ),
  ];
  if (visibility.trainerId !== null) {
    ors.push(
      eb.exists(
        eb
          .selectFrom('session_trainers')
          .select(sql`1`.as('one'))
          .whereRef('session_trainers.session_id', '=', 'attendance.session_id')
          .where('session_trainers.trainer_id', '=', visibility.trainerId),
      ),
    );
  }
  return eb.or(ors);
}

/**
 * One page of attendance per session, for many sessions in one statement. Each session's page
 * is a LATERAL subquery with its own ORDER BY id LIMIT first + 1, so every page is an index
 * range scan of (session_id, …) that stops after first + 1 rows, whatever the session's size
 * and whatever the planner believes about the visibility predicate. (A window over all the
 * sessions' rows, as before, read every row of every session and let the planner pick a hash
 * join with a sequential scan of enrollments for the visibility check.)
 */
export async function findAttendancePagesBySessionIds(
  db: Kysely<DB>,
  visibility: Visibility,
  sessionIds: ReadonlyArray<number>,
  first: number,
  after: number | null,
): Promise<Map<number, ChildPage<AttendanceRecord>>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await attendancePagesBySessionIds(
    db,
    { visibility, afterGiven: after !== null },
    { ids: intArray(sessionIds), after: after ?? 0, limit: first + 1 },
  );
  // Rows come grouped by session, in id order: a row's position is its rank in its group.
  let position = 0;
  let previous: number | null = null;
  return pagesByParent(
    sessionIds,
    rows,
    first,
    (row) => row.session_id,
    (row) => {
      position = row.session_id === previous ? position + 1 : 1;
      previous = row.session_id;
      return position;
    },
    toAttendance,
  );
}

/**
 * One page per session as a LATERAL, compiled once per visibility and cursor presence. The ids
 * come out of a sub-select so that PostgreSQL keeps one plan (compiledByIds says why): the plan
 * is a loop over the sessions whatever their number.
 */
const attendancePagesBySessionIds = compiledOnce({
  placeholders: ['ids', 'after', 'limit'],
  shapeKey: ({ visibility, afterGiven }: { visibility: Visibility; afterGiven: boolean }) =>
    `${afterGiven}${visibilityKey(visibility)}`,
  build: (db, p, { visibility, afterGiven }) =>
    db
      .selectFrom(
        sql<{ session_id: number }>`unnest((select ${p.ids}::int4[]))`.as<'s'>(sql`s(session_id)`),
      )
      .innerJoinLateral(
        (eb) =>
          eb
            .selectFrom('attendance')
            .selectAll('attendance')
            // The record's teacher under the enrollment's visibility, so that Attendance.teacher
            // needs no read of the enrollments (one statement fewer for attendance → teacher).
            .select((sub) =>
              sub
                .selectFrom('enrollments')
                .select('enrollments.teacher_id')
                .whereRef('enrollments.id', '=', 'attendance.enrollment_id')
                .where((inner) => enrollmentVisible(inner, visibility))
                .as('visible_teacher_id'),
            )
            .whereRef('attendance.session_id', '=', 's.session_id')
            .$if(afterGiven, (q) => q.where('attendance.id', '>', sql<number>`${p.after}`))
            .where((inner) =>
              attendanceVisible(
                inner as unknown as ExpressionBuilder<DB, 'attendance'>,
                visibility,
              ),
            )
            .orderBy('attendance.id')
            .limit(sql<number>`${p.limit}`)
            .as('a'),
        (join) => join.onTrue(),
      )
      .selectAll('a')
      .orderBy('a.session_id')
      .orderBy('a.id'),
});

export interface CreditEntry {
  id: number;
  teacherId: number;
  kind: LedgerEntryKind;
  activityId: number | null;
  enrollmentId: number | null;
  category: string;
  hours: number;
  /** The requirement cycle the entry counts toward, when it was bound to one. */
  policyId: number | null;
  earnedOn: string;
  reason: string | null;
  correctsEntryId: number | null;
  createdAt: Date;
}

/** A teacher's ledger in the order it was written (id order); a transcript is its sum. */
export async function findCreditEntriesByTeacherIds(
  db: Kysely<DB>,
  visibility: Visibility,
  teacherIds: ReadonlyArray<number>,
): Promise<CreditEntry[]> {
  if (teacherIds.length === 0) return [];
  const rows = await creditEntriesByTeacherIds(
    db,
    { visibility, withActivities: false },
    teacherIds,
  );
  return rows.map(toCreditEntry);
}

/**
 * A teacher's ledger as findCreditEntriesByTeacherIds reads it, with each entry's activity and
 * that activity's provider in the same statement: a transcript shows what each entry was earned
 * in, and reading those activities was a second round trip after the ledger (pnpm bench W4: 4
 * statements → 3). The activity is joined under the caller's visibility of activities, so an
 * entry whose activity the caller may not see comes with none, as the activity loader answers.
 * `activity` is null also for an entry without one (an adjustment).
 */
export async function findCreditEntriesWithActivitiesByTeacherIds(
  db: Kysely<DB>,
  visibility: Visibility,
  teacherIds: ReadonlyArray<number>,
): Promise<
  Array<{ entry: CreditEntry; activity: Activity | null; provider: Organization | null }>
> {
  if (teacherIds.length === 0) return [];
  const rows = await creditEntriesByTeacherIds(
    db,
    { visibility, withActivities: true },
    teacherIds,
  );
  return rows.map((row) => {
    const activity = row.activity_id === null ? null : activityAt('activity', row.activity_id, row);
    return {
      entry: toCreditEntry(row),
      activity,
      provider: activity ? organizationAt('provider', activity.providerId, row) : null,
    };
  });
}

/**
 * Teachers' ledgers, with each entry's activity and its provider when asked for: one statement
 * per shape (visibility, activities or not), the joins the only difference.
 */
const creditEntriesByTeacherIds = compiledByIds({
  shapeKey: ({ visibility, withActivities }: { visibility: Visibility; withActivities: boolean }) =>
    `${withActivities}${visibilityKey(visibility)}`,
  build: (db, anyId, { visibility, withActivities }) =>
    db
      .selectFrom('credit_ledger')
      .selectAll('credit_ledger')
      .$if(withActivities, (q) =>
        q
          .leftJoin('activities', (join) =>
            join
              .onRef('activities.id', '=', 'credit_ledger.activity_id')
              .on((eb) =>
                activityVisible(eb as unknown as ExpressionBuilder<DB, 'activities'>, visibility),
              ),
          )
          .leftJoin('organizations as provider', 'provider.id', 'activities.provider_id')
          .select(activityColumns('activity'))
          .select(organizationColumns('provider')),
      )
      .where('credit_ledger.teacher_id', '=', anyId)
      .where((eb) => ledgerVisible(eb, visibility))
      .orderBy('credit_ledger.id'),
});

function toCreditEntry(row: Selectable<CreditLedger>): CreditEntry {
  return {
    id: row.id,
    teacherId: row.teacher_id,
    kind: row.kind as LedgerEntryKind,
    activityId: row.activity_id,
    enrollmentId: row.enrollment_id,
    category: row.category,
    hours: row.hours,
    policyId: row.policy_id,
    earnedOn: row.earned_on,
    reason: row.reason,
    correctsEntryId: row.corrects_entry_id,
    createdAt: row.created_at,
  };
}

export async function findCreditEntriesByIds(
  db: Kysely<DB>,
  visibility: Visibility,
  ids: ReadonlyArray<number>,
): Promise<CreditEntry[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('credit_ledger')
    .selectAll()
    .where('id', 'in', ids)
    .where((eb) => ledgerVisible(eb, visibility))
    .execute();
  return rows.map(toCreditEntry);
}

export interface Certificate {
  id: number;
  kind: CertificateKind;
  teacherId: number;
  enrollmentId: number | null;
  verificationCode: string;
  issuedAt: Date;
  revokedAt: Date | null;
  revocationReason: string | null;
}

export async function findCertificatesByTeacherIds(
  db: Kysely<DB>,
  visibility: Visibility,
  teacherIds: ReadonlyArray<number>,
): Promise<Certificate[]> {
  if (teacherIds.length === 0) return [];
  const rows = await db
    .selectFrom('certificates')
    .selectAll()
    .where('teacher_id', 'in', teacherIds)
    .where((eb) => certificateVisible(eb, visibility))
    .orderBy('issued_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toCertificate);
}

function toCertificate(row: Selectable<Certificates>): Certificate {
  return {
    id: row.id,
    kind: row.kind as CertificateKind,
    teacherId: row.teacher_id,
    enrollmentId: row.enrollment_id,
    verificationCode: row.verification_code,
    issuedAt: row.issued_at,
    revokedAt: row.revoked_at,
    revocationReason: row.revocation_reason,
  };
}

export async function findCertificatesByIds(
  db: Kysely<DB>,
  visibility: Visibility,
  ids: ReadonlyArray<number>,
): Promise<Certificate[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('certificates')
    .selectAll()
    .where('id', 'in', ids)
    .where((eb) => certificateVisible(eb, visibility))
    .execute();
  return rows.map(toCertificate);
}

export async function findAttendanceByIds(
  db: Kysely<DB>,
  visibility: Visibility,
  ids: ReadonlyArray<number>,
): Promise<AttendanceRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('attendance')
    .selectAll()
    .where('id', 'in', ids)
    .where((eb) => attendanceVisible(eb, visibility))
    .execute();
  return rows.map(toAttendance);
}

export async function countAttendanceBySessionIds(
  db: Kysely<DB>,
  visibility: Visibility,
  sessionIds: ReadonlyArray<number>,
): Promise<Map<number, number>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('attendance')
    .select(['attendance.session_id', (eb) => eb.fn.countAll<string | number>().as('count')])
    .where('attendance.session_id', 'in', sessionIds)
    .where((eb) => attendanceVisible(eb, visibility))
    .groupBy('attendance.session_id')
    .execute();
  return new Map(rows.map((row) => [row.session_id, Number(row.count)]));
}

// --- changes -----------------------------------------------------------------------------------

export interface NewEnrollment {
  activityId: number;
  teacherId: number;
  schoolId: number;
  source: EnrollmentSource;
  enrolledBy: number | null;
  status?: EnrollmentStatus;
  substitutesEnrollmentId?: number | null;
  decidedBy?: number | null;
}

/**
 * Inserts an enrollment; null when the teacher is already on the roster (unique per activity
 * and teacher), so a retried or concurrent request never makes a second one.
 */
export async function insertEnrollment(
  db: Kysely<DB>,
  enrollment: NewEnrollment,
): Promise<Enrollment | null> {
  const decided = enrollment.decidedBy !== undefined && enrollment.decidedBy !== null;
  const row = await db
    .insertInto('enrollments')
    .values({
      activity_id: enrollment.activityId,
      teacher_id: enrollment.teacherId,
      school_id: enrollment.schoolId,
      source: enrollment.source,
      enrolled_by: enrollment.enrolledBy,
      status: enrollment.status ?? 'registered',
      substitutes_enrollment_id: enrollment.substitutesEnrollmentId ?? null,
      decided_by: enrollment.decidedBy ?? null,
      decided_at: decided ? sql<Date>`now()` : null,
    })
    .onConflict((oc) => oc.columns(['activity_id', 'teacher_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toEnrollment(row) : null;
}

/** Locks enrollments for a decision; ordered by id so concurrent batches cannot deadlock. */
export async function lockEnrollments(
  db: Kysely<DB>,
  ids: readonly number[],
): Promise<Map<number, Enrollment>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('enrollments')
    .selectAll()
    .where('id', 'in', [...ids])
    .orderBy('id')
    .forUpdate()
    .execute();
  return new Map(rows.map((row) => [row.id, toEnrollment(row)]));
}

/** The school's decision on a participant's eligibility. */
export async function setEnrollmentDecision(
  db: Kysely<DB>,
  id: number,
  decision: {
    status: 'eligibility_confirmed' | 'eligibility_rejected' | 'substituted';
    reason: string | null;
    decidedBy: number | null;
  },
): Promise<Enrollment> {
  const row = await db
    .updateTable('enrollments')
    .set({
      status: decision.status,
      rejection_reason: decision.reason,
      decided_by: decision.decidedBy,
      decided_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEnrollment(row);
}

/** Teachers by national ID (as printed on staff lists), for enrolling by ID. */
export async function findTeachersByNationalIds(
  db: Kysely<DB>,
  nationalIds: readonly string[],
): Promise<Map<string, { id: number; schoolId: number; name: string }>> {
  if (nationalIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('teachers')
    .select(['id', 'school_id', 'name', 'national_id'])
    .where('national_id', 'in', [...nationalIds])
    .execute();
  return new Map(
    rows.map((r) => [r.national_id, { id: r.id, schoolId: r.school_id, name: r.name }]),
  );
}
