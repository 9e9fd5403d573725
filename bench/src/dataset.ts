import { migrateToLatest, openDatabase } from '@registry/db';
import { countRows, historyScaleFor, seedDemoData, seedHistory } from '@registry/db/seed';
import { sql } from 'kysely';
import pg from 'pg';

/**
 * The province-scale dataset of `pnpm bench`: the demo generator's city at `teachers` scale
 * (seedDemoData: regions, schools, teachers, 1 activity per 40 teachers in every status,
 * rosters, attendance, credits; one UNNEST insert per table chunk), then the previous
 * requirement cycle (2021–2025) as archived history (seedHistory, generated inside PostgreSQL),
 * so the attendance table and the ledger reach the sizes a province holds after five years.
 */

export interface DatasetScale {
  /** Bumped whenever the generator's output changes, so --reuse never keeps an older dataset. */
  generator: number;
  teachers: number;
  /** Archived activities of the previous cycle; 2–4 sessions each. */
  historyActivities: number;
  /** Teachers per archived activity; every one completed and was awarded. */
  historyRoster: number;
}

export function scaleFor(teachers: number): DatasetScale {
  const history = historyScaleFor(teachers);
  return {
    generator: 2,
    teachers,
    historyActivities: history.activities,
    historyRoster: history.roster,
  };
}

export interface DatasetReport {
  scale: DatasetScale;
  reused: boolean;
  seedMs: number;
  historyMs: number;
  analyzeMs: number;
  totalMs: number;
  rows: Record<string, number>;
}

export const adminUrl =
  process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function urlOf(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Writes every dirty page out and waits for it (CHECKPOINT), so measuring starts on a quiet disk. */
export async function settleDatabase(url: string): Promise<void> {
  await withClient(url, (client) => client.query('checkpoint'));
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The scale a database was generated at (kept in its comment), or null when it is absent. */
async function generatedScale(database: string): Promise<DatasetScale | null> {
  return withClient(adminUrl, async (admin) => {
    const { rows } = await admin.query<{ comment: string | null }>(
      `select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1`,
      [database],
    );
    const comment = rows[0]?.comment;
    if (!comment?.startsWith('registry-bench ')) return null;
    return JSON.parse(comment.slice('registry-bench '.length)) as DatasetScale;
  });
}

export async function dropDatabase(database: string): Promise<void> {
  await withClient(adminUrl, (admin) =>
    admin.query(`drop database if exists "${database}" with (force)`),
  );
}

/**
 * Builds the dataset in `database`, dropping what was there, unless `reuse` is set and the
 * database holds a dataset generated at the same scale (its comment says so; it is written
 * last, so a run stopped half way is never reused).
 */
export async function ensureDataset(
  database: string,
  scale: DatasetScale,
  options: { reuse: boolean; log: (line: string) => void },
): Promise<DatasetReport> {
  const started = performance.now();
  const existing = options.reuse ? await generatedScale(database) : null;
  if (existing && JSON.stringify(existing) === JSON.stringify(scale)) {
    options.log(`reusing the dataset in ${database}`);
    const { db, close } = await openDatabase({ url: urlOf(database) });
    try {
      // Migrations added since the dataset was generated apply to it; they never touch its rows' meaning.
      await migrateToLatest(db);
      return {
        scale,
        reused: true,
        seedMs: 0,
        historyMs: 0,
        analyzeMs: 0,
        totalMs: Math.round(performance.now() - started),
        rows: await countRows(db),
      };
    } finally {
      await close();
    }
  }
  await dropDatabase(database);
  await withClient(adminUrl, (admin) => admin.query(`create database "${database}"`));
  const { db, close } = await openDatabase({ url: urlOf(database) });
  try {
    await migrateToLatest(db);
    options.log(`generating ${scale.teachers.toLocaleString('en-US')} teachers with seedDemoData…`);
    const seed = await seedDemoData(db, { teachers: scale.teachers });
    options.log(`  seedDemoData: ${(seed.elapsedMs / 1000).toFixed(1)} s`);
    const historyStarted = performance.now();
    await seedHistory(db, { activities: scale.historyActivities, roster: scale.historyRoster });
    const historyMs = Math.round(performance.now() - historyStarted);
    options.log(`  previous-cycle history: ${(historyMs / 1000).toFixed(1)} s`);
    const analyzeStarted = performance.now();
    await sql`vacuum (analyze)`.execute(db);
    const analyzeMs = Math.round(performance.now() - analyzeStarted);
    options.log(`  vacuum analyze: ${(analyzeMs / 1000).toFixed(1)} s`);
    const comment = `registry-bench ${JSON.stringify(scale)}`;
    await sql`comment on database ${sql.id(database)} is ${sql.lit(comment)}`.execute(db);
    return {
      scale,
      reused: false,
      seedMs: seed.elapsedMs,
      historyMs,
      analyzeMs,
      totalMs: Math.round(performance.now() - started),
      rows: await countRows(db),
    };
  } finally {
    await close();
  }
}
