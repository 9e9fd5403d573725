import { appendAuditEntries, verifyAuditChain, type AuditEntry, type DB } from '@registry/db';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';

/**
 * Migration 2026-12-01T1000-seal-audit-per-transaction: a transaction's audit entries are
 * sealed at commit in one pass (one queued seal per transaction, one UPDATE for all entries),
 * with the same chain as before: gapless positions in commit order, list order within a
 * transaction, hashes that `verifyAuditChain` recomputes on its own.
 */
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const entry = (n: number, after: unknown = { n }): AuditEntry => ({
  actorId: null,
  action: 'test.bulk',
  entityType: 'test',
  entityId: n,
  before: null,
  after,
  requestId: `seal-${n}`,
});

/** In `db`: inside a transaction, its own connection (PGlite has only one). */
async function positionsOf(entityIds: string[], db: Kysely<DB> = database.db) {
  const { rows } = await sql<{ entity_id: string; chain_position: number | null }>`
    select entity_id, chain_position from audit_log
    where action = 'test.bulk' and entity_id = any(${entityIds}::text[]) order by id`.execute(db);
  return rows.map((r) => ({ entityId: r.entity_id, position: Number(r.chain_position) }));
}

describe('sealing the audit chain once per transaction', () => {
  it('seals 3,000 entries of one transaction in list order, after the entries before them', async () => {
    const { rows: head } = await sql<{ last_position: number }>`
      select last_position from audit_chain_head`.execute(database.db);
    const start = Number(head[0]!.last_position);
    const entries = Array.from({ length: 3_000 }, (_, i) => entry(100_000 + i));
    await database.db.transaction().execute((trx) => appendAuditEntries(trx, entries));

    const sealed = await positionsOf(entries.map((e) => String(e.entityId)));
    expect(sealed.map((s) => s.entityId)).toEqual(entries.map((e) => String(e.entityId)));
    expect(sealed.map((s) => s.position)).toEqual(entries.map((_, i) => start + i + 1));
    const report = await verifyAuditChain(database.db);
    expect(report.broken).toBeNull();
    expect(report.head.position).toBe(start + 3_000);
    // The queue holds only transactions in progress.
    const { rows: queued } = await sql<{ n: number }>`
      select count(*)::int as n from audit_unsealed_transactions`.execute(database.db);
    expect(queued[0]!.n).toBe(0);
  });

  it('seals entries of several statements, and those appended after an early seal', async () => {
    await database.db.transaction().execute(async (trx) => {
      await appendAuditEntries(trx, [entry(200_001), entry(200_002)]);
      await appendAuditEntries(trx, [entry(200_003)]);
      // Sealing early (as a caller may) seals what is there; what follows is queued again.
      await sql`set constraints audit_log_seal immediate`.execute(trx);
      const early = await positionsOf(['200001', '200002', '200003'], trx);
      expect(early.every((e) => e.position > 0)).toBe(true);
      await sql`set constraints audit_log_seal deferred`.execute(trx);
      await appendAuditEntries(trx, [entry(200_004)]);
    });
    const sealed = await positionsOf(['200001', '200002', '200003', '200004']);
    const first = sealed[0]!.position;
    expect(sealed.map((s) => s.position)).toEqual([first, first + 1, first + 2, first + 3]);
    expect((await verifyAuditChain(database.db)).broken).toBeNull();
  });

  it('keeps every text of a bulk append intact: quotes, backslashes, unicode, nulls', async () => {
    const awkward = { text: 'a "quoted", back\\slash, 中文 and 🎓', list: [1, null, 'x'] };
    await database.db
      .transaction()
      .execute((trx) => appendAuditEntries(trx, [entry(300_001, awkward), entry(300_002, null)]));
    const { rows } = await sql<{ after: unknown }>`
      select after from audit_log where action = 'test.bulk' and entity_id in ('300001', '300002')
      order by id`.execute(database.db);
    expect(rows.map((r) => r.after)).toEqual([awkward, null]);
    expect((await verifyAuditChain(database.db)).broken).toBeNull();
  });

  it('still refuses to change a sealed entry or to seal one by hand', async () => {
    const [target] = await positionsOf(['100000']);
    expect(target).toBeDefined();
    await expect(
      sql`update audit_log set after = '{"n": -1}' where action = 'test.bulk' and entity_id = '100000'`.execute(
        database.db,
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      database.db.transaction().execute(async (trx) => {
        await sql`insert into audit_log (action, entity_type, entity_id) values ('test.bulk', 'test', '400001')`.execute(
          trx,
        );
        // Not issued by the seal: refused even on the transaction's own unsealed entry.
        await sql`update audit_log set chain_position = 999999, hash = 'x' where entity_id = '400001'`.execute(
          trx,
        );
      }),
    ).rejects.toThrow(/append-only/);
    expect((await verifyAuditChain(database.db)).broken).toBeNull();
  });
});
