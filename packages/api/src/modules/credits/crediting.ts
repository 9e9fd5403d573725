import {
  appendAudit,
  appendAuditEntries,
  appendLedgerEntries,
  findAmendmentsSinceLastOfficeLink,
  findCreditingFacts,
  setActivityStatus,
  setEnrollmentOutcomes,
  type Activity,
  type AuditEntry,
  type Confirmation,
  type DB,
  type NewLedgerEntry,
} from '@registry/db';
import { planCrediting, recreditReason, transition, type Actor } from '@registry/domain';
import type { Kysely } from 'kysely';
import type { Context } from '../../context';

/** What one crediting did, for the office that confirmed the roster. */
export interface CreditingSummary {
  /** Participants evaluated against the completion rules. */
  evaluated: number;
  completed: number;
  notCompleted: number;
  /** Registrations the school never confirmed as eligible: not evaluated. */
  unconfirmed: number;
  awardsWritten: number;
  /** Completed participants whose award the ledger held already. */
  awardsAlreadyPresent: number;
  adjustmentsWritten: number;
  revocationsWritten: number;
  /** Net hours of the entries written now. */
  hoursWritten: number;
}

/**
 * Credits a confirmed roster: evaluates every participant with the domain's completion rules,
 * records completed / not completed, and appends the ledger entries `planCrediting` decides —
 * an award per newly completed participant, and after an amendment the adjustments and
 * revocations that bring the ledger to the new outcome. Moves a closed activity to 'credited'.
 *
 * Idempotent: run twice on the same facts, the second run finds every award present and every
 * net equal to its target, and writes nothing. Must run inside the transaction that holds the
 * activity's row lock (lockActivity), so no other crediting, amendment or correction of this
 * activity interleaves; the ledger's unique indexes are the last line (see appendLedgerEntries).
 */
export async function creditRoster(
  trx: Kysely<DB>,
  context: Context,
  activity: Activity,
  officeLink: Confirmation,
  actor: Actor,
): Promise<{ summary: CreditingSummary; activity: Activity }> {
  const facts = await findCreditingFacts(trx, activity.id);
  const plan = planCrediting(
    {
      creditHours: activity.creditHours,
      deliveryMode: activity.deliveryMode,
      completionRules: activity.completionRules,
      endsOn: activity.endsOn,
    },
    facts,
  );
  const byId = new Map(facts.map((f) => [f.id, f]));
  const corrections = plan.lines.some(
    (l) => l.action.kind === 'adjustment' || l.action.kind === 'revocation',
  );
  const amendments = corrections ? await findAmendmentsSinceLastOfficeLink(trx, activity.id) : [];
  const actorId = context.viewer?.id ?? null;

  await setEnrollmentOutcomes(
    trx,
    plan.lines
      .filter((l) => l.status !== l.previousStatus)
      .map((l) => ({ id: l.enrollmentId, status: l.status as 'completed' | 'not_completed' })),
  );

  const entries: NewLedgerEntry[] = [];
  for (const line of plan.lines) {
    const { action } = line;
    if (action.kind === 'none') continue;
    const enrollment = byId.get(line.enrollmentId)!;
    const base = {
      teacherId: enrollment.teacherId,
      origin: 'crediting' as const,
      activityId: activity.id,
      enrollmentId: line.enrollmentId,
      category: activity.category,
      earnedOn: activity.endsOn,
      actorId,
    };
    if (action.kind === 'award') {
      entries.push({
        ...base,
        kind: 'award',
        policyId: line.policyId,
        hours: action.hours,
        reason: null,
        correctsEntryId: null,
      });
    } else {
      // A correction counts where the award counted, whatever cycle today's rules would pick.
      const award = enrollment.standing.award;
      entries.push({
        ...base,
        kind: action.kind,
        policyId: award?.policyId ?? line.policyId,
        hours: action.hours,
        reason: recreditReason(
          action,
          officeLink.revision,
          amendments.filter((a) => a.enrollmentId === line.enrollmentId),
        ),
        correctsEntryId: action.correctsEntryId,
      });
    }
  }
  const written = await appendLedgerEntries(trx, entries);
  const writtenByEnrollment = new Map<number, typeof written>();
  for (const entry of written) {
    const list = writtenByEnrollment.get(entry.enrollmentId!) ?? [];
    list.push(entry);
    writtenByEnrollment.set(entry.enrollmentId!, list);
  }

  // One audit entry per participant whose outcome or ledger changed, written in bulk: a 10k
  // roster took 10k round trips (seconds) when each went alone.
  const audits: AuditEntry[] = [];
  for (const line of plan.lines) {
    const mine = writtenByEnrollment.get(line.enrollmentId) ?? [];
    if (line.status === line.previousStatus && mine.length === 0) continue;
    const standing = byId.get(line.enrollmentId)!.standing;
    audits.push({
      actorId,
      action: 'enrollment.credited',
      entityType: 'enrollment',
      entityId: line.enrollmentId,
      before: { status: line.previousStatus, netHours: standing.netHours },
      after: {
        status: line.status,
        reasons: line.reasons.map((r) => r.code),
        entries: mine.map((e) => ({ id: e.id, kind: e.kind, hours: e.hours })),
        officeConfirmationId: officeLink.id,
        revision: officeLink.revision,
      },
      requestId: context.requestId,
    });
  }
  await appendAuditEntries(trx, audits);

  let after = activity;
  if (activity.status === 'closed') {
    const decision = transition(activity.status, 'credit', actor);
    if (!decision.ok)
      throw new Error(`crediting refused by the lifecycle: ${decision.refusal.reason}`);
    after = await setActivityStatus(trx, activity.id, decision.status, null);
    await appendAudit(trx, {
      actorId,
      action: 'activity.credit',
      entityType: 'activity',
      entityId: activity.id,
      before: activity,
      after,
      requestId: context.requestId,
    });
  }

  const count = (kind: string) => written.filter((e) => e.kind === kind).length;
  const completedLines = plan.lines.filter((l) => l.completed);
  const awardsWritten = count('award');
  return {
    activity: after,
    summary: {
      evaluated: plan.lines.length,
      completed: completedLines.length,
      notCompleted: plan.lines.length - completedLines.length,
      unconfirmed: plan.unconfirmed.length,
      awardsWritten,
      // Held before this run, plus any a unique index turned away (none while the lock holds).
      awardsAlreadyPresent:
        completedLines.filter((l) => byId.get(l.enrollmentId)!.standing.award).length +
        entries.filter((e) => e.kind === 'award').length -
        awardsWritten,
      adjustmentsWritten: count('adjustment'),
      revocationsWritten: count('revocation'),
      hoursWritten: written.reduce((sum, e) => sum + Math.round(e.hours * 100), 0) / 100,
    },
  };
}

const retryableCodes = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/**
 * Runs `work` in a transaction and retries it, a few times with a short random pause, when
 * PostgreSQL aborts it for a serialization failure or a deadlock: such a transaction changed
 * nothing, and running it again on the state that won is the correct answer. Expected
 * failures (RegistryError) and every other error pass through at once.
 */
export async function inRetriedTransaction<T>(
  db: Kysely<DB>,
  work: (trx: Kysely<DB>) => Promise<T>,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (attempt >= attempts || typeof code !== 'string' || !retryableCodes.has(code)) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
