import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The three servers of a run, each its own process so each has its own event loop, its own
 * pool of 10 connections and its own resident set to measure. All listen on 127.0.0.1.
 */

export const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
export const peerDir = fileURLToPath(new URL('../peer/', import.meta.url));
const tsxImport = ['--import', 'tsx'];

export interface Server {
  name: 'ours' | 'peer' | 'baseline';
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function waitUntilUp(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      await fetch(url, { method: 'GET' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`${name} did not come up at ${url}`);
}

/**
 * Refuses a port something already listens on: waitUntilUp accepts whatever answers, so a
 * second bench started beside a running one would measure — and write to — the first one's
 * servers and database.
 */
async function ensurePortFree(port: number, name: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () =>
      reject(new Error(`port ${port} for ${name} is taken: is another pnpm bench running?`)),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

async function start(
  name: Server['name'],
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; port: number; path: string; logDir: string },
): Promise<Server> {
  await ensurePortFree(options.port, name);
  const log = createWriteStream(`${options.logDir}/${name}.log`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const url = `http://127.0.0.1:${options.port}${options.path}`;
  const server: Server = {
    name,
    url,
    pid: child.pid!,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  return waitUntilUp(url, child, name).then(() => server);
}

export interface ServerOptions {
  databaseUrl: string;
  logDir: string;
  /** Extra node flags for our gateway, e.g. --cpu-prof. */
  nodeFlags?: string[];
}

/**
 * The Node flags the gateway's own start script passes (`tsx <flags> src/main.ts` in
 * packages/api/package.json), so the bench runs the gateway as `pnpm start` does.
 */
export function gatewayNodeFlags(): string[] {
  const manifest = JSON.parse(
    readFileSync(`${repositoryRoot}packages/api/package.json`, 'utf8'),
  ) as { scripts: { start: string } };
  const words = manifest.scripts.start.split(/\s+/);
  return words.slice(1, words.indexOf('src/main.ts')).filter((word) => word.startsWith('--'));
}

export function startOurs(options: ServerOptions, port = 4101): Promise<Server> {
  return start(
    'ours',
    process.execPath,
    [...gatewayNodeFlags(), ...(options.nodeFlags ?? []), ...tsxImport, 'src/main.ts'],
    {
      cwd: `${repositoryRoot}packages/api`,
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: options.databaseUrl,
        DATABASE_POOL_SIZE: '10',
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        SEED_DEMO_DATA: 'never',
      },
      port,
      path: '/graphql',
      logDir: options.logDir,
    },
  );
}

export function startPeer(options: ServerOptions, port = 4102): Promise<Server> {
  return start(
    'peer',
    `${peerDir}node_modules/node/bin/node`,
    [
      `${peerDir}node_modules/postgraphile/dist/cli-run.js`,
      '-P',
      'postgraphile/presets/amber',
      '-c',
      options.databaseUrl,
      '-s',
      'public',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
    ],
    {
      cwd: peerDir,
      env: { NODE_ENV: 'production', GRAPHILE_ENV: 'production' },
      port,
      path: '/graphql',
      logDir: options.logDir,
    },
  );
}

export function startBaseline(options: ServerOptions, port = 4103): Promise<Server> {
  return start(
    'baseline',
    process.execPath,
    [...tsxImport, 'src/baseline-server.ts', options.databaseUrl, String(port), '10'],
    {
      cwd: fileURLToPath(new URL('../', import.meta.url)),
      env: { NODE_ENV: 'production' },
      port,
      path: '',
      logDir: options.logDir,
    },
  );
}
