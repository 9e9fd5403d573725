import { sql, type Kysely } from 'kysely';
import type { DB } from '../generated/database';
import { enrollmentVisible, ledgerVisible, type Visibility } from './visibility';

export interface ReportPeriod {
  /** First day counted, inclusive. */
  from: string;
  /** Last day counted, inclusive. */
  to: string;
  /** Only teachers of schools in this region subtree (materialized path), when set. */
  regionPath?: string | null | undefined;
}

export interface CategoryHours {
  category: string;
  hours: number;
  teachers: number;
}

/**
 * Net credit hours per category over a period, from the ledger the caller may see: awards minus
 * revocations plus adjustments, so a report always agrees with the transcripts it summarizes.
 */
export async function creditHoursByCategory(
  db: Kysely<DB>,
  visibility: Visibility,
  period: ReportPeriod,
): Promise<CategoryHours[]> {
  let query = db
    .selectFrom('credit_ledger')
    .where('credit_ledger.earned_on', '>=', period.from)
    .where('credit_ledger.earned_on', '<=', period.to)
    .where((eb) => ledgerVisible(eb, visibility));
  if (period.regionPath) {
    query = query.where(
      sql<boolean>`exists (select 1 from teachers t join organizations o on o.id = t.school_id join regions r on r.id = o.region_id where t.id = credit_ledger.teacher_id and r.path like ${`${period.regionPath}%`})`,
    );
  }
  const rows = await query
    .select([
      'credit_ledger.category',
      sql<number>`sum(credit_ledger.hours)`.as('hours'),
      sql<number>`count(distinct credit_ledger.teacher_id)`.as('teachers'),
    ])
    .groupBy('credit_ledger.category')
    .orderBy('credit_ledger.category')
    .execute();
  return rows.map((row) => ({
    category: row.category,
    hours: Number(row.hours),
    teachers: Number(row.teachers),
  }));
}

export interface MonthlyParticipation {
  /** First day of the month, YYYY-MM-01. */
  month: string;
  enrollments: number;
  teachers: number;
}

/** Enrollments per month of the activity's start, from the rosters the caller may see. */
export async function participationByMonth(
  db: Kysely<DB>,
  visibility: Visibility,
  period: ReportPeriod,
): Promise<MonthlyParticipation[]> {
  let query = db
    .selectFrom('enrollments')
    .innerJoin('activities', 'activities.id', 'enrollments.activity_id')
    .where('activities.starts_on', '>=', period.from)
    .where('activities.starts_on', '<=', period.to)
    .where((eb) => enrollmentVisible(eb, visibility));
  if (period.regionPath) {
    query = query.where(
      sql<boolean>`exists (select 1 from organizations o join regions r on r.id = o.region_id where o.id = enrollments.school_id and r.path like ${`${period.regionPath}%`})`,
    );
  }
  const rows = await query
    .select([
      sql<string>`to_char(date_trunc('month', activities.starts_on), 'YYYY-MM-DD')`.as('month'),
      sql<number>`count(*)`.as('enrollments'),
      sql<number>`count(distinct enrollments.teacher_id)`.as('teachers'),
    ])
    .groupBy(sql`date_trunc('month', activities.starts_on)`)
    .orderBy(sql`date_trunc('month', activities.starts_on)`)
    .execute();
  return rows.map((row) => ({
    month: row.month,
    enrollments: Number(row.enrollments),
    teachers: Number(row.teachers),
  }));
}
