import type { RequirementPolicy, TeacherCycleHours } from '@registry/db';
import {
  progressAgainstRequirement,
  transcriptTotals,
  type RequirementProgress,
} from '@registry/domain';

export interface TeacherBehind extends TeacherCycleHours {
  policy: RequirementPolicy;
  progress: RequirementProgress;
  /** Categories whose minimum is behind, by code. */
  categoriesBehind: string[];
}

/**
 * Teachers behind their cycle requirement on a date: the cycle total or any category minimum
 * is behind pace (counted hours ÷ required < share of the cycle passed). The per-teacher sums
 * come from one statement; the judgement is the domain's own, so the report and the teacher's
 * transcript can never disagree.
 */
export function teachersBehind(
  rows: readonly TeacherCycleHours[],
  policies: ReadonlyMap<number, RequirementPolicy>,
  asOf: string,
): TeacherBehind[] {
  const behind: TeacherBehind[] = [];
  for (const row of rows) {
    const policy = policies.get(row.policyId);
    if (!policy) continue;
    // Each cell is already a net sum of one category and year; as entries they add up the same.
    const totals = transcriptTotals(
      row.cells.map((cell) => ({
        kind: 'award' as const,
        hours: cell.hours,
        category: cell.category,
        policyId: policy.id,
        earnedOn: `${String(cell.year).padStart(4, '0')}-01-01`,
      })),
    )[0] ?? {
      policyId: policy.id,
      totalHours: 0,
      byKind: { award: 0, adjustment: 0, revocation: 0 },
      categories: [],
      cells: [],
    };
    const progress = progressAgainstRequirement(totals, policy, asOf);
    const categoriesBehind = progress.categories
      .filter((c) => c.required > 0 && c.status === 'behind')
      .map((c) => c.category);
    if (progress.total.status === 'behind' || categoriesBehind.length > 0) {
      behind.push({ ...row, policy, progress, categoriesBehind });
    }
  }
  return behind;
}
