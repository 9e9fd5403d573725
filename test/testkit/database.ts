import { randomBytes } from 'node:crypto';
import { migrateToLatest, openDatabase, type Database, type DatabaseOptions } from '@registry/db';
import pg from 'pg';
import { inject } from 'vitest';
import { adminUrl, currentEngine, urlFor } from './engines';

export interface TestDatabase extends Database {
  /** The connection string on PostgreSQL (for a second process such as the server); else null. */
  url: string | null;
}

/**
 * A fresh, migrated database of the engine this project runs on, private to the caller.
 * PostgreSQL: a copy of the template database, dropped on close. PGlite: a new in-memory instance.
 */
export async function createTestDatabase(
  options: Pick<DatabaseOptions, 'onQuery' | 'poolSize' | 'preparedStatements'> = {},
): Promise<TestDatabase> {
  if (currentEngine() === 'pglite') {
    const database = await openDatabase({ ...options });
    await migrateToLatest(database.db);
    return { ...database, url: null };
  }
  const name = `${inject('testDatabasePrefix')}${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) =>
    admin.query(`create database "${name}" template ${inject('templateDatabase')}`),
  );
  const url = urlFor(name);
  const database = await openDatabase({ url, ...options });
  return {
    ...database,
    url,
    close: async () => {
      await database.close();
      await withAdmin((admin) => admin.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
