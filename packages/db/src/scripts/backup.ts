/**
 * `pnpm db:backup -- FILE [--database-url URL]`
 *
 * Dumps DATABASE_URL (or --database-url) into FILE in pg_dump's custom format (compressed,
 * restorable table by table with `pnpm db:restore`). The dump is written beside FILE first and
 * renamed when complete, so a failed or interrupted backup never leaves a truncated FILE that
 * looks like a good one. Prints the audit log's chain head, worth keeping with the backup as an
 * anchor for `pnpm audit:verify -- --anchor`.
 */
import { execFile } from 'node:child_process';
import { renameSync, rmSync, statSync } from 'node:fs';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { connectionFor, databaseUrl, findTool, serverMajorVersion, userPath } from './pg-tools';

const usage = `usage: pnpm db:backup -- FILE [--database-url URL]
  FILE                where to write the dump (pg_dump custom format)
  --database-url URL  PostgreSQL to back up (default: DATABASE_URL)`;

async function main(): Promise<void> {
  let file: string;
  let url: string;
  try {
    const { values, positionals } = parseArgs({
      args: process.argv.slice(2).filter((arg) => arg !== '--'),
      allowPositionals: true,
      options: {
        'database-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(usage);
      return;
    }
    if (positionals.length !== 1) throw new Error('name exactly one file to write');
    file = userPath(positionals[0]!);
    url = databaseUrl(values['database-url']);
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exitCode = 2;
    return;
  }

  const started = performance.now();
  const pgDump = await findTool('pg_dump', await serverMajorVersion(url));
  const connection = connectionFor(url);
  const partial = `${file}.partial`;
  try {
    await promisify(execFile)(
      pgDump,
      ['--format=custom', '--file', partial, '--dbname', connection.url],
      { env: connection.env, maxBuffer: 16 * 1024 * 1024 },
    );
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    const stderr = (error as { stderr?: string }).stderr?.trim();
    console.error(`backup failed: ${stderr || (error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const megabytes = (statSync(file).size / 1024 / 1024).toFixed(2);
  console.log(`wrote ${file} (${megabytes} MB) in ${seconds} s with ${pgDump}`);
  console.log(`audit chain head ${await chainHead(url)}`);
}

async function chainHead(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ last_position: string; last_hash: string | null }>(
      'select last_position, last_hash from audit_chain_head',
    );
    return rows[0] ? `${rows[0].last_position}:${rows[0].last_hash ?? '-'}` : '(none)';
  } catch {
    // A database from before the chain existed still backs up.
    return '(no chain in this database)';
  } finally {
    await client.end();
  }
}

await main();
