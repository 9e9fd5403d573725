import { appendAudit } from '@registry/db';
import type { Context } from '../context';

/**
 * Records a change made for the caller. `trx` must be the transaction that makes the change, so
 * the change and its record commit together (and an Idempotency-Key is claimed with them).
 */
export function auditChange(
  context: Context,
  trx: Context['db'],
  action: string,
  entityType: string,
  entityId: number,
  before: unknown,
  after: unknown,
): Promise<void> {
  return appendAudit(trx, {
    actorId: context.viewer?.id ?? null,
    action,
    entityType,
    entityId,
    before,
    after,
    requestId: context.requestId,
  });
}
