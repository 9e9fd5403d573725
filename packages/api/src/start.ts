import type { AddressInfo } from 'node:net';
import { migrateToLatest, openDatabase, type Database } from '@registry/db';
import { demoLogins, seedDemoData } from '@registry/db/seed';
import { sql } from 'kysely';
import type { Config } from './config';
import { createRegistryServer } from './http/server';
import { startIdempotencyPurge } from './idempotency-purge';
import type { Logger } from './logger';

export interface RunningRegistry {
  url: string;
  database: Database;
  stop(): Promise<void>;
}

/**
 * Opens the database the configuration names, migrates it, seeds demo data into an empty one
 * (embedded engine by default; PostgreSQL only when asked), and serves /graphql and the SPA.
 */
export async function startRegistry(config: Config, log: Logger): Promise<RunningRegistry> {
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS === 'on',
  });
  await migrateToLatest(database.db);
  if (await shouldSeed(config, database)) {
    const report = await seedDemoData(database.db, {});
    log.info({ rows: report.rows, ms: report.elapsedMs }, 'seeded demo data');
  }
  const { http, apollo } = await createRegistryServer(config, database, log);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.PORT, config.HOST, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const purge =
    config.IDEMPOTENCY_KEY_RETENTION_HOURS > 0
      ? startIdempotencyPurge({
          db: database.db,
          retentionHours: config.IDEMPOTENCY_KEY_RETENTION_HOURS,
          log,
        })
      : null;
  return {
    url: `http://localhost:${port}`,
    database,
    stop: async () => {
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await apollo.stop();
      await purge?.stop();
      await database.close();
    },
  };
}

async function shouldSeed(config: Config, database: Database): Promise<boolean> {
  if (config.SEED_DEMO_DATA === 'never') return false;
  if (config.SEED_DEMO_DATA === 'auto' && database.engine !== 'pglite') return false;
  const { rows } = await sql<{
    empty: boolean;
  }>`select not exists (select 1 from regions) as empty`.execute(database.db);
  return rows[0]?.empty ?? false;
}

export { demoLogins };
