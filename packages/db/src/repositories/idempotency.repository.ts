import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../generated/database';
import { requestScopeOf, type IdempotencyScope } from '../request-scope';

/**
 * Idempotency keys (migration 2026-11-22T1500). A request that carries a key runs inside a
 * scope; the first write transaction of the request claims the key in that same transaction,
 * through appendAudit, which every write already calls. So the claim commits exactly when the
 * writes do: a key with a row was used by a request that changed something, and a request that
 * was refused (validation, not found, forbidden) leaves no row and can be retried as it is.
 */
/** Thrown inside a write transaction when another request already holds the key. */
export class IdempotencyKeyTakenError extends Error {
  constructor() {
    super('Another request with this idempotency key was carried out first');
    this.name = 'IdempotencyKeyTakenError';
  }
}

/**
 * Runs `work` with the key attached to the request scope `db` carries, so the first write
 * transaction of the request (any transaction begun from `db`) claims it.
 */
export async function withIdempotencyKey<T>(
  db: Kysely<DB>,
  claim: Omit<IdempotencyScope, 'claimToken' | 'claimAttempted' | 'takenByAnother'>,
  work: (scope: IdempotencyScope) => Promise<T>,
): Promise<T> {
  const requestScope = requestScopeOf(db);
  if (!requestScope) throw new Error('withIdempotencyKey needs a request-scoped database');
  const state: IdempotencyScope = {
    ...claim,
    claimToken: randomUUID(),
    claimAttempted: false,
    takenByAnother: false,
  };
  requestScope.idempotency = state;
  try {
    return await work(state);
  } finally {
    requestScope.idempotency = null;
  }
}

/**
 * Claims the key of the request in progress, inside `trx` (the transaction of a write). A no-op
 * without a key. A claim made by an earlier transaction of the same request is recognised by its
 * token; every transaction tries, because a rolled-back or retried one leaves nothing behind.
 * When another request holds the key, throws, which rolls this transaction back: under
 * concurrency the second request waits on the primary key until the first commits or aborts.
 */
export async function claimIdempotencyKey(trx: Kysely<DB>): Promise<void> {
  const state = requestScopeOf(trx)?.idempotency;
  if (!state) return;
  state.claimAttempted = true;
  const inserted = await sql<{ claim_token: string }>`
    /* idempotency.claim */
    insert into idempotency_keys (account_id, key, request_hash, claim_token)
    values (${state.accountId}, ${state.key}, ${state.requestHash}, ${state.claimToken}::uuid)
    on conflict (account_id, key) do nothing
    returning claim_token`.execute(trx);
  if (inserted.rows.length > 0) return;
  const holder = await sql<{ claim_token: string }>`
    /* idempotency.holder */
    select claim_token from idempotency_keys
    where account_id = ${state.accountId} and key = ${state.key}`.execute(trx);
  if (holder.rows[0]?.claim_token === state.claimToken) return;
  state.takenByAnother = true;
  throw new IdempotencyKeyTakenError();
}

export interface IdempotencyRecord {
  requestHash: string;
  claimToken: string;
  response: { status: number; body: string } | null;
  createdAt: Date;
}

export async function findIdempotencyRecord(
  db: Kysely<DB>,
  accountId: number,
  key: string,
): Promise<IdempotencyRecord | null> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'claim_token', 'response_status', 'response_body', 'created_at'])
    .where('account_id', '=', accountId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return null;
  return {
    requestHash: row.request_hash,
    claimToken: row.claim_token,
    response:
      row.response_status === null || row.response_body === null
        ? null
        : { status: row.response_status, body: row.response_body },
    createdAt: new Date(row.created_at as unknown as string),
  };
}

/** Keeps the answer of a request that claimed its key, for replays. */
export async function storeIdempotentResponse(
  db: Kysely<DB>,
  state: IdempotencyScope,
  response: { status: number; body: string },
): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({ response_status: response.status, response_body: response.body })
    .where('account_id', '=', state.accountId)
    .where('key', '=', state.key)
    .where('claim_token', '=', state.claimToken)
    .where('response_status', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Deletes up to `batchSize` keys claimed before `claimedBefore`, oldest first, and answers how
 * many it deleted. A key past the retention no longer guards anything: a resend with it runs as
 * a new request (docs/reliability.md, section 4). Batches keep each delete's locks and WAL
 * short; the caller repeats while a batch comes back full.
 */
export async function purgeIdempotencyKeys(
  db: Kysely<DB>,
  claimedBefore: Date,
  batchSize: number,
): Promise<number> {
  const result = await sql`
    /* idempotency.purge */
    delete from idempotency_keys
    where (account_id, key) in (
      select account_id, key from idempotency_keys
      where created_at < ${claimedBefore}
      order by created_at
      limit ${batchSize})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
