import { isDatabaseUnavailable } from '@registry/db';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { adminUrl, currentEngine } from '../testkit/engines';

/**
 * A pooled connection that the server drops while a transaction holds it between two
 * statements — a restart, a failover, an administrator's pg_terminate_backend — must fail that
 * transaction, not the process. node-postgres emits 'error' on such a client, and the pool
 * listens only on idle clients: without a listener of our own the event was an uncaught
 * exception that ended the API (found by test/integration/faults.test.ts).
 *
 * PostgreSQL only: PGlite has no server connection to lose.
 */
const onPglite = currentEngine() === 'pglite';
if (onPglite) {
  console.info('connection-loss: skipped on PGlite — it has no server connection to lose.');
}

let database: TestDatabase;
const uncaught: unknown[] = [];
const record = (error: unknown) => uncaught.push(error);

describe.skipIf(onPglite)('a lost connection (PostgreSQL)', () => {
  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 2 });
    process.on('uncaughtException', record);
  });
  afterAll(async () => {
    process.removeListener('uncaughtException', record);
    await database?.close();
  });

  it('between two statements of a transaction fails the transaction, and the pool replaces it', async () => {
    const outcome = await database.db
      .transaction()
      .execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        try {
          await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
        } finally {
          await admin.end();
        }
        // The server's goodbye arrives while no statement runs on the connection.
        await new Promise((resolve) => setTimeout(resolve, 300));
        await sql`select 1`.execute(trx);
        return 'committed';
      })
      .catch((error: unknown) => error);

    expect(outcome).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(outcome)).toBe(true);
    expect(uncaught).toEqual([]);
    // The broken connection was discarded: the next statements get working ones.
    for (let i = 0; i < 3; i += 1) {
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(database.db);
      expect(rows).toEqual([{ one: 1 }]);
    }
  });
});
