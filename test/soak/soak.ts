/**
 * `pnpm soak` (issue 7, point 10): the real server, started as its own process in production
 * mode over PostgreSQL with demo data, under a mixed load at 70 % of the peak it reached a moment
 * earlier, for 10 minutes. It passes with zero errors, resident memory growing less than 10 %
 * from the second minute to the last, and p99 latency stable (the last minute's p99 at most
 * twice the second minute's). How low p99 is, is issue 6's target (W8), reported here but not
 * judged. Figures go to stdout and docs/soak-latest.json.
 *
 * Options: --minutes N (default 10), --teachers N (default 3000), --peak-seconds N (default 20),
 * --load 0.7 (fraction of peak), --keep (reuse the soak database if it is already seeded).
 * Talks only to 127.0.0.1 and stops by itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { migrateToLatest, openDatabase } from '@registry/db';
import { demoPassword, seedDemoData } from '@registry/db/seed';
import { sql } from 'kysely';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: options } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    teachers: { type: 'string', default: '3000' },
    'peak-seconds': { type: 'string', default: '20' },
    load: { type: 'string', default: '0.7' },
    keep: { type: 'boolean', default: false },
    out: { type: 'string', default: join(root, 'docs', 'soak-latest.json') },
  },
});
const minutes = Number(options.minutes);
const teacherCount = Number(options.teachers);
const peakSeconds = Number(options['peak-seconds']);
const loadFraction = Number(options.load);
const adminUrl =
  process.env.SOAK_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const databaseName = 'registry_soak';
const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${databaseName}` }).toString();

function log(line: string) {
  console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function prepareDatabase() {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [databaseName]);
  if (exists.rowCount && !options.keep) {
    await admin.query(`drop database ${databaseName} with (force)`);
  }
  if (!exists.rowCount || !options.keep) await admin.query(`create database ${databaseName}`);
  await admin.end();
  const database = await openDatabase({ url: databaseUrl });
  await migrateToLatest(database.db);
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from teachers`.execute(
    database.db,
  );
  if (rows[0]!.n === 0) {
    const report = await seedDemoData(database.db, { teachers: teacherCount });
    log(`seeded ${teacherCount} teachers in ${(report.elapsedMs / 1000).toFixed(1)} s`);
  }
  return database;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(
    join(root, 'node_modules', '.bin', 'tsx'),
    [join(root, 'packages', 'api', 'src', 'main.ts')],
    {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        SEED_DEMO_DATA: 'never',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  for (let attempt = 0; attempt < 120; attempt += 1) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (response.ok) return child;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  child.kill('SIGKILL');
  throw new Error('server did not become ready in 30 s');
}

/** Resident set size of the server process: tsx runs the server in a child of its own. */
function rssOf(pid: number): number {
  const pids = [pid, ...childrenOf(pid)];
  let kib = 0;
  for (const p of pids) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kib += match ? Number(match[1]) : 0;
    } catch {
      // gone
    }
  }
  return kib * 1024;
}

function childrenOf(pid: number): number[] {
  try {
    const direct = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
    return direct.flatMap((child) => [child, ...childrenOf(child)]);
  } catch {
    return [];
  }
}

interface Operation {
  name: string;
  kind: 'read' | 'nested' | 'write';
  token: string;
  query: string;
  variables: () => Record<string, unknown>;
  /** Extra check of a 200 answer: a typed error payload counts as an error. */
  ok?: (data: Record<string, unknown>) => boolean;
}

async function login(base: string, username: string): Promise<string> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation($input: LoginInput!) { login(input: $input) { __typename
        ... on MutationLoginSuccess { data { token } } } }`,
      variables: { input: { username, password: demoPassword, issueToken: true } },
    }),
  });
  const body = (await response.json()) as {
    data?: { login?: { data?: { token?: string } } };
  };
  const token = body.data?.login?.data?.token;
  if (!token) throw new Error(`login as ${username} failed: ${JSON.stringify(body)}`);
  return token;
}

const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

async function buildOperations(
  base: string,
  database: Awaited<ReturnType<typeof openDatabase>>,
): Promise<Operation[]> {
  const [office, institution, teacher] = await Promise.all(
    ['office', 'institution', 'teacher'].map((name) => login(base, name)),
  );
  const db = database.db;
  const provider = await db
    .selectFrom('user_accounts as a')
    .innerJoin('memberships as m', 'm.user_id', 'a.id')
    .select('m.organization_id')
    .where('a.username', '=', 'institution')
    .executeTakeFirstOrThrow();
  const activities = await db
    .selectFrom('activities')
    .select('id')
    .where('provider_id', '=', provider.organization_id!)
    .orderBy('id')
    .limit(200)
    .execute();
  const teacherAccount = await db
    .selectFrom('user_accounts')
    .select('teacher_id')
    .where('username', '=', 'teacher')
    .executeTakeFirstOrThrow();
  // A session of the institution's activity in progress whose roster is not yet confirmed:
  // re-recording its attendance is a real write the rules accept again and again.
  const writable = await sql<{ session_id: number; enrollment_ids: number[]; minutes: number }>`
    select s.id as session_id,
           array_agg(e.id order by e.id) as enrollment_ids,
           (extract(epoch from s.ends_at - s.starts_at) / 60)::int as minutes
    from sessions s
    join activities a on a.id = s.activity_id
    join enrollments e on e.activity_id = a.id and e.status in ('registered', 'eligibility_confirmed')
    where a.provider_id = ${provider.organization_id} and a.status = 'in_progress'
      and s.starts_at < now()
      and not exists (select 1 from confirmations c where c.activity_id = a.id and c.superseded_at is null)
    group by s.id
    order by count(*) desc
    limit 1`
    .execute(db)
    .catch(() => ({
      rows: [] as Array<{ session_id: number; enrollment_ids: number[]; minutes: number }>,
    }));
  let pick = 0;
  const nextActivity = () => g('Activity', activities[(pick += 1) % activities.length]!.id);
  const operations: Operation[] = [
    {
      name: 'activity by id',
      kind: 'read',
      token: office!,
      query: `query($id: ID!) { node(id: $id) { ... on Activity { id code title status creditHours
        startsOn endsOn provider { name } } } }`,
      variables: () => ({ id: nextActivity() }),
    },
    {
      name: 'activity list',
      kind: 'read',
      token: office!,
      query: `query($status: [ActivityStatus!]) { activities(first: 50, filter: { status: $status }) {
        totalCount edges { node { id code title status startsOn creditHours } } } }`,
      variables: () => ({ status: pick % 2 ? ['OPEN', 'IN_PROGRESS'] : ['CREDITED'] }),
    },
    {
      name: 'teacher progress',
      kind: 'read',
      token: teacher!,
      query: `query($id: ID!) { node(id: $id) { ... on Teacher { name progress {
        total { required earned remaining status } categories { code counted } } } } }`,
      variables: () => ({ id: g('Teacher', teacherAccount.teacher_id!) }),
    },
    {
      name: 'nested activity → sessions → attendance → teacher → school',
      kind: 'nested',
      token: institution!,
      query: `query { activities(first: 10) { edges { node { id title sessions { sequence
        trainers { name } attendance(first: 50) { edges { node { status minutes
        teacher { name school { name } } } } } } } } } }`,
      variables: () => ({}),
    },
  ];
  const target = writable.rows[0];
  if (target) {
    operations.push({
      name: 'record attendance',
      kind: 'write',
      token: institution!,
      query: `mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) {
        __typename } }`,
      variables: () => ({
        input: {
          sessionId: g('Session', target.session_id),
          entries: target.enrollment_ids.map((id, index) => ({
            enrollmentId: g('Enrollment', id),
            status: (index + pick) % 7 === 0 ? 'LATE' : 'PRESENT',
            minutes: Math.max(1, target.minutes - ((index + pick) % 7 === 0 ? 10 : 0)),
          })),
        },
      }),
      ok: (data) =>
        (data.recordAttendance as { __typename?: string } | undefined)?.__typename ===
        'MutationRecordAttendanceSuccess',
    });
  } else {
    log('no writable session found: the soak runs without writes');
  }
  return operations;
}

interface Sample {
  at: number;
  ms: number;
  ok: boolean;
  kind: Operation['kind'];
  detail?: string;
}

async function send(base: string, operation: Operation): Promise<{ ok: boolean; detail?: string }> {
  try {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${operation.token}`,
      },
      body: JSON.stringify({ query: operation.query, variables: operation.variables() }),
    });
    const text = await response.text();
    if (response.status !== 200)
      return { ok: false, detail: `${response.status} ${text.slice(0, 200)}` };
    const body = JSON.parse(text) as { data?: Record<string, unknown>; errors?: unknown[] };
    if (body.errors?.length)
      return { ok: false, detail: JSON.stringify(body.errors).slice(0, 200) };
    if (operation.ok && !operation.ok(body.data ?? {}))
      return { ok: false, detail: JSON.stringify(body.data).slice(0, 200) };
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: String(error) };
  }
}

/** 80 % reads, 15 % nested, 5 % writes (when a writable session exists). */
function chooser(operations: Operation[]) {
  const reads = operations.filter((o) => o.kind === 'read');
  const nested = operations.filter((o) => o.kind === 'nested');
  const writes = operations.filter((o) => o.kind === 'write');
  let n = 0;
  return () => {
    n += 1;
    const slot = n % 20;
    if (slot === 0 && writes.length) return writes[n % writes.length]!;
    if (slot <= 3) return nested[n % nested.length]!;
    return reads[n % reads.length]!;
  };
}

/** Closed loop: `concurrency` callers back to back for `seconds`; the peak requests/s. */
async function measurePeak(base: string, operations: Operation[], seconds: number) {
  const next = chooser(operations);
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  const concurrency = 16;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const result = await send(base, next());
        done += 1;
        if (!result.ok) errors += 1;
      }
    }),
  );
  return { rps: done / seconds, errors, requests: done };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Open loop at a fixed rate: requests start on schedule whether or not earlier ones finished,
 * and latency counts from the scheduled start, so a stalled server cannot hide its stall.
 */
async function soak(
  base: string,
  operations: Operation[],
  rate: number,
  durationMs: number,
  serverPid: number,
) {
  const next = chooser(operations);
  const samples: Sample[] = [];
  const rss: Array<{ at: number; bytes: number }> = [];
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  const rssTimer = setInterval(() => {
    rss.push({ at: performance.now() - started, bytes: rssOf(serverPid) });
  }, 5_000);
  let sent = 0;
  let lastReport = 0;
  while (performance.now() - started < durationMs) {
    const due = started + (sent * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const operation = next();
    const scheduled = due;
    sent += 1;
    const request = send(base, operation).then((result) => {
      samples.push({
        at: scheduled - started,
        ms: performance.now() - scheduled,
        ok: result.ok,
        kind: operation.kind,
        ...(result.detail ? { detail: result.detail } : {}),
      });
    });
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
    const minute = Math.floor((performance.now() - started) / 60_000);
    if (minute > lastReport) {
      lastReport = minute;
      const recent = samples.filter((s) => s.at >= (minute - 1) * 60_000 && s.at < minute * 60_000);
      const sorted = recent.map((s) => s.ms).sort((a, b) => a - b);
      log(
        `minute ${minute}: ${recent.length} requests, p99 ${percentile(sorted, 99).toFixed(1)} ms, ` +
          `errors ${recent.filter((s) => !s.ok).length}, RSS ${((rss.at(-1)?.bytes ?? 0) / 2 ** 20).toFixed(0)} MiB`,
      );
    }
  }
  await Promise.all(inFlight);
  clearInterval(rssTimer);
  rss.push({ at: performance.now() - started, bytes: rssOf(serverPid) });
  return { samples, rss };
}

async function main() {
  const database = await prepareDatabase();
  const port = await freePort();
  const server = await startServer(port);
  const base = `http://127.0.0.1:${port}`;
  let exitCode = 1;
  try {
    const operations = await buildOperations(base, database);
    for (const operation of operations) {
      const result = await send(base, operation);
      if (!result.ok) throw new Error(`${operation.name} fails before the soak: ${result.detail}`);
    }
    log(`warming up, then measuring peak for ${peakSeconds} s`);
    await measurePeak(base, operations, 5);
    const peak = await measurePeak(base, operations, peakSeconds);
    const rate = Math.max(1, Math.round(peak.rps * loadFraction));
    log(
      `peak ${peak.rps.toFixed(0)} requests/s (${peak.errors} errors); soaking at ${rate}/s ` +
        `(${Math.round(loadFraction * 100)} %) for ${minutes} min`,
    );
    const { samples, rss } = await soak(base, operations, rate, minutes * 60_000, server.pid!);

    const perMinute = Array.from({ length: Math.ceil(minutes) }, (_, minute) => {
      const inMinute = samples.filter(
        (s) => s.at >= minute * 60_000 && s.at < (minute + 1) * 60_000,
      );
      const sorted = inMinute.map((s) => s.ms).sort((a, b) => a - b);
      const rssInMinute = rss.filter(
        (r) => r.at >= minute * 60_000 && r.at < (minute + 1) * 60_000,
      );
      return {
        minute: minute + 1,
        requests: inMinute.length,
        errors: inMinute.filter((s) => !s.ok).length,
        p50: Number(percentile(sorted, 50).toFixed(1)),
        p95: Number(percentile(sorted, 95).toFixed(1)),
        p99: Number(percentile(sorted, 99).toFixed(1)),
        rssMiB: Number(
          (
            rssInMinute.reduce((sum, r) => sum + r.bytes, 0) /
            Math.max(1, rssInMinute.length) /
            2 ** 20
          ).toFixed(1),
        ),
      };
    });
    const errors = samples.filter((s) => !s.ok);
    // The first minute holds start-up allocation; growth is judged from the second minute on.
    const baseline = perMinute[Math.min(1, perMinute.length - 1)]!;
    const last = perMinute.at(-1)!;
    const rssGrowth = (last.rssMiB - baseline.rssMiB) / baseline.rssMiB;
    const all = samples.map((s) => s.ms).sort((a, b) => a - b);
    const verdict = {
      zeroErrors: errors.length === 0,
      rssGrowthUnder10Percent: rssGrowth < 0.1,
      p99Stable: last.p99 <= Math.max(2 * baseline.p99, 10),
    };
    const report = {
      date: new Date().toISOString(),
      machine: `${(await import('node:os')).cpus().length} cores, Node ${process.version}`,
      teachers: teacherCount,
      minutes,
      peakRps: Number(peak.rps.toFixed(1)),
      loadFraction,
      rateRps: rate,
      requests: samples.length,
      mix: Object.fromEntries(
        (['read', 'nested', 'write'] as const).map((kind) => [
          kind,
          samples.filter((s) => s.kind === kind).length,
        ]),
      ),
      errors: errors.length,
      firstErrors: errors.slice(0, 5).map((e) => e.detail),
      latencyMs: {
        p50: percentile(all, 50),
        p95: percentile(all, 95),
        p99: percentile(all, 99),
        max: all.at(-1) ?? 0,
      },
      rssGrowthPercent: Number((rssGrowth * 100).toFixed(1)),
      perMinute,
      verdict,
    };
    writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    console.table(perMinute);
    log(
      `${samples.length} requests at ${rate}/s: ${errors.length} errors, p99 ${report.latencyMs.p99.toFixed(1)} ms, ` +
        `RSS ${baseline.rssMiB} → ${last.rssMiB} MiB (${report.rssGrowthPercent} %); ` +
        `verdict ${JSON.stringify(verdict)}; written to ${options.out}`,
    );
    exitCode = Object.values(verdict).every(Boolean) ? 0 : 1;
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (server.exitCode === null) server.kill('SIGKILL');
    await database.close();
  }
  process.exit(exitCode);
}

await main();
