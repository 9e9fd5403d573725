import type { BindingPolicy, EnrollmentOutcomeFacts, ProgressFacts } from '@registry/db';
import {
  convertCreditHours,
  countsToward,
  describeCompletionReason,
  evaluateCompletion,
  ledgerProgress,
  policyForDate,
  withinCycle,
  type ActivityStatus,
  type CompletionReason,
  type CycleTotals,
  type Locale,
  type RequirementProgress,
} from '@registry/domain';
import type { Localized } from '../../errors';

/**
 * A teacher's transcript and progress for one cycle (issue 4, point 7), composed from the
 * domain's rules over facts read in one batch: the ledger held against the policy
 * (ledgerProgress: the cycle's entries, their sum, the caps and minimums), the credit an
 * enrollment would bring (convertCreditHours) and why one did not complete
 * (evaluateCompletion). Nothing here reads the database or knows GraphQL.
 */

/** Why an enrollment has not (or not yet) brought credit toward the cycle. */
export type UncreditedReason =
  | CompletionReason
  | { code: 'ELIGIBILITY_REJECTED'; reason: string | null }
  | { code: 'SUBSTITUTED'; reason: string | null }
  | { code: 'WITHDRAWN' }
  | { code: 'ACTIVITY_REJECTED' }
  | { code: 'IN_PROGRESS'; activityStatus: ActivityStatus }
  | { code: 'AWAITING_CREDIT' }
  | { code: 'NOT_COMPLETED' }
  | { code: 'REVOKED'; reason: string | null };

export type UncreditedReasonCode = UncreditedReason['code'];

export interface UncreditedEnrollment {
  enrollmentId: number;
  activityId: number;
  /** Credit hours it brings if it credits, converted by the cycle's policy. */
  hours: number;
  /** It may still credit: the activity is under way, or the teacher completed and awaits credit. */
  pending: boolean;
  reasons: UncreditedReason[];
}

export interface TeacherProgress extends RequirementProgress {
  policy: BindingPolicy;
  /** Net hours per kind of ledger entry; their sum is `total.earned`. */
  byKind: CycleTotals['byKind'];
  /** Ledger entries that count toward the cycle. */
  entryCount: number;
  /** Hours of the pending enrollments: what the teacher is on course to add. */
  plannedHours: number;
  uncredited: UncreditedEnrollment[];
}

/**
 * The cycle that binds the teacher on a date: a district's own policy before its city's
 * (findRequirementPoliciesAbove), and among one region's cycles the domain's policyForDate.
 */
export function bindingPolicyOn(
  policies: readonly BindingPolicy[],
  date: string,
): BindingPolicy | null {
  const covering = policies.filter((p) => withinCycle(date, p));
  const depth = Math.max(...covering.map((p) => p.regionDepth));
  return policyForDate(
    covering.filter((p) => p.regionDepth === depth),
    date,
  );
}

const underWay: readonly ActivityStatus[] = [
  'draft',
  'submitted',
  'approved',
  'open',
  'in_progress',
];

function outcomeOf(
  enrollment: EnrollmentOutcomeFacts,
  revocationReason: string | null | undefined,
): { pending: boolean; reasons: UncreditedReason[] } {
  if (revocationReason !== undefined) {
    return { pending: false, reasons: [{ code: 'REVOKED', reason: revocationReason }] };
  }
  switch (enrollment.status) {
    case 'eligibility_rejected':
      return {
        pending: false,
        reasons: [{ code: 'ELIGIBILITY_REJECTED', reason: enrollment.rejectionReason }],
      };
    case 'substituted':
      return {
        pending: false,
        reasons: [{ code: 'SUBSTITUTED', reason: enrollment.rejectionReason }],
      };
    case 'withdrawn':
      return { pending: false, reasons: [{ code: 'WITHDRAWN' }] };
    case 'completed':
      return { pending: true, reasons: [{ code: 'AWAITING_CREDIT' }] };
    default:
      break;
  }
  if (enrollment.activityStatus === 'rejected') {
    return { pending: false, reasons: [{ code: 'ACTIVITY_REJECTED' }] };
  }
  if (underWay.includes(enrollment.activityStatus)) {
    return {
      pending: true,
      reasons: [{ code: 'IN_PROGRESS', activityStatus: enrollment.activityStatus }],
    };
  }
  // The activity has closed: the completion rule says what is missing, in the same words the
  // close and the roster use.
  const answer = evaluateCompletion(
    {
      sessions: enrollment.sessions,
      attendance: enrollment.attendance,
      assignmentsOnTime: enrollment.assignmentsOnTime,
      assignmentCount: enrollment.assignmentCount,
      assessment: enrollment.assessment,
    },
    enrollment.completionRules,
  );
  if (enrollment.status === 'not_completed') {
    // The recorded decision stands; when today's facts no longer show why, say what was recorded.
    return {
      pending: false,
      reasons: answer.reasons.length ? answer.reasons : [{ code: 'NOT_COMPLETED' }],
    };
  }
  if (answer.completed) return { pending: true, reasons: [{ code: 'AWAITING_CREDIT' }] };
  return { pending: false, reasons: answer.reasons };
}

/** Transcript, progress and the enrollments that did not credit, for one cycle as of a date. */
export function teacherProgress(
  facts: ProgressFacts,
  policy: BindingPolicy,
  asOf: string,
): TeacherProgress {
  const { entryCount, totals, progress } = ledgerProgress(facts.entries, policy, asOf);

  const awardOf = new Map<number, (typeof facts.entries)[number]>();
  for (const entry of facts.entries) {
    if (entry.kind === 'award' && entry.enrollmentId !== null)
      awardOf.set(entry.enrollmentId, entry);
  }
  const revocationOf = new Map<number, string | null>();
  for (const entry of facts.entries) {
    if (entry.kind === 'revocation' && entry.correctsEntryId !== null)
      revocationOf.set(entry.correctsEntryId, entry.reason);
  }

  const uncredited: UncreditedEnrollment[] = [];
  for (const enrollment of facts.enrollments) {
    const award = awardOf.get(enrollment.id);
    const revoked = award ? revocationOf.get(award.id) : undefined;
    if (award && !revocationOf.has(award.id)) continue;
    // An enrollment belongs to the cycle its award counted toward, or else to the cycle of the
    // activity's last day, the day credit is earned.
    const inCycle = award ? countsToward(award, policy) : withinCycle(enrollment.endsOn, policy);
    if (!inCycle) continue;
    const outcome = outcomeOf(enrollment, award ? (revoked ?? null) : undefined);
    uncredited.push({
      enrollmentId: enrollment.id,
      activityId: enrollment.activityId,
      hours: convertCreditHours(
        enrollment.creditHours,
        enrollment.deliveryMode,
        policy.conversionFactors,
      ),
      ...outcome,
    });
  }
  const plannedCenti = uncredited
    .filter((u) => u.pending)
    .reduce((sum, u) => sum + Math.round(u.hours * 100), 0);

  return {
    ...progress,
    policy,
    byKind: totals.byKind,
    entryCount,
    plannedHours: plannedCenti / 100,
    uncredited,
  };
}

const texts: Record<
  Exclude<UncreditedReasonCode, CompletionReason['code']>,
  (reason: UncreditedReason) => Localized
> = {
  ELIGIBILITY_REJECTED: (r) => {
    const why = 'reason' in r && r.reason ? r.reason : null;
    return {
      en: `The school rejected the enrollment${why ? `: ${why}` : '.'}`,
      'zh-CN': `学校未通过该教师的参训资格${why ? `：${why}` : '。'}`,
    };
  },
  SUBSTITUTED: (r) => {
    const why = 'reason' in r && r.reason ? r.reason : null;
    return {
      en: `Another teacher took this place${why ? ` (${why})` : ''}.`,
      'zh-CN': `已由其他教师替换参训${why ? `（${why}）` : ''}。`,
    };
  },
  WITHDRAWN: () => ({ en: 'The teacher withdrew.', 'zh-CN': '教师已退出该活动。' }),
  ACTIVITY_REJECTED: () => ({
    en: 'The education office did not approve the activity.',
    'zh-CN': '该活动未获教育行政部门批准。',
  }),
  IN_PROGRESS: () => ({
    en: 'The activity is still in progress; credit is decided when it closes.',
    'zh-CN': '活动尚在进行中，结束后认定学分。',
  }),
  AWAITING_CREDIT: () => ({
    en: 'Completed; the credit hours have not been awarded yet.',
    'zh-CN': '已完成，学时尚未登记。',
  }),
  NOT_COMPLETED: () => ({
    en: 'Recorded as not completed.',
    'zh-CN': '已认定为未完成。',
  }),
  REVOKED: (r) => {
    const why = 'reason' in r && r.reason ? r.reason : null;
    return {
      en: `The credit was revoked${why ? `: ${why}` : '.'}`,
      'zh-CN': `学时已被撤销${why ? `：${why}` : '。'}`,
    };
  },
};

/** A reason in words a school administrator or the teacher understands. */
export function describeUncreditedReason(reason: UncreditedReason, locale: Locale): string {
  switch (reason.code) {
    case 'NO_SESSIONS':
    case 'ATTENDANCE_BELOW_THRESHOLD':
    case 'ONLINE_BLOCK_SHORT':
    case 'ASSIGNMENTS_BELOW_MINIMUM':
    case 'ASSESSMENT_MISSING':
    case 'ASSESSMENT_BELOW_MINIMUM':
      return describeCompletionReason(reason, locale);
    default:
      return texts[reason.code](reason)[locale];
  }
}
