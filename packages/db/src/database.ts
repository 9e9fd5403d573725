import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type LogEvent } from 'kysely';
import pg from 'pg';
import type { DB } from './generated/database';
import {
  listenOnPglite,
  postgresNotifications,
  type ChannelListener,
  type Subscription,
} from './notifications';
import { PglitePool } from './pglite-pool';
import { prepareRegisteredStatements } from './prepared-statements';
import { parseTimestamptz } from './timestamptz';

export type Engine = 'postgres' | 'pglite';

export interface DatabaseOptions {
  /** PostgreSQL connection string. When absent, the embedded PGlite engine is used. */
  url?: string | undefined;
  /** PGlite data directory; omitted means in memory (tests). */
  dataDir?: string | undefined;
  /** Largest pg pool size. */
  poolSize?: number;
  /**
   * Send the hot reads as named prepared statements (prepared-statements.ts); on unless a
   * pooler in front of PostgreSQL cannot keep them (PgBouncer in transaction mode before 1.21).
   */
  preparedStatements?: boolean;
  /** Called after every statement, e.g. to count statements per request. */
  onQuery?: (event: LogEvent) => void;
}

export interface Database {
  db: Kysely<DB>;
  engine: Engine;
  /** LISTEN on a channel (see notifications.ts); the listener hears whether it is listening. */
  listen(channel: string, listener: ChannelListener): Promise<Subscription>;
  close(): Promise<void>;
}

/**
 * Columns come back as the same JavaScript types on both engines:
 * int8 and numeric as numbers (ids and hours stay far below 2^53), date as 'YYYY-MM-DD'
 * (a calendar date has no time zone; turning it into a Date shifts it).
 */
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const TIMESTAMPTZ = 1184;
const pgTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ) as (value: string) => unknown;
const parsers: Record<number, (value: string) => unknown> = {
  [INT8]: Number,
  [NUMERIC]: Number,
  [DATE]: (value) => value,
  // The same Dates as pg's parser, read at fixed positions (timestamptz.ts).
  [TIMESTAMPTZ]: (value) => parseTimestamptz(value, pgTimestamptz),
};

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  // Statements are counted per request by RequestScope (request-scope.ts); this hook is for tools.
  const log = options.onQuery;
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      // No parallel workers for the registry's sessions (a connection string's own `options`
      // takes precedence). Its statements are index-backed lookups and bulk writes; a bulk
      // statement's array parameter of thousands of ids makes the planner expect thousands of
      // rows and choose a parallel sequential scan filtered by `= any(…)`, whose workers cost
      // more than the lookups: crediting 10,000 participants read their ledger entries in
      // 515 ms that way and in under 20 ms by index, an import's teacher lookup took 188 ms
      // instead of 5 (200,000-teacher bench dataset, 2 cores; decision 0015). Reports that
      // aggregate whole tables lose their parallel scan (one measured: 430 → 553 ms).
      options: '-c max_parallel_workers_per_gather=0',
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          parsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    // A client losing its connection must not crash the process. The pool listens for errors
    // only while a client is idle; a client checked out between two statements of a
    // transaction (while JavaScript runs) has no listener then, and an 'error' event without a
    // listener is an uncaught exception that ends the process — a database restart or a network
    // cut would take every API process down with it. The statement that next uses the client
    // fails instead ("not queryable"), its transaction rolls back, and the pool discards it.
    pool.on('error', () => undefined);
    const prepared = options.preparedStatements ?? true;
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      if (prepared) prepareRegisteredStatements(client as pg.PoolClient);
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), ...(log ? { log } : {}) });
    // One LISTEN connection for the process's caches, opened by the first subscription.
    const notifications = postgresNotifications(options.url);
    return {
      db,
      engine: 'postgres',
      listen: async (channel, listener) => notifications.listen(channel, listener),
      close: async () => {
        await notifications.close();
        await db.destroy();
      },
    };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = new PGlite({ ...(options.dataDir ? { dataDir: options.dataDir } : {}), parsers });
  await pglite.waitReady;
  const pool = new PglitePool(pglite);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), ...(log ? { log } : {}) });
  return {
    db,
    engine: 'pglite',
    listen: (channel, listener) =>
      listenOnPglite(pglite, channel, listener, (work) => pool.exclusive(work)),
    close: () => db.destroy(),
  };
}
