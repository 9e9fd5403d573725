import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../generated/database';
import { chunksOf, intArray } from './array-parameters';
import { claimIdempotencyKey } from './idempotency.repository';

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
 * commit together or not at all: `db` must be that transaction. The table is append-only
 * (grants and trigger); the entry is sealed into the hash chain when the transaction commits.
 */
export async function appendAudit(db: Kysely<DB>, entry: AuditEntry): Promise<void> {
  await appendAuditEntries(db, [entry]);
}

/**
 * appendAudit for many entries at once (crediting a roster writes one per participant): one
 * `insert … select from unnest(…)` per 10,000 entries instead of a round trip each. Rows go in
 * list order (`with ordinality`), and the seal at commit chains a transaction's entries in id
 * order (migration 2026-12-01T1000-seal-audit-per-transaction), so in list order.
 */
export async function appendAuditEntries(
  db: Kysely<DB>,
  entries: readonly AuditEntry[],
): Promise<void> {
  // Every write records itself here, in its own transaction: the one place where a request's
  // idempotency key can be claimed so that it commits or rolls back with the writes.
  if (entries.length > 0) await claimIdempotencyKey(db);
  for (const chunk of chunksOf(entries)) {
    // The documents go as one JSON array per column, parsed once, not as elements of a
    // jsonb[] literal that PostgreSQL must unescape before parsing each: an import's entry of
    // 20,000 rows (760 kB) went in in 25–27 ms as a jsonb parameter, 40–52 ms as an element.
    // JSON null is stored as SQL NULL, as a missing before or after always was.
    await sql`
      /* audit.append */
      insert into audit_log (actor_id, action, entity_type, entity_id, before, after, request_id)
      select u.actor_id, u.action, u.entity_type, u.entity_id,
        nullif(b.value, 'null'::jsonb), nullif(a.value, 'null'::jsonb), u.request_id
      from unnest(
        ${intArray(chunk.map((e) => e.actorId))}::int4[],
        ${chunk.map((e) => e.action)}::text[],
        ${chunk.map((e) => e.entityType)}::text[],
        ${chunk.map((e) => String(e.entityId))}::text[],
        ${chunk.map((e) => e.requestId)}::text[])
        with ordinality as u(actor_id, action, entity_type, entity_id, request_id, position)
      join jsonb_array_elements(${documents(chunk, 'before')}::jsonb) with ordinality
        as b(value, position) on b.position = u.position
      join jsonb_array_elements(${documents(chunk, 'after')}::jsonb) with ordinality
        as a(value, position) on a.position = u.position
      order by u.position`.execute(db);
  }
}

/** One column of the entries' documents as a JSON array, a missing one as null. */
const documents = (entries: readonly AuditEntry[], column: 'before' | 'after') =>
  JSON.stringify(entries.map((e) => e[column] ?? null));

export interface AuditChainBreak {
  /** The first entry that does not verify, or null when the break is past the last entry. */
  id: number | null;
  chainPosition: number | null;
  reason: string;
}

export interface AuditChainReport {
  /** Entries checked, in chain order, before the first break (all of them when intact). */
  verified: number;
  /** The last sealed entry, as recorded in audit_chain_head. */
  head: { position: number; hash: string | null };
  broken: AuditChainBreak | null;
}

/** Entries read per statement while walking the chain. */
const chainPage = 5_000;

/**
 * Recomputes the audit log's hash chain (migration 2026-11-22T1400-tamper-evidence) and reports
 * the first entry that does not verify. The canonical text of an entry is spelled here again,
 * not read from the database's audit_log_canonical(): if that function were ever replaced, the
 * entries it sealed would fail here instead of vouching for themselves.
 *
 * Detects an entry edited, deleted or inserted behind the application's back (triggers
 * disabled), and a tail cut off (the head records the last position and hash). A superuser who
 * rewrites every hash from the edited entry onwards, head included, is only caught by comparing
 * with a hash recorded elsewhere earlier: `anchor`.
 */
export async function verifyAuditChain(
  db: Kysely<DB>,
  options: { anchor?: { position: number; hash: string } } = {},
): Promise<AuditChainReport> {
  const headRow = await sql<{ last_position: number; last_hash: string | null }>`
    /* audit.chain-head */ select last_position, last_hash from audit_chain_head`.execute(db);
  const head = {
    position: Number(headRow.rows[0]?.last_position ?? 0),
    hash: headRow.rows[0]?.last_hash ?? null,
  };
  const report = (verified: number, broken: AuditChainBreak | null): AuditChainReport => ({
    verified,
    head,
    broken,
  });

  // Committed entries are always sealed; an unsealed one was inserted with the triggers off.
  const unsealed = await sql<{ id: number }>`
    /* audit.chain-unsealed */ select id from audit_log where chain_position is null order by id limit 1`.execute(
    db,
  );
  if (unsealed.rows[0]) {
    return report(0, {
      id: Number(unsealed.rows[0].id),
      chainPosition: null,
      reason: 'entry is not in the chain (inserted with the triggers disabled)',
    });
  }

  let verified = 0;
  let previous: string | null = null;
  let anchorSeen = false;
  for (;;) {
    const { rows } = await sql<{
      id: number;
      chain_position: number;
      prev_hash: string | null;
      hash: string | null;
      canonical: string;
    }>`
      /* audit.chain-page */
      select id, chain_position, prev_hash, hash,
        jsonb_build_array(
          chain_position, id,
          to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          actor_id, action, entity_type, entity_id, before, after, request_id
        )::text as canonical
      from audit_log
      where chain_position > ${verified}
      order by chain_position
      limit ${chainPage}`.execute(db);
    for (const row of rows) {
      const position = Number(row.chain_position);
      const at = (reason: string) =>
        report(verified, { id: Number(row.id), chainPosition: position, reason });
      if (position !== verified + 1) {
        return at(`entry ${verified + 1} of the chain is missing (deleted)`);
      }
      if (row.prev_hash !== previous) {
        return at('prev_hash does not match the hash of the entry before it');
      }
      const expected: string = createHash('sha256')
        .update((previous ?? '') + row.canonical, 'utf8')
        .digest('hex');
      if (row.hash !== expected) {
        return at('hash does not match the content of the entry (edited)');
      }
      if (options.anchor && options.anchor.position === position) {
        if (options.anchor.hash !== row.hash) {
          return at(`hash differs from the anchor recorded earlier (${options.anchor.hash})`);
        }
        anchorSeen = true;
      }
      previous = row.hash;
      verified = position;
    }
    if (rows.length < chainPage) break;
  }
  if (verified !== head.position || previous !== head.hash) {
    return report(verified, {
      id: null,
      chainPosition: verified + 1,
      reason: `the chain ends at entry ${verified} but its head records entry ${head.position} (entries deleted from the end)`,
    });
  }
  if (options.anchor && !anchorSeen) {
    return report(verified, {
      id: null,
      chainPosition: options.anchor.position,
      reason: `the anchored entry ${options.anchor.position} is not in the chain`,
    });
  }
  return report(verified, null);
}
