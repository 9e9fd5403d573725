/**
 * `pnpm db:restore -- FILE [--clean] [--database-url URL]`
 *
 * Restores a `pnpm db:backup` dump into DATABASE_URL (or --database-url), in one transaction:
 * it all lands or nothing does. Refuses a database that already holds tables unless --clean,
 * which drops every object the dump contains before recreating it (what is not in the dump is
 * left alone). Afterwards it verifies the restored audit log's hash chain and prints its head,
 * to compare with the head `pnpm db:backup` printed. Exit status: 0 restored and verified,
 * 1 refused, failed or restored with a broken chain, 2 bad usage.
 *
 * Table data is loaded before the triggers are created (pg_dump orders it so), so the restored
 * audit entries keep their hashes instead of being sealed again.
 */
import { execFile } from 'node:child_process';
import { existsSync, openSync, readSync, closeSync } from 'node:fs';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../database';
import { verifyAuditChain } from '../repositories/audit.repository';
import { connectionFor, databaseUrl, findTool, serverMajorVersion, userPath } from './pg-tools';

const usage = `usage: pnpm db:restore -- FILE [--clean] [--database-url URL]
  FILE                a dump written by pnpm db:backup (pg_dump custom format)
  --clean             restore into a database that holds tables, dropping the dump's objects first
  --database-url URL  PostgreSQL to restore into (default: DATABASE_URL)`;

async function main(): Promise<void> {
  let file: string;
  let url: string;
  let clean: boolean;
  try {
    const { values, positionals } = parseArgs({
      args: process.argv.slice(2).filter((arg) => arg !== '--'),
      allowPositionals: true,
      options: {
        clean: { type: 'boolean', default: false },
        'database-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(usage);
      return;
    }
    if (positionals.length !== 1) throw new Error('name exactly one dump to restore');
    file = userPath(positionals[0]!);
    if (!existsSync(file)) throw new Error(`${file} does not exist`);
    if (!isCustomFormatDump(file)) {
      throw new Error(`${file} is not a pg_dump custom-format archive (pnpm db:backup writes one)`);
    }
    url = databaseUrl(values['database-url']);
    clean = values.clean;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exitCode = 2;
    return;
  }

  const started = performance.now();
  const tables = await prepareTarget(url);
  if (tables > 0 && !clean) {
    console.error(
      `the target database already holds ${tables} tables; not restoring over them. Pass --clean to drop what the dump contains first, or restore into an empty database.`,
    );
    process.exitCode = 1;
    return;
  }
  const pgRestore = await findTool('pg_restore', await serverMajorVersion(url));
  const connection = connectionFor(url);
  try {
    await promisify(execFile)(
      pgRestore,
      [
        '--exit-on-error',
        '--single-transaction',
        ...(clean ? ['--clean', '--if-exists'] : []),
        '--dbname',
        connection.url,
        file,
      ],
      { env: connection.env, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    console.error(`restore failed, nothing changed: ${stderr || (error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  console.log(`restored ${file} in ${seconds} s with ${pgRestore}`);

  const { db, close } = await openDatabase({ url, poolSize: 1 });
  try {
    const report = await verifyAuditChain(db);
    if (report.broken) {
      console.error(
        `the restored audit log chain is BROKEN at entry id ${report.broken.id ?? '-'}, chain position ${report.broken.chainPosition}: ${report.broken.reason}`,
      );
      process.exitCode = 1;
      return;
    }
    console.log(`audit log chain intact: ${report.verified} entries verified`);
    console.log(`audit chain head ${report.head.position}:${report.head.hash ?? '-'}`);
  } finally {
    await close();
  }
}

/** pg_dump's custom format starts with these five bytes. */
function isCustomFormatDump(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const magic = Buffer.alloc(5);
    readSync(fd, magic, 0, 5, 0);
    return magic.toString('latin1') === 'PGDMP';
  } finally {
    closeSync(fd);
  }
}

/**
 * Counts the tables already in the target, and makes sure the application role that the dump
 * grants rights to exists: roles belong to the cluster and are not in a database's dump.
 */
async function prepareTarget(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`do $$
    begin
      if not exists (select 1 from pg_roles where rolname = 'registry_app') then
        create role registry_app nologin;
      end if;
    exception when insufficient_privilege then
      raise warning 'the role registry_app is missing and cannot be created here: its grants will fail';
    end
    $$`);
    const { rows } = await client.query<{ tables: number }>(
      `select count(*)::int as tables from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
         and n.nspname not like 'pg\\_toast%'`,
    );
    return rows[0]!.tables;
  } finally {
    await client.end();
  }
}

await main();
