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
 * Names carry the project and the run's process id, so projects and runs side by side (two
 * engineers on one machine) never touch each other's databases; what a dead run left behind is
 * dropped.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const suffix = project.name.replace(/[^a-z0-9]/gi, '_').toLowerCase();
  const template = `registry_template_${suffix}_${process.pid}`;
  const prefix = `registry_test_${suffix}_${process.pid}_`;
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname ~ $1`,
      [`^registry_(template|test)_${suffix}_[0-9]+`],
    );
    for (const { datname } of rows) {
      const pid = Number(
        new RegExp(`^registry_(?:template|test)_${suffix}_(\\d+)`).exec(datname)?.[1],
      );
      if (isAlive(pid)) continue;
      await admin.query(`drop database if exists "${datname}" with (force)`);
    }
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

/** Whether the run that made a database is still going (signal 0 only checks). */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
