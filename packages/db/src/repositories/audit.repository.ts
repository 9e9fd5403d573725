import type { Kysely } from 'kysely';
import type { DB } from '../generated/database';

export interface AuditEntry {
  actorId: number | null;
  /** Verb in dotted form, e.g. 'activity.created', 'session.removed'. */
  action: string;
  entityType: string;
  entityId: string | number;
  before: unknown;
  after: unknown;
  requestId: string | null;
}

/**
 * Appends to the audit log inside the caller's transaction, so a change and its record
 * commit together or not at all. The table is append-only (trigger).
 */
export async function appendAudit(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_id: entry.actorId,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: String(entry.entityId),
      before:
        entry.before === null || entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === null || entry.after === undefined ? null : JSON.stringify(entry.after),
      request_id: entry.requestId,
    })
    .execute();
}
