import { migrateToLatest, openDatabase } from '@registry/db';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { adminUrl, urlFor } from './engines';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    testDatabasePrefix: string;
  }
}

/**
 * Builds one migrated template database per project and run; every test file then gets its own
 * copy (CREATE DATABASE ... TEMPLATE), which takes milliseconds and lets files run in parallel.
 * Names carry the project so projects running side by side never touch each other's databases.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const suffix = project.name.replace(/[^a-z0-9]/gi, '_').toLowerCase();
  const template = `registry_template_${suffix}`;
  const prefix = `registry_test_${suffix}_`;
  await withAdmin(async (admin) => {
    // Left over from an interrupted run of this project.
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like $1`,
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      await admin.query(`drop database if exists "${datname}" with (force)`);
    }
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.query(`create database ${template}`);
  });
  const { db, close } = await openDatabase({ url: urlFor(template), poolSize: 1 });
  await migrateToLatest(db);
  await close();
  project.provide('templateDatabase', template);
  project.provide('testDatabasePrefix', prefix);
  return async () => {
    await withAdmin((admin) => admin.query(`drop database if exists ${template} with (force)`));
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
