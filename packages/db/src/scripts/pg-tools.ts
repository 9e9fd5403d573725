/**
 * What `pnpm db:backup` and `pnpm db:restore` share: finding a pg_dump / pg_restore that can
 * read the server, and passing the connection to them without putting the password on a
 * command line (where `ps` shows it to every user of the machine).
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Debian and Ubuntu install each major version side by side here. */
const debianRoot = '/usr/lib/postgresql';

export async function serverMajorVersion(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version_num: string }>('show server_version_num');
    return Math.floor(Number(rows[0]!.server_version_num) / 10_000);
  } finally {
    await client.end();
  }
}

/**
 * A pg_dump or pg_restore at least as new as the server (an older one refuses to dump a newer
 * server, and pg_restore must be at least as new as the pg_dump that wrote the archive): the
 * same major version when installed, else the closest newer one. Looks in $PG_BIN_DIR, then
 * /usr/lib/postgresql/<major>/bin, then PATH.
 */
export async function findTool(
  tool: 'pg_dump' | 'pg_restore',
  serverMajor: number,
): Promise<string> {
  const candidates: string[] = [];
  if (process.env.PG_BIN_DIR) candidates.push(join(process.env.PG_BIN_DIR, tool));
  if (existsSync(debianRoot)) {
    for (const major of readdirSync(debianRoot)
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => a - b)) {
      candidates.push(join(debianRoot, String(major), 'bin', tool));
    }
  }
  candidates.push(tool);
  const usable: Array<{ path: string; major: number }> = [];
  const seen: string[] = [];
  for (const path of candidates) {
    const major = await toolMajorVersion(path);
    if (major === null) continue;
    seen.push(`${path} (${major})`);
    if (major >= serverMajor) usable.push({ path, major });
  }
  const best = usable.sort((a, b) => a.major - b.major)[0];
  if (!best) {
    throw new Error(
      `no ${tool} of PostgreSQL ${serverMajor} or newer found (${seen.join(', ') || 'none at all'}); install postgresql-client-${serverMajor} or set PG_BIN_DIR`,
    );
  }
  return best.path;
}

async function toolMajorVersion(path: string): Promise<number | null> {
  try {
    const { stdout } = await run(path, ['--version']);
    const match = /\(PostgreSQL\)\s+(\d+)/.exec(stdout);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** The URL without its password, and the environment that carries the password instead. */
export function connectionFor(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return {
    url: parsed.toString(),
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
  };
}

/** A path as the user typed it: pnpm runs package scripts from the package's own folder. */
export function userPath(path: string): string {
  return isAbsolute(path) ? path : resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

/** The PostgreSQL URL to work on: --database-url, else DATABASE_URL. */
export function databaseUrl(flag: string | undefined): string {
  const url = flag || process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set. Backups use pg_dump and need PostgreSQL; the embedded database is backed up by stopping the server and copying its data directory (DATA_DIR, .data/pglite by default).',
    );
  }
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new Error('the database URL must start with postgres://');
  return url;
}
