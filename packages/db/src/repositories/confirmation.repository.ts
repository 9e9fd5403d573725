import type { AttendanceStatus, ConfirmationLevel } from '@registry/domain';
import { participantStatuses } from '@registry/domain';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Confirmations, DB } from '../generated/database';
import type { Confirmation } from './directory.repository';

/**
 * The confirmation chain's storage (issue 4, point 5). Callers hold the activity's row lock
 * (lockActivity) around every read-decide-write here, so "is there a standing link?" and the
 * insert that follows see the same state; the partial unique indexes of migration
 * 2026-11-22T1300 back that up in the database.
 */

function toConfirmation(row: Selectable<Confirmations>): Confirmation {
  return {
    id: row.id,
    activityId: row.activity_id,
    level: row.level as ConfirmationLevel,
    organizationId: row.organization_id,
    revision: row.revision,
    confirmedAt: row.confirmed_at,
    supersededAt: row.superseded_at,
    note: row.note,
  };
}

export interface RosterSchool {
  id: number;
  name: string;
  participants: number;
  /** The school's link stands (confirmed, not superseded). */
  confirmed: boolean;
}

/** confirmation.roster-schools: every school vouching for someone on the roster, by name. */
export async function findRosterSchools(
  db: Kysely<DB>,
  activityId: number,
): Promise<RosterSchool[]> {
  const rows = await db
    .selectFrom('enrollments as e')
    .innerJoin('organizations as o', 'o.id', 'e.school_id')
    .select([
      'o.id',
      'o.name',
      sql<number>`count(*) filter (where e.status in (${sql.join(participantStatuses.map((s) => sql.lit(s)))}))`.as(
        'participants',
      ),
      sql<boolean>`exists (select 1 from confirmations c where c.activity_id = ${activityId} and c.level = 'school' and c.organization_id = o.id and c.superseded_at is null)`.as(
        'confirmed',
      ),
    ])
    .where('e.activity_id', '=', activityId)
    .groupBy(['o.id', 'o.name'])
    .orderBy('o.name')
    .orderBy('o.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    participants: Number(r.participants),
    confirmed: Boolean(r.confirmed),
  }));
}

/** confirmation.standing: the links of the chain that are not superseded. */
export async function findStandingConfirmations(
  db: Kysely<DB>,
  activityId: number,
): Promise<Confirmation[]> {
  const rows = await db
    .selectFrom('confirmations')
    .selectAll()
    .where('activity_id', '=', activityId)
    .where('superseded_at', 'is', null)
    .orderBy('id')
    .execute();
  return rows.map(toConfirmation);
}

/** confirmation.revisions: every revision one organization's link ever had. */
export async function findConfirmationRevisions(
  db: Kysely<DB>,
  activityId: number,
  level: ConfirmationLevel,
  organizationId: number,
): Promise<number[]> {
  const rows = await db
    .selectFrom('confirmations')
    .select('revision')
    .where('activity_id', '=', activityId)
    .where('level', '=', level)
    .where('organization_id', '=', organizationId)
    .execute();
  return rows.map((r) => r.revision);
}

/** Whether the school ever confirmed (any revision, superseded or not). */
export async function schoolEverConfirmed(
  db: Kysely<DB>,
  activityId: number,
  schoolId: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('confirmations')
    .select('id')
    .where('activity_id', '=', activityId)
    .where('level', '=', 'school')
    .where('organization_id', '=', schoolId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface NewConfirmation {
  activityId: number;
  level: ConfirmationLevel;
  organizationId: number;
  revision: number;
  confirmedBy: number | null;
  note: string | null;
}

/**
 * confirmation.insert. Null when a standing link of the same kind exists already (a partial
 * unique index): a concurrent confirmation won, and the caller answers "already confirmed".
 */
export async function insertConfirmation(
  db: Kysely<DB>,
  link: NewConfirmation,
): Promise<Confirmation | null> {
  const row = await db
    .insertInto('confirmations')
    .values({
      activity_id: link.activityId,
      level: link.level,
      organization_id: link.organizationId,
      revision: link.revision,
      confirmed_by: link.confirmedBy,
      note: link.note,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toConfirmation(row) : null;
}

/** confirmation.supersede: marks standing links superseded now; returns them as they are now. */
export async function supersedeConfirmations(
  db: Kysely<DB>,
  ids: readonly number[],
): Promise<Confirmation[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .updateTable('confirmations')
    .set({ superseded_at: sql<Date>`now()` })
    .where('id', 'in', ids)
    .where('superseded_at', 'is', null)
    .returningAll()
    .execute();
  return rows.map(toConfirmation);
}

export interface OfficeAbove {
  id: number;
  name: string;
  /** Depth of the office's region (1 = province): the deepest office is the nearest. */
  depth: number;
}

/** confirmation.offices-above: education offices of the region and every region above it. */
export async function findOfficesAboveRegion(
  db: Kysely<DB>,
  regionId: number,
): Promise<OfficeAbove[]> {
  const rows = await db
    .selectFrom('organizations as o')
    .innerJoin('regions as orr', 'orr.id', 'o.region_id')
    .innerJoin('regions as r', (join) =>
      join.on(sql<boolean>`r.path like orr.path || '%'`).on('r.id', '=', regionId),
    )
    .select([
      'o.id',
      'o.name',
      sql<number>`length(orr.path) - length(replace(orr.path, '/', '')) - 1`.as('depth'),
    ])
    .where('o.kind', '=', 'education_office')
    .orderBy('depth', 'desc')
    .orderBy('o.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, depth: Number(r.depth) }));
}

export interface AmendableAttendance {
  id: number;
  activityId: number;
  sessionId: number;
  enrollmentId: number;
  status: AttendanceStatus;
  minutes: number;
  schoolId: number;
  teacherId: number;
  providerId: number;
  /** Trainers who teach the session. */
  trainerIds: number[];
}

/**
 * confirmation.attendance-for-amendment: the row with who may correct it. `forUpdate` locks
 * the attendance row (the caller already holds the activity's lock).
 */
export async function findAttendanceForAmendment(
  db: Kysely<DB>,
  attendanceId: number,
): Promise<AmendableAttendance | null> {
  const row = await db
    .selectFrom('attendance as a')
    .innerJoin('enrollments as e', 'e.id', 'a.enrollment_id')
    .innerJoin('activities as act', 'act.id', 'a.activity_id')
    .select([
      'a.id',
      'a.activity_id',
      'a.session_id',
      'a.enrollment_id',
      'a.status',
      'a.minutes',
      'e.school_id',
      'e.teacher_id',
      'act.provider_id',
      sql<
        number[]
      >`coalesce((select array_agg(st.trainer_id order by st.trainer_id) from session_trainers st where st.session_id = a.session_id), '{}')`.as(
        'trainer_ids',
      ),
    ])
    .where('a.id', '=', attendanceId)
    .forUpdate('a')
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    activityId: row.activity_id,
    sessionId: row.session_id,
    enrollmentId: row.enrollment_id,
    status: row.status as AttendanceStatus,
    minutes: row.minutes,
    schoolId: row.school_id,
    teacherId: row.teacher_id,
    providerId: row.provider_id,
    trainerIds: row.trainer_ids.map(Number),
  };
}

export interface AttendanceAmendment {
  id: number;
  attendanceId: number;
  before: { status: AttendanceStatus; minutes: number };
  after: { status: AttendanceStatus; minutes: number };
  reason: string;
  requestedBy: number | null;
  requestedAt: Date;
}

/** confirmation.amend: records the amendment and changes the attendance row, together. */
export async function amendAttendanceRow(
  db: Kysely<DB>,
  amendment: Omit<AttendanceAmendment, 'id' | 'requestedAt'>,
): Promise<AttendanceAmendment> {
  const row = await db
    .insertInto('attendance_amendments')
    .values({
      attendance_id: amendment.attendanceId,
      before: JSON.stringify(amendment.before),
      after: JSON.stringify(amendment.after),
      reason: amendment.reason,
      requested_by: amendment.requestedBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db
    .updateTable('attendance')
    .set({
      status: amendment.after.status,
      minutes: amendment.after.minutes,
      recorded_by: amendment.requestedBy,
      recorded_at: sql<Date>`now()`,
    })
    .where('id', '=', amendment.attendanceId)
    .execute();
  return {
    id: row.id,
    attendanceId: row.attendance_id,
    before: row.before as AttendanceAmendment['before'],
    after: row.after as AttendanceAmendment['after'],
    reason: row.reason,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
  };
}
