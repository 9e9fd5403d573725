import type { LedgerEntryKind, LedgerOrigin } from '@registry/domain';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../generated/database';

/**
 * An entry an officer wants to correct, with what the correction depends on. Corrections are
 * new entries (the ledger is append-only); they take the corrected entry's teacher, activity,
 * enrollment, category, cycle and day, so a transcript counts them where it counted the entry.
 */
export interface CorrectableEntry {
  id: number;
  teacherId: number;
  kind: LedgerEntryKind;
  origin: LedgerOrigin;
  activityId: number | null;
  enrollmentId: number | null;
  policyId: number | null;
  category: string;
  hours: number;
  earnedOn: string;
  /** The entry this one corrects, if it is a correction. */
  correctsEntryId: number | null;
  /** Net hours of the entry and every entry that corrects it. */
  chainHours: number;
  /** The entry has its revocation already (one per entry). */
  revoked: boolean;
  /** Region path of the teacher's school, for the office's reach. */
  schoolRegionPath: string;
}

const correctable = (db: Kysely<DB>) =>
  db
    .selectFrom('credit_ledger as l')
    .innerJoin('teachers as t', 't.id', 'l.teacher_id')
    .innerJoin('organizations as o', 'o.id', 't.school_id')
    .innerJoin('regions as r', 'r.id', 'o.region_id')
    .select([
      'l.id',
      'l.teacher_id',
      'l.kind',
      'l.origin',
      'l.activity_id',
      'l.enrollment_id',
      'l.policy_id',
      'l.category',
      'l.hours',
      'l.earned_on',
      'l.corrects_entry_id',
      'r.path',
      sql<number>`l.hours + coalesce((select sum(c.hours) from credit_ledger c where c.corrects_entry_id = l.id), 0)`.as(
        'chain_hours',
      ),
      sql<boolean>`exists (select 1 from credit_ledger c where c.corrects_entry_id = l.id and c.kind = 'revocation')`.as(
        'revoked',
      ),
    ]);

function toCorrectable(row: {
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
  corrects_entry_id: number | null;
  path: string;
  chain_hours: number;
  revoked: boolean;
}): CorrectableEntry {
  return {
    id: row.id,
    teacherId: row.teacher_id,
    kind: row.kind as LedgerEntryKind,
    origin: row.origin as LedgerOrigin,
    activityId: row.activity_id,
    enrollmentId: row.enrollment_id,
    policyId: row.policy_id,
    category: row.category,
    hours: row.hours,
    earnedOn: row.earned_on,
    correctsEntryId: row.corrects_entry_id,
    chainHours: Number(row.chain_hours),
    revoked: Boolean(row.revoked),
    schoolRegionPath: row.path,
  };
}

/** ledger.correctable-by-id */
export async function findCorrectableEntry(
  db: Kysely<DB>,
  entryId: number,
): Promise<CorrectableEntry | null> {
  const row = await correctable(db).where('l.id', '=', entryId).executeTakeFirst();
  return row ? toCorrectable(row) : null;
}

/** ledger.correctable-award: the award of an enrollment, if it has one. */
export async function findCorrectableAward(
  db: Kysely<DB>,
  enrollmentId: number,
): Promise<CorrectableEntry | null> {
  const row = await correctable(db)
    .where('l.enrollment_id', '=', enrollmentId)
    .where('l.kind', '=', 'award')
    .executeTakeFirst();
  return row ? toCorrectable(row) : null;
}

/**
 * ledger.lock-teacher: serializes the corrections of one teacher's ledger, so two officers'
 * concurrent corrections each see the other's result when they compute a net. Entries of an
 * activity are also serialized with its crediting by the caller locking the activity.
 */
export async function lockTeacher(db: Kysely<DB>, teacherId: number): Promise<void> {
  await db.selectFrom('teachers').select('id').where('id', '=', teacherId).forUpdate().execute();
}
