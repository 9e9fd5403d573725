import { execFile, execFileSync } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A PostgreSQL 15 cluster of its own, for tests that stop, crash and restart the server — never
 * the shared server on 5432 that every other test file uses. It lives in a temporary directory
 * owned by the `postgres` OS user (initdb and pg_ctl refuse to run as root, so they run through
 * `runuser -u postgres`), listens on a free port of 127.0.0.1 only, trusts every local
 * connection, and is stopped and deleted by `destroy()` (or, if the test process dies first,
 * stopped at exit).
 *
 * Durability settings are PostgreSQL's defaults (fsync, synchronous_commit and full_page_writes
 * on): what a crash test proves holds for a server configured like production.
 */
const binDir = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const osUser = 'postgres';

export type StopMode = 'smart' | 'fast' | 'immediate';

export interface ThrowawayCluster {
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/DATABASE */
  url(database?: string): string;
  start(): Promise<void>;
  /** `immediate` is a crash: postmaster and backends quit at once, recovery replays the WAL. */
  stop(mode: StopMode): Promise<void>;
  restart(): Promise<void>;
  running(): boolean;
  /** The server log so far (for a failing test's message). */
  log(): string;
  /** Stops the server at once if it runs and deletes the directory. Safe to call twice. */
  destroy(): Promise<void>;
}

/**
 * Why a throwaway cluster cannot be made here, or null when it can: tests skip with this text.
 * Root is needed to hand the directory to `postgres` and to become that user.
 */
export function throwawayClusterUnavailable(): string | null {
  for (const tool of ['initdb', 'pg_ctl', 'postgres']) {
    try {
      accessSync(join(binDir, tool), constants.X_OK);
    } catch {
      return `no ${tool} in ${binDir} (set PG_BIN_DIR to a PostgreSQL 15+ bin directory)`;
    }
  }
  if (process.getuid?.() !== 0) {
    return 'not running as root: initdb and pg_ctl must run as the postgres OS user, which only root can become here';
  }
  try {
    execFileSync('id', ['-u', osUser], { stdio: 'pipe' });
  } catch {
    return `no "${osUser}" OS user to run initdb and pg_ctl as`;
  }
  return null;
}

/** A port nobody listens on right now (the kernel picks it; it may be taken again, rarely). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const run = promisify(execFile);

async function asPostgres(tool: string, args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await run('runuser', ['-u', osUser, '--', join(binDir, tool), ...args], {
      timeout: timeoutMs,
      // Start from a neutral directory: root's cwd may not be readable by postgres.
      cwd: '/',
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${tool} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

/** initdb into a fresh temporary directory and start the server. */
export async function createThrowawayCluster(): Promise<ThrowawayCluster> {
  const reason = throwawayClusterUnavailable();
  if (reason) throw new Error(`cannot create a throwaway cluster: ${reason}`);
  const root = mkdtempSync(join(tmpdir(), 'registry-cluster-'));
  const uid = Number(execFileSync('id', ['-u', osUser]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', osUser]).toString().trim());
  chownSync(root, uid, gid);
  const dataDir = join(root, 'data');
  const logFile = join(root, 'server.log');
  const port = await freePort();
  let isRunning = false;
  let destroyed = false;

  // If the test process ends without destroy() (a crash, a timeout), the server must not
  // outlive it: stop it synchronously at exit and leave the directory for inspection.
  const stopAtExit = () => {
    if (!isRunning) return;
    try {
      execFileSync(
        'runuser',
        ['-u', osUser, '--', join(binDir, 'pg_ctl'), '-D', dataDir, 'stop', '-m', 'immediate'],
        { stdio: 'ignore', cwd: '/', timeout: 10_000 },
      );
    } catch {
      // Nothing more can be done while exiting.
    }
  };
  process.once('exit', stopAtExit);

  await asPostgres('initdb', [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
    '--no-locale',
    // Skips only initdb's own final fsync of the fresh files; the server's durability settings
    // stay the defaults.
    '--no-sync',
  ]);

  const options = [
    `-p ${port}`,
    `-c listen_addresses=127.0.0.1`,
    `-c unix_socket_directories=${root}`,
    // Small, so it starts fast on a shared machine.
    `-c shared_buffers=32MB`,
    `-c max_connections=60`,
  ].join(' ');

  const cluster: ThrowawayCluster = {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      await asPostgres('pg_ctl', [
        '-D',
        dataDir,
        '-l',
        logFile,
        '-o',
        options,
        '-w',
        '-t',
        '60',
        'start',
      ]);
      isRunning = true;
    },
    async stop(mode) {
      await asPostgres('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']);
      isRunning = false;
    },
    async restart() {
      if (isRunning) await cluster.stop('fast');
      await cluster.start();
    },
    running: () => isRunning,
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        if (isRunning) await cluster.stop('immediate');
      } finally {
        process.removeListener('exit', stopAtExit);
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}
