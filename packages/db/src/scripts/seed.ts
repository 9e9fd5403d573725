/**
 * `pnpm seed [-- --teachers N] [--seed N] [--database-url URL] [--reset]`
 *
 * Seeds DATABASE_URL (or --database-url), else the embedded database in <repo>/.data/pglite.
 * Migrates first. Refuses a database that already holds data unless --reset, which drops and
 * recreates the public schema — everything in it is lost, so it is only ever done when asked.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../database';
import type { DB } from '../generated/database';
import { migrateToLatest } from '../migrate';
import { defaultSeedOptions, demoLogins, seedDemoData } from '../seed';

const usage = `usage: pnpm seed [-- --teachers N] [--seed N] [--database-url URL] [--reset]
  --teachers N        teachers to generate (default ${defaultSeedOptions.teachers}); everything scales with it
  --seed N            seed of the generator (default ${defaultSeedOptions.seed}); same flags, same rows
  --database-url URL  PostgreSQL to seed (default: DATABASE_URL, else the embedded PGlite database)
  --reset             drop and recreate the public schema first (deletes all data!)`;

function parse() {
  // pnpm forwards a literal "--" before the script's own flags.
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  const { values } = parseArgs({
    args,
    options: {
      teachers: { type: 'string' },
      seed: { type: 'string' },
      'database-url': { type: 'string' },
      reset: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const integer = (name: string, value: string | undefined, min: number) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be an integer ≥ ${min}, got "${value}"`);
    return n;
  };
  return {
    help: values.help,
    teachers: integer('teachers', values.teachers, 150),
    seed: integer('seed', values.seed, 0),
    url: values['database-url'] || process.env.DATABASE_URL || undefined,
    reset: values.reset,
  };
}

async function hasData(db: Kysely<DB>): Promise<boolean> {
  const { rows } = await sql<{ used: boolean }>`
    select exists (select 1 from regions) or exists (select 1 from organizations)
      or exists (select 1 from user_accounts) or exists (select 1 from activities) as used
  `.execute(db);
  return rows[0]?.used ?? false;
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parse>;
  try {
    options = parse();
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    console.log(usage);
    return;
  }
  const dataDir =
    process.env.DATA_DIR ?? fileURLToPath(new URL('../../../../.data/pglite', import.meta.url));
  const { db, engine, close } = await openDatabase({ url: options.url, dataDir });
  try {
    const target = engine === 'pglite' ? `PGlite at ${dataDir}` : 'PostgreSQL';
    if (options.reset) {
      console.log(`--reset: dropping and recreating the public schema of ${target}`);
      await sql`drop schema public cascade`.execute(db);
      await sql`create schema public`.execute(db);
    }
    await migrateToLatest(db);
    if (await hasData(db)) {
      console.error(`${target} already holds data; not seeding. Pass --reset to wipe it first.`);
      process.exitCode = 1;
      return;
    }
    console.log(
      `seeding ${target} with ${options.teachers ?? defaultSeedOptions.teachers} teachers…`,
    );
    const report = await seedDemoData(db, { teachers: options.teachers, seed: options.seed });
    const width = Math.max(...Object.keys(report.rows).map((t) => t.length));
    for (const [table, count] of Object.entries(report.rows)) {
      console.log(`  ${table.padEnd(width)}  ${count.toLocaleString('en-US').padStart(12)}`);
    }
    console.log(
      `seeded in ${(report.elapsedMs / 1000).toFixed(2)} s (seed ${report.seed}, dates around ${report.today})\n`,
    );
    console.log('demo logins:');
    for (const login of demoLogins) {
      console.log(
        `  ${login.username.padEnd(12)} ${login.password}  ${login.role.padEnd(18)} ${login.description}`,
      );
    }
  } finally {
    await close();
  }
}

await main();
