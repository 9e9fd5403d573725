import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Hot reads as named prepared statements (decision 0021).
 *
 * pg sends a statement with parameters unnamed: PostgreSQL parses, analyzes and plans it on
 * every execution. For the registry's hot reads — a few rows by primary key or foreign key —
 * planning is most of the database's work: the W1 activity read plans in 0.16 ms and executes
 * in 0.035 ms, and pgbench runs it at 6,000–7,700 statements/s unnamed against 33,600–37,100
 * prepared (4 clients, 200k-teacher bench dataset, 2 cores). A statement registered here is
 * sent with a name instead, so each connection parses it once and PostgreSQL keeps its plan.
 *
 * Only reads whose texts are few are registered: the compiledOnce templates (one per statement
 * and visibility kind; reads by ids have three, for one id, a few and many) and the activity list
 * (one per combination of filters present); writes and everything else go unnamed as before.
 */

/** Registered texts and the hash their names are made of. */
const names = new Map<string, string>();
/**
 * Beyond this many texts, statements go unnamed. Every connection keeps each statement it has
 * run, with its plans: about 80 kB for the W1 activity read (pg_backend_memory_contexts:
 * CachedPlanSource 16 kB, CachedPlanQuery 32 kB, CachedPlan 32 kB), so at most ~16 MB per
 * connection.
 */
const maxStatements = 200;
/**
 * Part of every name. A schema change under a running process (a migration adding a column
 * to a table a prepared `select *` reads) leaves that statement unusable on every connection
 * that prepared it ("cached plan must not change result type"); a new generation prepares
 * each text afresh under a new name.
 */
let generation = 0;

/** Sends `text` as a named prepared statement from now on; idempotent. */
export function prepareOnEveryConnection(text: string): void {
  if (names.has(text) || names.size >= maxStatements) return;
  names.set(text, createHash('sha1').update(text).digest('hex').slice(0, 20));
}

export function isPrepared(text: string): boolean {
  return names.has(text);
}

const stalePlan = (error: unknown) =>
  (error as { code?: string }).code === '0A000' &&
  /cached plan must not change result type/.test((error as Error).message);

type Query = (text: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Routes a registered statement of `client` through its name. Kysely calls
 * `client.query(text, parameters)` and reads the promise it returns; every other form of call
 * (a config object, a callback, a cursor) passes through untouched.
 */
export function prepareRegisteredStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as Query;
  const named = (text: string, hash: string, values: unknown[]) =>
    query({ name: `r${generation}_${hash}`, text, values }) as Promise<unknown>;
  (client as unknown as { query: Query }).query = (text, values, callback) => {
    const hash = typeof text === 'string' ? names.get(text) : undefined;
    if (hash === undefined || !Array.isArray(values) || callback !== undefined) {
      return query(text, values, callback);
    }
    const sql = text as string;
    return named(sql, hash, values).catch((error: unknown) => {
      if (!stalePlan(error)) throw error;
      generation += 1;
      // Outside a transaction the failed statement changed nothing: run it again, prepared
      // anew. Inside one, the transaction is aborted and the caller sees the error.
      if (client.getTransactionStatus() !== 'I') throw error;
      return named(sql, hash, values);
    });
  };
}
