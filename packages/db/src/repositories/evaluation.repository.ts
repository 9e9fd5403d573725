import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, Evaluations } from '../generated/database';
import { enrollmentVisible, type Visibility } from './visibility';

/**
 * A participant's rating of an activity after it closed (issue 4, point 10): one per
 * enrollment, enforced by the table's unique key.
 */
export interface Evaluation {
  id: number;
  enrollmentId: number;
  rating: number;
  comment: string | null;
  createdAt: Date;
}

function toEvaluation(row: Selectable<Evaluations>): Evaluation {
  return {
    id: row.id,
    enrollmentId: row.enrollment_id,
    rating: row.rating,
    comment: row.comment,
    createdAt: row.created_at,
  };
}

/** Evaluations are visible with their enrollment: the teacher, the school, the activity's staff. */
export async function findEvaluationsByEnrollmentIds(
  db: Kysely<DB>,
  visibility: Visibility,
  enrollmentIds: ReadonlyArray<number>,
): Promise<Evaluation[]> {
  if (enrollmentIds.length === 0) return [];
  const rows = await db
    .selectFrom('evaluations')
    .selectAll('evaluations')
    .where('evaluations.enrollment_id', 'in', enrollmentIds)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('enrollments')
          .select(sql`1`.as('one'))
          .whereRef('enrollments.id', '=', 'evaluations.enrollment_id')
          .where((inner) => enrollmentVisible(inner, visibility)),
      ),
    )
    .execute();
  return rows.map(toEvaluation);
}

/**
 * Writes the evaluation unless the enrollment already has one; null then. "On conflict do
 * nothing" rather than catching the unique violation: two concurrent clicks both end without
 * an error inside the transaction, and the loser is told it conflicts.
 */
export async function insertEvaluation(
  db: Kysely<DB>,
  evaluation: { enrollmentId: number; rating: number; comment: string | null },
): Promise<Evaluation | null> {
  const row = await db
    .insertInto('evaluations')
    .values({
      enrollment_id: evaluation.enrollmentId,
      rating: evaluation.rating,
      comment: evaluation.comment,
    })
    .onConflict((oc) => oc.column('enrollment_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toEvaluation(row) : null;
}
