import type {
  AssessmentResult,
  AttendanceStatus,
  BindingPolicy,
  CreditingEnrollment,
  EnrollmentStatus,
  LedgerOrigin,
  SessionMode,
  StandingCredit,
} from '@registry/domain';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../generated/database';
import { chunksOf, intArray } from './array-parameters';
import { bindingPoliciesByKey, policyRegionDepth, regionAtOrAbove } from './binding-policies';

/**
 * Storage of the crediting (issue 4, point 6). The gateway calls these inside the roster
 * confirmation's transaction, holding the activity's row lock: the facts read here are the
 * facts the entries are written from. Statements are named so they can be found in logs.
 */

export interface CreditingRow extends CreditingEnrollment {
  teacherId: number;
  schoolId: number;
}

/**
 * crediting.facts: every enrollment of the activity with what its outcome and its ledger entry
 * depend on — the programme, its attendance, homework on time, the assessment, what the ledger
 * holds for it and the policies binding its school. Six statements whatever the roster size.
 */
export async function findCreditingFacts(
  db: Kysely<DB>,
  activityId: number,
): Promise<CreditingRow[]> {
  // crediting.enrollments
  const enrollments = await db
    .selectFrom('enrollments as e')
    .innerJoin('organizations as o', 'o.id', 'e.school_id')
    .select([
      'e.id',
      'e.teacher_id',
      'e.school_id',
      'e.status',
      'e.assessment_result',
      'o.region_id',
      sql<number>`(select count(*) from submissions s where s.enrollment_id = e.id and s.on_time)`.as(
        'on_time',
      ),
    ])
    .where('e.activity_id', '=', activityId)
    .orderBy('e.id')
    .execute();
  if (enrollments.length === 0) return [];

  // crediting.sessions
  const sessions = (
    await db
      .selectFrom('sessions')
      .select(['id', 'sequence', 'title', 'hours', 'mode', 'online_min_minutes'])
      .where('activity_id', '=', activityId)
      .orderBy('sequence')
      .execute()
  ).map((s) => ({
    id: s.id,
    sequence: s.sequence,
    title: s.title,
    hours: s.hours,
    mode: s.mode as SessionMode,
    onlineMinMinutes: s.online_min_minutes,
  }));
  // crediting.assignment-count
  const assignments = await db
    .selectFrom('assignments')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('activity_id', '=', activityId)
    .executeTakeFirstOrThrow();

  // crediting.attendance
  const attendance = await db
    .selectFrom('attendance')
    .select(['enrollment_id', 'session_id', 'status', 'minutes'])
    .where('activity_id', '=', activityId)
    .execute();
  const attendanceOf = new Map<number, CreditingEnrollment['facts']['attendance'][number][]>();
  for (const row of attendance) {
    const list = attendanceOf.get(row.enrollment_id) ?? [];
    list.push({
      sessionId: row.session_id,
      status: row.status as AttendanceStatus,
      minutes: row.minutes,
    });
    attendanceOf.set(row.enrollment_id, list);
  }

  // crediting.ledger: what the ledger holds for the roster, award by award.
  const ledger = await db
    .selectFrom('credit_ledger')
    .select(['id', 'enrollment_id', 'kind', 'origin', 'hours', 'corrects_entry_id', 'policy_id'])
    // One array parameter, not one placeholder per enrollment of a 10k roster.
    .where(
      'enrollment_id',
      '=',
      sql<number>`any(${intArray(enrollments.map((e) => e.id))}::int4[])`,
    )
    .orderBy('id')
    .execute();
  const standingOf = new Map<number, StandingCredit>();
  for (const entry of ledger) {
    const id = entry.enrollment_id!;
    const standing: StandingCredit = standingOf.get(id) ?? {
      award: null,
      netHours: 0,
      officeAdjustmentHours: 0,
      revocation: null,
    };
    // Sums in hundredths: hours are numeric(7,2).
    standing.netHours = (Math.round(standing.netHours * 100) + Math.round(entry.hours * 100)) / 100;
    if (entry.kind === 'award')
      standing.award = { id: entry.id, hours: entry.hours, policyId: entry.policy_id };
    if (entry.kind === 'adjustment' && entry.origin === 'office') {
      standing.officeAdjustmentHours =
        (Math.round(standing.officeAdjustmentHours * 100) + Math.round(entry.hours * 100)) / 100;
    }
    if (
      entry.kind === 'revocation' &&
      standing.award &&
      entry.corrects_entry_id === standing.award.id
    ) {
      standing.revocation = { origin: entry.origin as LedgerOrigin };
    }
    standingOf.set(id, standing);
  }

  // crediting.binding-policies: the policies of each school's region and every region above.
  const regionIds = [...new Set(enrollments.map((e) => e.region_id))];
  const bindings = await db
    .selectFrom('regions as r')
    .innerJoin('regions as pr', (join) => join.on(regionAtOrAbove))
    .innerJoin('requirement_policies as p', 'p.region_id', 'pr.id')
    .select(['r.id as region_id', 'p.id as policy_id', policyRegionDepth])
    .where('r.id', 'in', regionIds)
    .execute();
  const policiesOf: Map<number, BindingPolicy[]> = await bindingPoliciesByKey(
    db,
    bindings,
    (binding) => binding.region_id,
  );

  return enrollments.map((e) => ({
    id: e.id,
    teacherId: e.teacher_id,
    schoolId: e.school_id,
    status: e.status as EnrollmentStatus,
    facts: {
      sessions,
      attendance: attendanceOf.get(e.id) ?? [],
      assignmentsOnTime: Number(e.on_time),
      assignmentCount: Number(assignments.count),
      assessment: e.assessment_result as AssessmentResult | null,
    },
    standing: standingOf.get(e.id) ?? {
      award: null,
      netHours: 0,
      officeAdjustmentHours: 0,
      revocation: null,
    },
    policies: policiesOf.get(e.region_id) ?? [],
  }));
}

/** crediting.outcomes: moves enrollments to completed or not_completed, one statement each. */
export async function setEnrollmentOutcomes(
  db: Kysely<DB>,
  outcomes: ReadonlyArray<{ id: number; status: 'completed' | 'not_completed' }>,
): Promise<void> {
  for (const status of ['completed', 'not_completed'] as const) {
    const ids = outcomes.filter((o) => o.status === status).map((o) => o.id);
    if (ids.length === 0) continue;
    await db
      .updateTable('enrollments')
      .set({ status, updated_at: sql<Date>`now()` })
      // One array parameter, not one per id: a roster of 70k would pass the protocol's
      // 65,535-parameter limit.
      .where('id', '=', sql<number>`any(${intArray(ids)}::int4[])`)
      .execute();
  }
}

export interface NewLedgerEntry {
  teacherId: number;
  kind: 'award' | 'adjustment' | 'revocation';
  origin: LedgerOrigin;
  activityId: number | null;
  enrollmentId: number | null;
  policyId: number | null;
  category: string;
  hours: number;
  earnedOn: string;
  reason: string | null;
  correctsEntryId: number | null;
  actorId: number | null;
}

export interface WrittenLedgerEntry extends NewLedgerEntry {
  id: number;
  createdAt: Date;
}

const fromRow = (row: {
  id: number;
  teacher_id: number;
  kind: string;
  origin: string;
  activity_id: number | null;
  enrollment_id: number | null;
  policy_id: number | null;
  category: string;
  hours: number;
  earned_on: string;
  reason: string | null;
  corrects_entry_id: number | null;
  actor_id: number | null;
  created_at: Date;
}): WrittenLedgerEntry => ({
  id: row.id,
  teacherId: row.teacher_id,
  kind: row.kind as NewLedgerEntry['kind'],
  origin: row.origin as LedgerOrigin,
  activityId: row.activity_id,
  enrollmentId: row.enrollment_id,
  policyId: row.policy_id,
  category: row.category,
  hours: row.hours,
  earnedOn: row.earned_on,
  reason: row.reason,
  correctsEntryId: row.corrects_entry_id,
  actorId: row.actor_id,
  createdAt: row.created_at,
});

/**
 * crediting.append: appends entries and returns those actually written. Exactly once is the
 * database's promise, not only this caller's: an award whose enrollment already has one, or a
 * revocation of an entry already revoked, hits a partial unique index and is skipped
 * (`on conflict do nothing`) instead of failing the transaction — so a retried or concurrent
 * crediting that got past every other guard still cannot write a second award.
 */
export async function appendLedgerEntries(
  db: Kysely<DB>,
  entries: readonly NewLedgerEntry[],
): Promise<WrittenLedgerEntry[]> {
  const written: WrittenLedgerEntry[] = [];
  for (const awards of chunksOf(entries.filter((e) => e.kind === 'award'))) {
    written.push(
      ...(await insertLedgerRows(
        db,
        awards,
        sql`on conflict (enrollment_id) where kind = 'award' do nothing`,
      )),
    );
  }
  for (const revocations of chunksOf(entries.filter((e) => e.kind === 'revocation'))) {
    written.push(
      ...(await insertLedgerRows(
        db,
        revocations,
        sql`on conflict (corrects_entry_id) where kind = 'revocation' do nothing`,
      )),
    );
  }
  for (const adjustments of chunksOf(entries.filter((e) => e.kind === 'adjustment'))) {
    written.push(...(await insertLedgerRows(db, adjustments, sql``)));
  }
  return written;
}

/**
 * One `insert … select from unnest(…)`: a column per array parameter (12 whatever the count),
 * in list order, so a roster's awards are one statement instead of one placeholder per value
 * (a bind message holds at most 65,535). Same statement on both engines.
 */
async function insertLedgerRows(
  db: Kysely<DB>,
  entries: readonly NewLedgerEntry[],
  onConflict: ReturnType<typeof sql>,
): Promise<WrittenLedgerEntry[]> {
  const column = <T>(pick: (e: NewLedgerEntry) => T) => entries.map(pick);
  const { rows } = await sql<Parameters<typeof fromRow>[0]>`
    /* crediting.append */
    insert into credit_ledger (teacher_id, kind, origin, activity_id, enrollment_id, policy_id,
      category, hours, earned_on, reason, corrects_entry_id, actor_id)
    select teacher_id, kind, origin, activity_id, enrollment_id, policy_id,
      category, hours, earned_on, reason, corrects_entry_id, actor_id
    from unnest(
      ${intArray(column((e) => e.teacherId))}::int4[], ${column((e) => e.kind)}::text[],
      ${column((e) => e.origin)}::text[], ${intArray(column((e) => e.activityId))}::int4[],
      ${intArray(column((e) => e.enrollmentId))}::int4[], ${intArray(column((e) => e.policyId))}::int4[],
      ${column((e) => e.category)}::text[], ${column((e) => e.hours)}::numeric[],
      ${column((e) => e.earnedOn)}::date[], ${column((e) => e.reason)}::text[],
      ${intArray(column((e) => e.correctsEntryId))}::int8[], ${intArray(column((e) => e.actorId))}::int4[])
      with ordinality as u(teacher_id, kind, origin, activity_id, enrollment_id, policy_id,
        category, hours, earned_on, reason, corrects_entry_id, actor_id, position)
    order by position
    ${onConflict}
    returning *`.execute(db);
  return rows.map(fromRow);
}

export interface AmendmentOfEnrollment {
  id: number;
  enrollmentId: number;
  reason: string;
}

/**
 * crediting.amendments-since: amendments of the activity's attendance made after the office's
 * previous link was signed (all of them when there was none), for the reasons of re-credit
 * entries.
 */
export async function findAmendmentsSinceLastOfficeLink(
  db: Kysely<DB>,
  activityId: number,
): Promise<AmendmentOfEnrollment[]> {
  const rows = await db
    .selectFrom('attendance_amendments as m')
    .innerJoin('attendance as a', 'a.id', 'm.attendance_id')
    .select(['m.id', 'a.enrollment_id', 'm.reason'])
    .where('a.activity_id', '=', activityId)
    .where(
      sql<boolean>`m.requested_at >= coalesce((select max(c.confirmed_at) from confirmations c where c.activity_id = ${activityId} and c.level = 'office' and c.superseded_at is not null), '-infinity'::timestamptz)`,
    )
    .orderBy('m.id')
    .execute();
  return rows.map((r) => ({ id: r.id, enrollmentId: r.enrollment_id, reason: r.reason }));
}
