import {
  activityFigures,
  teacherCycleHours,
  type ActivityFigures,
  type ReportDimension,
  type ReportPeriod,
  type RequirementPolicy,
} from '@registry/db';
import type { Context } from '../../context';
import { loadAll } from '../../loaders';
import { activityLevelNames } from './report-labels';
import { teachersBehind, type TeacherBehind } from './teachers-behind';

/**
 * The figures behind both the GraphQL report fields and the CSV exports, so the two never
 * differ: one statement per figure group, shares computed once here.
 */
export interface ActivityFiguresRow extends ActivityFigures {
  dimension: ReportDimension;
  /** Completed ÷ decided; null before any completion is decided. */
  completionRate: number | null;
  /** Homework on time ÷ homework due; null when no homework was set. */
  homeworkOnTimeRate: number | null;
}

const share = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;

export async function loadActivityFigures(
  context: Context,
  period: ReportPeriod,
  dimension: ReportDimension,
): Promise<ActivityFiguresRow[]> {
  const rows = await activityFigures(
    context.db,
    context.visibility,
    period,
    dimension,
    context.locale,
  );
  return rows.map((row) => ({
    ...row,
    label:
      dimension === 'level'
        ? (activityLevelNames[row.key as keyof typeof activityLevelNames]?.[context.locale] ??
          row.key)
        : row.label,
    dimension,
    completionRate: share(row.completed, row.decided),
    homeworkOnTimeRate: share(row.homeworkOnTime, row.homeworkDue),
  }));
}

export async function loadTeachersBehind(
  context: Context,
  asOf: string,
  regionPath: string | null | undefined,
): Promise<TeacherBehind[]> {
  const rows = await teacherCycleHours(context.db, context.visibility, { asOf, regionPath });
  const ids = [...new Set(rows.map((row) => row.policyId))];
  const policies = new Map<number, RequirementPolicy>();
  for (const policy of await loadAll(context.loaders.requirementPolicy, ids)) {
    if (policy) policies.set(policy.id, policy);
  }
  return teachersBehind(rows, policies, asOf);
}

/** Hours the policy expects by the date at an even pace: required × share of the cycle passed. */
export function expectedHours(behind: TeacherBehind): number {
  const { total, elapsedDays, cycleDays } = behind.progress;
  return Math.round((total.required * 100 * elapsedDays) / cycleDays) / 100;
}
