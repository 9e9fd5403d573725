import {
  evaluateCompletion,
  type CompletionReason,
  type EnrollmentFacts,
} from '../completion/completion';
import { convertCreditHours, policyForDate, type RequirementPolicy } from '../credits/credits';
import { formatHours, type Locale } from '../i18n/locale';
import type { CompletionRules } from '../rules/rule-schemas';
import type { DeliveryMode, EnrollmentStatus } from '../vocabulary/vocabulary';
import { participantStatuses } from './confirmation-chain';

/**
 * Crediting a confirmed roster (issue 4, point 6): every participant is evaluated against the
 * completion rules, and the ledger is brought to what the rules decide — by appending entries,
 * never by changing one.
 *
 * Who wrote an entry matters. 'crediting' entries follow from the completion rules (the award,
 * and the adjustments and revocation a re-confirmation writes); 'office' entries are an
 * officer's own corrections with a reason. A re-evaluation keeps the office's corrections and
 * recomputes only the rest; an award the office revoked stays revoked.
 *
 * Units: hours are handled as integer hundredths (the ledger's numeric(7,2)), so a decision
 * never turns on a floating-point remainder.
 */

export const ledgerOrigins = ['crediting', 'office'] as const;
export type LedgerOrigin = (typeof ledgerOrigins)[number];

/** What the ledger already holds for one enrollment. */
export interface StandingCredit {
  /** The enrollment's award (one at most: a unique index) and the cycle it counts toward. */
  award: { id: number; hours: number; policyId?: number | null } | null;
  /** Net hours of every entry of the enrollment: award, adjustments and revocation. */
  netHours: number;
  /** Net hours of the office's own adjustments of the enrollment. */
  officeAdjustmentHours: number;
  /** The award's revocation (one at most: a unique index), and who wrote it. */
  revocation: { origin: LedgerOrigin } | null;
}

export const noStandingCredit: StandingCredit = {
  award: null,
  netHours: 0,
  officeAdjustmentHours: 0,
  revocation: null,
};

export type LedgerAction =
  | {
      kind: 'none';
      why: 'NOT_COMPLETED' | 'UP_TO_DATE' | 'REVOKED_BY_OFFICE' | 'NOTHING_TO_AWARD';
    }
  | { kind: 'award'; hours: number }
  | { kind: 'adjustment'; hours: number; correctsEntryId: number }
  | { kind: 'revocation'; hours: number; correctsEntryId: number };

const centi = (hours: number) => Math.round(hours * 100);

/**
 * Given the new outcome (completed or not, converted hours) and what the ledger holds, the one
 * entry to append, if any:
 *
 * | ledger holds                    | completes                   | does not complete          |
 * |---------------------------------|-----------------------------|----------------------------|
 * | no award                        | award(hours)                | nothing                    |
 * | award, net = target             | nothing                     | —                          |
 * | award, net ≠ target             | adjustment(target − net)    | revocation(−net), or an    |
 * |                                 |                             | adjustment once revoked    |
 * | award revoked by the office     | nothing                     | nothing                    |
 *
 * target = hours + the office's own adjustments (never below 0) when it completes, 0 when not.
 * The award of an enrollment is never written twice (a unique index says so too): a revoked
 * award that completes again is reinstated by an adjustment that corrects it.
 */
export function decideLedgerAction(
  outcome: { completed: boolean; hours: number },
  standing: StandingCredit,
): LedgerAction {
  if (standing.award === null) {
    if (!outcome.completed) return { kind: 'none', why: 'NOT_COMPLETED' };
    // A conversion factor can round a tiny activity to zero hours; an award needs hours > 0.
    if (centi(outcome.hours) <= 0) return { kind: 'none', why: 'NOTHING_TO_AWARD' };
    return { kind: 'award', hours: centi(outcome.hours) / 100 };
  }
  if (standing.revocation?.origin === 'office') return { kind: 'none', why: 'REVOKED_BY_OFFICE' };
  const net = centi(standing.netHours);
  const target = outcome.completed
    ? Math.max(centi(outcome.hours) + centi(standing.officeAdjustmentHours), 0)
    : 0;
  const delta = target - net;
  if (delta === 0) {
    return { kind: 'none', why: outcome.completed ? 'UP_TO_DATE' : 'NOT_COMPLETED' };
  }
  const correctsEntryId = standing.award.id;
  if (target === 0 && delta < 0 && standing.revocation === null) {
    return { kind: 'revocation', hours: delta / 100, correctsEntryId };
  }
  return { kind: 'adjustment', hours: delta / 100, correctsEntryId };
}

/** A requirement policy with the depth of its region (1 = province). */
export interface BindingPolicy extends RequirementPolicy {
  regionDepth: number;
}

/**
 * The cycle an award counts toward: among the policies of the participant's school region and
 * the regions above it that cover the day credit is earned, the deepest region's (a district's
 * own policy before its city's), then `policyForDate` among that region's cycles. Its
 * conversion factors convert the hours, so the award is what the teacher's own requirement
 * counts. Null when no cycle covers the day.
 */
export function creditingPolicy<P extends BindingPolicy>(
  policies: readonly P[],
  earnedOn: string,
): P | null {
  const covering = policies.filter((p) => policyForDate([p], earnedOn) !== null);
  if (covering.length === 0) return null;
  const depth = Math.max(...covering.map((p) => p.regionDepth));
  return policyForDate(
    covering.filter((p) => p.regionDepth === depth),
    earnedOn,
  );
}

export interface CreditingActivity {
  creditHours: number;
  deliveryMode: DeliveryMode;
  completionRules: CompletionRules;
  /** The activity's last day: credit is earned then. */
  endsOn: string;
}

export interface CreditingEnrollment {
  id: number;
  status: EnrollmentStatus;
  facts: EnrollmentFacts;
  standing: StandingCredit;
  /** Policies binding the enrollment's school (its region and every region above). */
  policies: readonly BindingPolicy[];
}

export interface CreditingLine {
  enrollmentId: number;
  completed: boolean;
  reasons: CompletionReason[];
  /** Status the enrollment moves to; equal to the old one when nothing changes. */
  status: EnrollmentStatus;
  previousStatus: EnrollmentStatus;
  /** Converted hours the rules grant, and the cycle they count toward. */
  hours: number;
  policyId: number | null;
  action: LedgerAction;
}

export interface CreditingPlan {
  lines: CreditingLine[];
  /** Registrations the school never confirmed as eligible: not evaluated, not credited. */
  unconfirmed: number[];
}

/**
 * Evaluates every participant of a confirmed roster and decides its ledger entry. Enrollments
 * that are not participants are left as they are: rejected, replaced and withdrawn ones took
 * no part, and a registration still awaiting the school's eligibility decision was never
 * vouched for — it is listed as unconfirmed so the office sees it, and is evaluated when a later
 * confirmation finds it confirmed.
 */
export function planCrediting(
  activity: CreditingActivity,
  enrollments: readonly CreditingEnrollment[],
): CreditingPlan {
  const lines: CreditingLine[] = [];
  const unconfirmed: number[] = [];
  for (const enrollment of enrollments) {
    if (enrollment.status === 'registered') unconfirmed.push(enrollment.id);
    if (!(participantStatuses as readonly string[]).includes(enrollment.status)) continue;
    const answer = evaluateCompletion(enrollment.facts, activity.completionRules);
    const policy = creditingPolicy(enrollment.policies, activity.endsOn);
    const hours = convertCreditHours(
      activity.creditHours,
      activity.deliveryMode,
      policy?.conversionFactors ?? {},
    );
    lines.push({
      enrollmentId: enrollment.id,
      completed: answer.completed,
      reasons: answer.reasons,
      status: answer.completed ? 'completed' : 'not_completed',
      previousStatus: enrollment.status,
      hours,
      policyId: policy?.id ?? null,
      action: decideLedgerAction({ completed: answer.completed, hours }, enrollment.standing),
    });
  }
  return { lines, unconfirmed };
}

export interface AmendmentNote {
  id: number;
  reason: string;
}

/** Longest reason the ledger keeps (credit_ledger.reason). */
export const maxLedgerReasonLength = 1000;

/**
 * The reason written on an adjustment or revocation of a re-confirmation: it names the office
 * revision and the amendments of the enrollment's attendance since the last crediting, in both
 * languages (the ledger stores one text that every reader sees).
 */
export function recreditReason(
  action: Extract<LedgerAction, { kind: 'adjustment' | 'revocation' }>,
  revision: number,
  amendments: readonly AmendmentNote[],
): string {
  const ids = amendments.map((a) => `#${a.id}`).join(', ');
  const quoted = amendments.map((a) => `#${a.id} “${a.reason}”`).join('; ');
  const what =
    action.kind === 'revocation'
      ? 'no longer completes; award revoked|不再符合结业条件，撤销学时'
      : action.hours > 0
        ? 'completes again or earns more; hours added|重新符合结业条件或学时增加，补记学时'
        : 'earns fewer hours; hours reduced|学时减少，核减学时';
  const [en, zh] = what.split('|') as [string, string];
  const text = amendments.length
    ? `Roster re-confirmed (revision ${revision}) after attendance amendment ${quoted}: ${en}. / 出勤更正 ${ids} 后重新确认名单（第 ${revision} 版）：${zh}。`
    : `Roster re-confirmed (revision ${revision}): ${en}. / 重新确认名单（第 ${revision} 版）：${zh}。`;
  return [...text].length <= maxLedgerReasonLength
    ? text
    : `${[...text].slice(0, maxLedgerReasonLength - 1).join('')}…`;
}

// --- the office's corrections ------------------------------------------------------------------

export interface CorrectableFacts {
  /** The entry this one corrects; corrections are made to the entry they correct. */
  correctsEntryId: number | null;
  /** Net hours of the entry and every entry correcting it. */
  chainHours: number;
  revoked: boolean;
}

export type CorrectionRequest = { kind: 'adjustment'; hours: number } | { kind: 'revocation' };

export type CorrectionRefusal =
  | { code: 'IS_A_CORRECTION'; correctsEntryId: number }
  | { code: 'ALREADY_REVOKED' }
  | { code: 'NOTHING_TO_REVOKE' }
  | { code: 'ZERO_HOURS' }
  | { code: 'NET_BELOW_ZERO'; netHours: number; hours: number };

export type CorrectionDecision =
  | { ok: true; kind: 'adjustment' | 'revocation'; hours: number }
  | { ok: false; refusal: CorrectionRefusal };

/**
 * An officer's correction of an entry, always a new entry with a reason:
 * - an adjustment adds or takes hours, but never leaves the entry's net below zero (a teacher
 *   cannot owe hours for an activity);
 * - a revocation cancels the entry's whole net (the entry and every correction of it), once.
 * Corrections are made to a root entry (an award, or a standalone entry), never to a
 * correction, so every chain is one level deep and its net is one sum.
 */
export function decideCorrection(
  entry: CorrectableFacts,
  request: CorrectionRequest,
): CorrectionDecision {
  if (entry.correctsEntryId !== null) {
    return {
      ok: false,
      refusal: { code: 'IS_A_CORRECTION', correctsEntryId: entry.correctsEntryId },
    };
  }
  const net = centi(entry.chainHours);
  if (request.kind === 'revocation') {
    if (entry.revoked) return { ok: false, refusal: { code: 'ALREADY_REVOKED' } };
    if (net <= 0) return { ok: false, refusal: { code: 'NOTHING_TO_REVOKE' } };
    return { ok: true, kind: 'revocation', hours: -net / 100 };
  }
  const hours = centi(request.hours);
  if (hours === 0) return { ok: false, refusal: { code: 'ZERO_HOURS' } };
  if (net + hours < 0) {
    return {
      ok: false,
      refusal: { code: 'NET_BELOW_ZERO', netHours: net / 100, hours: hours / 100 },
    };
  }
  return { ok: true, kind: 'adjustment', hours: hours / 100 };
}

export function describeCorrectionRefusal(refusal: CorrectionRefusal, locale: Locale): string {
  const zh = locale === 'zh-CN';
  switch (refusal.code) {
    case 'IS_A_CORRECTION':
      return zh
        ? `该记录本身是一条更正，请更正它所更正的记录（#${refusal.correctsEntryId}）。`
        : `This entry is itself a correction; correct the entry it corrects (#${refusal.correctsEntryId}).`;
    case 'ALREADY_REVOKED':
      return zh ? '该记录已被撤销。' : 'This entry has already been revoked.';
    case 'NOTHING_TO_REVOKE':
      return zh
        ? '该记录经更正后已无学时，无需撤销。'
        : 'Nothing is left of this entry after its corrections; there is nothing to revoke.';
    case 'ZERO_HOURS':
      return zh ? '调整的学时不能为0。' : 'An adjustment must change the hours.';
    case 'NET_BELOW_ZERO':
      return zh
        ? `该记录现有 ${formatHours(refusal.netHours)} 学时，调整 ${formatHours(refusal.hours)} 学时后将小于0。`
        : `The entry stands at ${formatHours(refusal.netHours)} hours; adjusting by ${formatHours(refusal.hours)} would leave it below zero.`;
    default: {
      const never: never = refusal;
      throw new Error(`unknown correction refusal ${JSON.stringify(never)}`);
    }
  }
}
