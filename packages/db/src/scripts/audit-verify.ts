/**
 * `pnpm audit:verify [-- --anchor POSITION:HASH]`
 *
 * Walks the audit log's hash chain of DATABASE_URL (else the embedded database) and reports the
 * first entry that does not verify. Exit status: 0 intact, 1 broken, 2 bad usage.
 *
 * The last line it prints ("head N:HASH") is worth keeping somewhere the database's
 * administrators cannot write (a ticket, the backup log): passing it back later as --anchor
 * proves that nothing up to that entry was rewritten since, even by someone who recomputed
 * every hash after an edit.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase } from '../database';
import { verifyAuditChain } from '../repositories/audit.repository';

const usage = `usage: pnpm audit:verify [-- --anchor POSITION:HASH] [--database-url URL]
  --anchor POSITION:HASH  also check that entry POSITION still has HASH (a head printed earlier)
  --database-url URL      PostgreSQL to check (default: DATABASE_URL, else the embedded database)`;

function parse() {
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  const { values } = parseArgs({
    args,
    options: {
      anchor: { type: 'string' },
      'database-url': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  let anchor: { position: number; hash: string } | undefined;
  if (values.anchor !== undefined) {
    const match = /^(\d+):([0-9a-f]{64})$/.exec(values.anchor);
    if (!match)
      throw new Error(`--anchor must be POSITION:HASH (64 hex digits), got "${values.anchor}"`);
    anchor = { position: Number(match[1]), hash: match[2]! };
  }
  return {
    help: values.help,
    anchor,
    url: values['database-url'] || process.env.DATABASE_URL || undefined,
  };
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
    const started = performance.now();
    const report = await verifyAuditChain(db, options.anchor ? { anchor: options.anchor } : {});
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (report.broken) {
      const { id, chainPosition, reason } = report.broken;
      console.error(
        `audit log chain BROKEN at ${id === null ? '' : `entry id ${id}, `}chain position ${chainPosition}: ${reason}`,
      );
      console.error(`${report.verified} entries verified before it (${engine}, ${seconds} s)`);
      process.exitCode = 1;
      return;
    }
    console.log(
      `audit log chain intact: ${report.verified} entries verified (${engine}, ${seconds} s)`,
    );
    console.log(`head ${report.head.position}:${report.head.hash ?? '-'}`);
  } finally {
    await close();
  }
}

await main();
