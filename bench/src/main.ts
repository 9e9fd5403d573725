/**
 * `pnpm bench [-- --quick] [--reuse] [--teachers N] [--seconds N] [--rounds N] [--only W1,W3] [--profile] [--drop]`
 *
 * Builds (or, with --reuse, keeps) the province-scale dataset in its own database on
 * 127.0.0.1:5432, starts the gateway, PostGraphile v5 and the bare pg baseline side by side
 * against it, and runs the workloads W1–W8 with autocannon. Prints the table and writes it as
 * JSON to bench/results/ (latest.json and one file per run) so runs can be compared. The
 * database stays for --reuse (about 2.2 GB at full scale) unless --drop is given.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import {
  dropDatabase,
  ensureDataset,
  scaleFor,
  settleDatabase,
  urlOf,
  type DatasetReport,
} from './dataset';
import { prepareFixtures, type Fixtures } from './fixtures';
import { parentPid, runLoad, type LoadResult, type RequestSpec } from './load';
import {
  peerDir,
  repositoryRoot,
  startBaseline,
  startOurs,
  startPeer,
  type Server,
} from './servers';
import { globalId, readWorkloads } from './workloads';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    quick: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    teachers: { type: 'string' },
    seconds: { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    database: { type: 'string' },
    profile: { type: 'boolean', default: false },
    drop: { type: 'boolean', default: false },
    'skip-peer-install': { type: 'boolean', default: false },
  },
});

const quick = values.quick;
const teachers = Number(values.teachers ?? (quick ? 12_000 : 200_000));
const seconds = Number(values.seconds ?? (quick ? 4 : 12));
const warmup = quick ? 2 : 4;
/**
 * W1–W4 run the three servers in turn this many times and keep each server's round with the
 * most requests/s: one 12-s cell on these cores moved a ratio by ±10 points between runs (W2:
 * 43–64 % of the baseline on the same code), and taking turns spreads a slow minute of the
 * machine over every server instead of one. Three: on the EPYC host the same code's rounds moved
 * by up to a third within a run (W4 baseline 774–1,073 req/s), so with two a ratio was often
 * one slow minute's.
 */
const readRounds = Math.max(1, Number(values.rounds ?? (quick ? 1 : 3)));
const connections = 10;
const only = values.only ? new Set(values.only.split(',')) : null;
const wanted = (w: string) => !only || only.has(w);
const database = values.database ?? (quick ? 'registry_bench_quick' : 'registry_bench');
const databaseUrl = urlOf(database);
// To the second: fixture codes carry it, and two runs within one minute must not collide.
const runTag = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
const resultsDir = `${repositoryRoot}bench/results`;
const logDir = `${resultsDir}/logs`;
mkdirSync(logDir, { recursive: true });

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

interface Row {
  workload: string;
  title: string;
  server: 'ours' | 'peer' | 'baseline' | 'copy';
  result: LoadResult;
}

const rows: Row[] = [];
const notes: Record<string, unknown> = {};

function installPeer(): void {
  if (values['skip-peer-install'] && existsSync(`${peerDir}node_modules/postgraphile`)) return;
  log('installing PostGraphile v5 and Node 22 into bench/peer with npm…');
  execFileSync('npm', ['install', '--prefix', peerDir, '--no-audit', '--no-fund', '--silent'], {
    stdio: 'inherit',
  });
}

async function signIn(server: Server): Promise<string> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation { login(input: { username: "admin", password: "demo1234", issueToken: true }) {
        ... on MutationLoginSuccess { data { token } } } }`,
    }),
  });
  const body = (await res.json()) as { data?: { login?: { data?: { token?: string } } } };
  const token = body.data?.login?.data?.token;
  if (!token) throw new Error(`sign-in failed: ${JSON.stringify(body)}`);
  return token;
}

async function graphql(
  server: Server,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (res.status !== 200 || body.errors) throw new Error(JSON.stringify(body).slice(0, 500));
  return body.data!;
}

/** A warm-up run (not recorded), then the measured one. */
async function measure(
  workload: string,
  title: string,
  server: Server,
  next: (i: number) => RequestSpec,
  extra: {
    isError?: (body: string) => boolean;
    overallRate?: number;
    seconds?: number;
    /** Not added to the table: the caller keeps the best of several rounds. */
    unrecorded?: boolean;
    round?: number;
  } = {},
): Promise<LoadResult> {
  await runLoad({ url: server.url, connections, seconds: warmup, next, isError: extra.isError });
  const result = await runLoad({
    url: server.url,
    connections,
    seconds: extra.seconds ?? seconds,
    next,
    isError: extra.isError,
    overallRate: extra.overallRate,
    pid: server.pid,
    postmasterPid: postmaster,
  });
  if (!extra.unrecorded) rows.push({ workload, title, server: server.name, result });
  log(
    `${workload}${extra.round ? ` round ${extra.round}` : ''} ${server.name.padEnd(8)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${result.p50} p95 ${result.p95} p99 ${result.p99} ms  errors ${result.httpErrors}+${result.graphqlErrors}  sql/req ${result.sqlPerRequest ?? '–'}  rss ${result.rssMiB} MiB  cpu ${result.cpuMsPerRequest ?? '–'} ms/req (database ${result.databaseCpuMsPerRequest ?? '–'}, machine ${result.machineCpuMsPerRequest ?? '–'})${result.firstError ? `  first error: ${result.firstError}` : ''}`,
  );
  return result;
}

const body = (query: string, variables: Record<string, unknown>) =>
  JSON.stringify({ query, variables });

const recordAttendance = `mutation W5($input: RecordAttendanceInput!) { recordAttendance(input: $input) {
  __typename ... on MutationRecordAttendanceSuccess { data { id status } } ... on UserError { code message } } }`;

function w5Request(fixtures: Fixtures, token: string, i: number): RequestSpec {
  const roster = fixtures.rosters[i % fixtures.rosters.length]!;
  return {
    path: '/graphql',
    headers: { authorization: `Bearer ${token}` },
    body: body(recordAttendance, {
      input: {
        sessionId: globalId('Session', roster.sessionId),
        entries: roster.enrollmentIds.map((id, k) => ({
          enrollmentId: globalId('Enrollment', id),
          status: (i + k) % 10 === 0 ? 'LATE' : 'PRESENT',
          minutes: 30 + (i % 30),
        })),
      },
    }),
  };
}

const notSuccess = (body: string) => !body.includes('Success"') || body.includes('"errors":[');

/** PostgreSQL's postmaster when it runs on this machine: its processes' CPU is reported per request. */
let postmaster: number | null = null;
async function findPostmaster(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    return parentPid(rows[0]!.pid);
  } finally {
    await client.end();
  }
}

const loadAverageAtStart = os.loadavg().map((n) => Math.round(n * 100) / 100);

async function main(): Promise<void> {
  const started = performance.now();
  installPeer();
  const scale = scaleFor(teachers);
  const dataset: DatasetReport = await ensureDataset(database, scale, {
    reuse: values.reuse,
    log,
  });
  log(`dataset ready: ${JSON.stringify(dataset.rows)}`);
  postmaster = await findPostmaster(databaseUrl);
  const fixtures = await prepareFixtures(databaseUrl, {
    participants: Math.min(10_000, teachers),
    importSessions: 10,
    tag: runTag,
  });
  // Generation and fixtures leave gigabytes of dirty pages: write them out now, so the first
  // server measured does not share the machine with the checkpointer.
  await settleDatabase(databaseUrl);
  log(
    `fixtures: ${fixtures.pools.activityIds.length} activities, ${fixtures.rosters.length} rosters, W6 ${fixtures.w6.enrollments.length}×${fixtures.w6.sessions.length}, W7 ${fixtures.w7.enrollments.length} participants in ${fixtures.w7.schoolIds.length} schools`,
  );

  const serverOptions = {
    databaseUrl,
    logDir,
    nodeFlags: values.profile ? ['--cpu-prof', `--cpu-prof-dir=${resultsDir}/profiles`] : [],
  };
  const ours = await startOurs(serverOptions);
  const peer = await startPeer(serverOptions);
  const baseline = await startBaseline(serverOptions);
  const servers = [ours, peer, baseline];
  try {
    const token = await signIn(ours);
    const reads = readWorkloads(fixtures.pools).filter((w) => wanted(w.id));
    const sidesOf = (w: (typeof reads)[number]): Array<[Server, (i: number) => RequestSpec]> => [
      [
        ours,
        (i) => ({
          path: '/graphql',
          headers: { authorization: `Bearer ${token}` },
          body: body(w.ours.query, w.ours.variables(i)),
        }),
      ],
      [peer, (i) => ({ path: '/graphql', body: body(w.peer.query, w.peer.variables(i)) })],
      [
        baseline,
        (i) => ({
          path: `/${w.id}`,
          headers: { authorization: `Bearer ${token}` },
          body: JSON.stringify(w.baselineVariables(i)),
        }),
      ],
    ];
    for (const w of reads) await checkSameAnswers(w.id, sidesOf(w));
    // A server's first load after it starts also optimizes its code and collects its start-up
    // garbage (the gateway's first W1 round once ran a third slower than its second): every
    // server first serves every read workload for a warm-up period, unrecorded.
    for (const w of reads) {
      for (const [server, next] of sidesOf(w)) {
        await runLoad({ url: server.url, connections, seconds: warmup, next });
      }
    }
    for (const w of reads) {
      const sides = sidesOf(w);
      const best = new Map<Server, LoadResult>();
      const perRound: Record<string, number[]> = {};
      for (let round = 1; round <= readRounds; round++) {
        for (const [server, next] of sides) {
          const result = await measure(w.id, w.title, server, next, {
            unrecorded: true,
            ...(readRounds > 1 ? { round } : {}),
          });
          (perRound[server.name] ??= []).push(result.rps);
          if (result.rps > (best.get(server)?.rps ?? -1)) best.set(server, result);
        }
      }
      for (const [server] of sides) {
        rows.push({
          workload: w.id,
          title: w.title,
          server: server.name,
          result: best.get(server)!,
        });
      }
      if (readRounds > 1) notes[`${w.id} req/s by round`] = perRound;
    }
    if (wanted('W5')) {
      await measure(
        'W5',
        'record attendance for a session roster',
        ours,
        (i) => w5Request(fixtures, token, i),
        { isError: notSuccess },
      );
    }
    if (wanted('W6')) await runImport(ours, token, fixtures);
    if (wanted('W7')) await runClose(ours, token, fixtures);
    if (wanted('W8')) await runMixed(ours, token, fixtures);
  } finally {
    for (const server of servers) await server.stop();
  }
  const report = {
    ranAt: new Date().toISOString(),
    command: `pnpm bench${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAverageAtStart,
      loadAverageAtEnd: os.loadavg().map((n) => Math.round(n * 100) / 100),
    },
    versions: await versions(),
    settings: { connections, seconds, warmupSeconds: warmup, readRounds, teachers },
    dataset: { ...dataset, generationSeconds: Math.round(dataset.totalMs / 100) / 10 },
    rows: rows.map((r) => ({
      workload: r.workload,
      title: r.title,
      server: r.server,
      ...r.result,
    })),
    ratios: ratios(),
    notes,
    totalSeconds: Math.round((performance.now() - started) / 1000),
  };
  const json = JSON.stringify(report, null, 2);
  writeFileSync(`${resultsDir}/${quick ? 'quick' : 'latest'}.json`, `${json}\n`);
  writeFileSync(`${resultsDir}/run-${runTag}${quick ? '-quick' : ''}.json`, `${json}\n`);
  console.log(`\n${markdownTable()}\n`);
  console.log(JSON.stringify({ ratios: report.ratios, notes }, null, 2));
  if (values.drop) {
    await dropDatabase(database);
    log(`dropped ${database}`);
  }
  log(`done in ${report.totalSeconds} s; results in bench/results/`);
}

/**
 * The baseline is only a yardstick if it answers what the gateway answers: before anything is
 * measured, the first requests of each read workload go to both and the bodies must match to
 * the byte (but for the gateway's closing newline). Once the baseline's W4 summed the cycle
 * without the policy's minimums, caps and status, and its W2 sent a field the document does
 * not ask for; nothing noticed.
 */
async function checkSameAnswers(
  workload: string,
  sides: Array<[Server, (i: number) => RequestSpec]>,
): Promise<void> {
  const answer = async ([server, next]: [Server, (i: number) => RequestSpec], i: number) => {
    const spec = next(i);
    const res = await fetch(new URL(spec.path, server.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...spec.headers },
      body: spec.body,
    });
    return (await res.text()).trimEnd();
  };
  const ours = sides.find(([server]) => server.name === 'ours')!;
  const baseline = sides.find(([server]) => server.name === 'baseline')!;
  for (let i = 0; i < 20; i++) {
    const [a, b] = await Promise.all([answer(ours, i), answer(baseline, i)]);
    if (a === b) continue;
    let at = 0;
    while (at < a.length && a[at] === b[at]) at++;
    const around = (text: string) => text.slice(Math.max(0, at - 120), at + 120);
    throw new Error(
      `${workload} request ${i}: the baseline answers differently from the gateway at character ${at}\n  ours:     …${around(a)}…\n  baseline: …${around(b)}…`,
    );
  }
  log(`${workload}: the baseline's first 20 answers are the gateway's, byte for byte`);
}

/**
 * W6: 100k attendance rows through commitAttendanceImport in files of at most 500 KiB (the
 * limit is 512 KiB), and COPY of the same rows into twin activities.
 *
 * One file at a time (the row `W6`, whose ratio is the target: one upload keeps one PostgreSQL
 * backend busy, as the one COPY stream does) and COPY take turns for two rounds, each into its
 * own fresh activity; the table keeps the faster round of each and the notes list both. Then two
 * files in flight (`W6 2×`: a client with several files may send them side by side, each its
 * own transaction and idempotency key).
 */
async function runImport(ours: Server, token: string, fixtures: Fixtures): Promise<void> {
  const { w6, w6serial, w6copy } = fixtures;
  const header = 'teacher_national_id,session_sequence,status,minutes';
  const mutation = `mutation W6($input: CommitAttendanceImportInput!) { commitAttendanceImport(input: $input) {
    __typename ... on MutationCommitAttendanceImportSuccess { data { rowCount } } ... on UserError { code message } } }`;

  async function importAll(activity: Fixtures['w6'], concurrency: number, workload: string) {
    const lines = [] as string[];
    for (const e of activity.enrollments)
      for (const s of activity.sessions) lines.push(`${e.nationalId},${s.sequence},present,170`);
    // As few files as the size limit allows, of equal size and a multiple of the uploads in
    // flight, so no upload runs alone at the end while the others idle.
    const bytes = lines.reduce((sum, line) => sum + line.length + 1, 0);
    const perFile = 500 * 1024 - header.length - 1;
    const fileCount = Math.ceil(Math.ceil(bytes / perFile) / concurrency) * concurrency;
    const rowsPerFile = Math.ceil(lines.length / fileCount);
    const files: string[][] = [];
    for (let start = 0; start < lines.length; start += rowsPerFile)
      files.push(lines.slice(start, start + rowsPerFile));
    for (const file of files) {
      const size = header.length + 1 + file.reduce((sum, line) => sum + line.length + 1, 0);
      if (size > 500 * 1024) throw new Error(`${workload} file of ${size} bytes is over 500 KiB`);
    }
    // The request bodies are made before the clock starts, as the COPY's rows are: what is
    // measured is the server's import, not the client's base64 and JSON of the next file.
    const bodies = files.map((file, k) =>
      body(mutation, {
        input: {
          activityId: globalId('Activity', activity.id),
          idempotencyKey: `bench-${runTag}-${activity.id}-${k}`,
          csv: Buffer.from(`${header}\n${file.join('\n')}\n`).toString('base64'),
        },
      }),
    );
    const startedAt = performance.now();
    let statements = 0;
    let errors = 0;
    let firstError: string | undefined;
    const latencies: number[] = [];
    const queue = [...bodies];
    async function upload(): Promise<void> {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const t0 = performance.now();
        const res = await fetch(ours.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: next,
        });
        const text = await res.text();
        latencies.push(performance.now() - t0);
        statements += Number(res.headers.get('x-sql-statements') ?? 0);
        if (res.status !== 200 || notSuccess(text)) {
          errors += 1;
          firstError ??= text.slice(0, 300);
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, upload));
    const importSeconds = (performance.now() - startedAt) / 1000;
    latencies.sort((a, b) => a - b);
    const result: LoadResult = {
      requests: files.length,
      seconds: importSeconds,
      rps: lines.length / importSeconds,
      p50: Math.round(latencies[Math.floor(latencies.length / 2)]!),
      p95: Math.round(latencies[Math.floor(latencies.length * 0.95)]!),
      p99: Math.round(latencies[latencies.length - 1]!),
      httpErrors: 0,
      graphqlErrors: errors,
      sqlPerRequest: Math.round((statements / files.length) * 10) / 10,
      rssMiB: null,
      firstError,
    };
    log(
      `${workload} ours: ${lines.length} rows in ${files.length} files (${concurrency} at a time), ${importSeconds.toFixed(2)} s, ${result.rps.toFixed(0)} rows/s, errors ${errors}${firstError ? ` ${firstError}` : ''}`,
    );
    return {
      result,
      summary: {
        files: files.length,
        rowsPerFile,
        concurrency,
        rowsPerSecond: Math.round(result.rps),
      },
    };
  }

  // COPY of the same rows into a twin activity: the same columns the import writes, so also
  // who recorded them and the import they came from (an attendance_imports row made for it, as
  // the import makes its own), whose foreign keys PostgreSQL checks per row as it does for the
  // import's rows.
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows: admins } = await client.query<{ id: number }>(
    `select id from user_accounts where username = 'admin'`,
  );
  const adminId = Number(admins[0]!.id);
  async function copyAll(activity: Fixtures['w6'], round: number): Promise<LoadResult> {
    // The rows are made before the clock starts, as the import's request bodies are.
    const batches: string[] = [];
    let batch = '';
    for (const e of activity.enrollments) {
      for (const s of activity.sessions)
        batch += `${activity.id}\t${s.id}\t${e.id}\tpresent\t170\timport\t${adminId}\tIMPORT_ID\n`;
      if (batch.length > 64 * 1024) {
        batches.push(batch);
        batch = '';
      }
    }
    if (batch) batches.push(batch);
    const copyStarted = performance.now();
    await client.query('begin');
    const { rows: imports } = await client.query<{ id: number }>(
      `insert into attendance_imports (activity_id, idempotency_key, payload_hash, format, row_count, created_by)
        values ($1, $2, repeat('0', 64), 'csv', $3, $4) returning id`,
      [
        activity.id,
        `bench-copy-${runTag}-${round}`,
        activity.enrollments.length * activity.sessions.length,
        adminId,
      ],
    );
    const copyImportId = Number(imports[0]!.id);
    const stream = client.query(
      copyFrom(
        'copy attendance (activity_id, session_id, enrollment_id, status, minutes, source, recorded_by, import_id) from stdin',
      ),
    );
    const importId = String(copyImportId);
    await pipeline(Readable.from(batches.map((b) => b.replaceAll('IMPORT_ID', importId))), stream);
    await client.query('commit');
    const seconds = (performance.now() - copyStarted) / 1000;
    const rowCount = activity.enrollments.length * activity.sessions.length;
    log(
      `W6 COPY round ${round}: ${rowCount} rows in ${seconds.toFixed(2)} s, ${(rowCount / seconds).toFixed(0)} rows/s`,
    );
    const ms = Math.round(seconds * 1000);
    return {
      requests: 1,
      seconds,
      rps: rowCount / seconds,
      p50: ms,
      p95: ms,
      p99: ms,
      httpErrors: 0,
      graphqlErrors: 0,
      sqlPerRequest: 1,
      rssMiB: null,
    };
  }

  // The target compares like with like: one file at a time (each its own transaction) against
  // one COPY stream, taking turns for two rounds; the table keeps each side's faster round.
  // Two files in flight, as a client with several files may send them, is reported beside it.
  const rounds: Array<{ ours: Awaited<ReturnType<typeof importAll>>; copy: LoadResult }> = [];
  for (let k = 0; k < w6serial.length; k++) {
    const serial = await importAll(w6serial[k]!, 1, `W6 round ${k + 1}`);
    rounds.push({ ours: serial, copy: await copyAll(w6copy[k]!, k + 1) });
  }
  await client.end();
  const pair = await importAll(w6, 2, 'W6 2×');

  const fastest = <T>(list: T[], rate: (item: T) => number) =>
    list.reduce((best, item) => (rate(item) > rate(best) ? item : best));
  const serial = fastest(
    rounds.map((r) => r.ours),
    (o) => o.result.rps,
  );
  const copy = fastest(
    rounds.map((r) => r.copy),
    (c) => c.rps,
  );
  const title = 'import 100k attendance rows (rows/s)';
  rows.push({ workload: 'W6', title, server: 'ours', result: serial.result });
  rows.push({ workload: 'W6 2×', title, server: 'ours', result: pair.result });
  rows.push({ workload: 'W6', title, server: 'copy', result: copy });
  const twoPlaces = (x: number) => Math.round(x * 100) / 100;
  const overCopy = (rate: number) => twoPlaces(rate / copy.rps);
  notes.W6 = {
    twoInFlight: { ...pair.summary, overCopy: overCopy(pair.result.rps) },
    oneAtATime: { ...serial.summary, overCopy: overCopy(serial.result.rps) },
    rounds: rounds.map((r) => ({
      oursRowsPerSecond: Math.round(r.ours.result.rps),
      copyRowsPerSecond: Math.round(r.copy.rps),
      overCopy: twoPlaces(r.ours.result.rps / r.copy.rps),
    })),
  };
  log(`W6 ours/COPY (faster round of each): ${JSON.stringify(notes.W6)}`);
}

/** W7: close the activity of 10k participants, every school confirms, the office credits. */
async function runClose(ours: Server, token: string, fixtures: Fixtures): Promise<void> {
  const { w7 } = fixtures;
  const activityId = globalId('Activity', w7.id);
  const t0 = performance.now();
  await graphql(
    ours,
    token,
    `
      mutation ($input: TransitionActivityInput!) {
        transitionActivity(input: $input) {
          __typename
          ... on UserError {
            code
            message
          }
        }
      }
    `,
    { input: { activityId, action: 'CLOSE' } },
  ).then(expectSuccess('transitionActivity'));
  const closeMs = performance.now() - t0;
  const t1 = performance.now();
  const queue = [...w7.schoolIds];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let school = queue.shift(); school !== undefined; school = queue.shift()) {
        await graphql(
          ours,
          token,
          `
            mutation ($input: ConfirmSchoolAttendanceInput!) {
              confirmSchoolAttendance(input: $input) {
                __typename
                ... on UserError {
                  code
                  message
                }
              }
            }
          `,
          { input: { activityId, schoolId: globalId('Organization', school) } },
        ).then(expectSuccess('confirmSchoolAttendance'));
      }
    }),
  );
  const schoolsMs = performance.now() - t1;
  const t2 = performance.now();
  const res = await fetch(ours.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body(
      `mutation($input: ConfirmRosterInput!) { confirmRoster(input: $input) { __typename
        ... on MutationConfirmRosterSuccess { data { crediting { evaluated completed awardsWritten hoursWritten } } }
        ... on UserError { code message } } }`,
      { input: { activityId } },
    ),
  });
  const text = await res.text();
  const creditMs = performance.now() - t2;
  const ok = res.status === 200 && !notSuccess(text);
  notes.W7 = {
    participants: w7.enrollments.length,
    schools: w7.schoolIds.length,
    closeMs: Math.round(closeMs),
    schoolConfirmationsMs: Math.round(schoolsMs),
    confirmRosterMs: Math.round(creditMs),
    confirmRosterSqlStatements: Number(res.headers.get('x-sql-statements')),
    answer: text.slice(0, 300),
  };
  rows.push({
    workload: 'W7',
    title: 'close an activity of 10k participants: confirmRoster credits it (ms)',
    server: 'ours',
    result: {
      requests: 1,
      seconds: creditMs / 1000,
      rps: 1000 / creditMs,
      p50: Math.round(creditMs),
      p95: Math.round(creditMs),
      p99: Math.round(creditMs),
      httpErrors: res.status === 200 ? 0 : 1,
      graphqlErrors: ok ? 0 : 1,
      sqlPerRequest: Number(res.headers.get('x-sql-statements')),
      rssMiB: null,
      firstError: ok ? undefined : text.slice(0, 300),
    },
  });
  log(
    `W7: close ${Math.round(closeMs)} ms, ${w7.schoolIds.length} school confirmations ${Math.round(schoolsMs)} ms, confirmRoster ${Math.round(creditMs)} ms: ${text.slice(0, 200)}`,
  );
}

function expectSuccess(field: string) {
  return (data: Record<string, unknown>) => {
    const payload = data[field] as { __typename: string; code?: string; message?: string };
    if (!payload.__typename.endsWith('Success'))
      throw new Error(`${field}: ${payload.__typename} ${payload.code} ${payload.message}`);
  };
}

/** W8: 80 % reads (W1, W2), 15 % nested (W3), 5 % writes (W5); peak, then 70 % of it. */
async function runMixed(ours: Server, token: string, fixtures: Fixtures): Promise<void> {
  const reads = readWorkloads(fixtures.pools);
  const [w1, w2, w3] = [reads[0]!, reads[1]!, reads[2]!];
  const next = (i: number): RequestSpec => {
    const slot = i % 20;
    if (slot === 19) return w5Request(fixtures, token, i);
    const w = slot < 16 ? (slot % 2 === 0 ? w1 : w2) : w3;
    return {
      path: '/graphql',
      headers: { authorization: `Bearer ${token}` },
      body: body(w.ours.query, w.ours.variables(i)),
    };
  };
  const isError = (text: string) =>
    text.includes('"errors":[') ||
    (text.includes('recordAttendance') && !text.includes('Success"'));
  const peak = await measure('W8-peak', 'mixed 80/15/5, closed loop (peak)', ours, next, {
    isError,
  });
  const rate = Math.max(1, Math.floor(peak.rps * 0.7));
  await measure('W8', `mixed 80/15/5 at 70 % of peak (${rate} req/s)`, ours, next, {
    isError,
    overallRate: rate,
  });
}

function find(workload: string, server: Row['server']): LoadResult | undefined {
  return rows.find((r) => r.workload === workload && r.server === server)?.result;
}

function ratios(): Record<string, Record<string, number | number[] | boolean | null>> {
  const out: Record<string, Record<string, number | number[] | boolean | null>> = {};
  const ratio = (a?: number, b?: number) => (a && b ? Math.round((a / b) * 100) / 100 : null);
  for (const w of ['W1', 'W2', 'W3', 'W4']) {
    const ours = find(w, 'ours');
    out[w] = {
      oursOverPeer: ratio(ours?.rps, find(w, 'peer')?.rps),
      oursOverBaseline: ratio(ours?.rps, find(w, 'baseline')?.rps),
      ...byRound(w),
    };
  }
  const w6 = find('W6', 'ours');
  out.W6 = { oursOverCopy: ratio(w6?.rps, find('W6', 'copy')?.rps) };
  const w7 = find('W7', 'ours');
  out.W7 = { confirmRosterSeconds: w7 ? Math.round(w7.seconds * 100) / 100 : null };
  const w8 = find('W8', 'ours');
  out.W8 = { p99: w8?.p99 ?? null, errors: w8 ? w8.httpErrors + w8.graphqlErrors : null };
  const met = (v: number | number[] | boolean | null | undefined, min: number) =>
    typeof v === 'number' ? v >= min : null;
  out.targets = {
    W1_vs_peer_ge_1: met(out.W1!.oursOverPeer, 1),
    W1_vs_baseline_ge_0_5: met(out.W1!.oursOverBaseline, 0.5),
    W2_vs_baseline_ge_0_5: met(out.W2!.oursOverBaseline, 0.5),
    W3_vs_peer_ge_2: met(out.W3!.oursOverPeer, 2),
    W3_vs_baseline_ge_0_7: met(out.W3!.oursOverBaseline, 0.7),
    W4_vs_peer_ge_2: met(out.W4!.oursOverPeer, 2),
    W4_vs_baseline_ge_0_7: met(out.W4!.oursOverBaseline, 0.7),
    W6_vs_copy_ge_0_7: met(out.W6!.oursOverCopy, 0.7),
    W7_under_5s: w7 ? w7.seconds < 5 && w7.graphqlErrors === 0 : null,
    W8_p99_under_100ms_no_errors: w8
      ? w8.p99 < 100 && w8.httpErrors + w8.graphqlErrors === 0
      : null,
  };
  return out;
}

/**
 * The ratios of each round's servers, measured one after the other within ~50 s, and their
 * median: reported beside the targets' ratios (each server's best round), which can pair one
 * server's round on a fast stretch of the host with another's on a slow one. The targets are
 * still judged on the best rounds, the rule every recorded run used.
 */
function byRound(workload: string): Record<string, number[] | number | null> {
  const rounds = notes[`${workload} req/s by round`] as Record<string, number[]> | undefined;
  if (!rounds?.ours) return {};
  const median = (list: number[]) => {
    const sorted = [...list].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const value = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    return Math.round(value * 100) / 100;
  };
  const paired = (other: number[] | undefined) =>
    rounds.ours!.map((rps, k) => Math.round((rps / (other?.[k] ?? Number.NaN)) * 100) / 100);
  const overPeer = paired(rounds.peer);
  const overBaseline = paired(rounds.baseline);
  return {
    oursOverPeerByRound: overPeer,
    oursOverPeerMedianOfRounds: overPeer.every(Number.isFinite) ? median(overPeer) : null,
    oursOverBaselineByRound: overBaseline,
    oursOverBaselineMedianOfRounds: overBaseline.every(Number.isFinite)
      ? median(overBaseline)
      : null,
  };
}

function markdownTable(): string {
  const lines = [
    '| workload | server | req/s | p50 ms | p95 ms | p99 ms | errors (HTTP+GraphQL) | SQL/req | RSS MiB | server CPU ms/req | database CPU ms/req | machine CPU ms/req | ours/peer | ours/baseline |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const r = ratios();
  for (const row of rows) {
    const res = row.result;
    const ratio = row.server === 'ours' ? r[row.workload] : undefined;
    lines.push(
      `| ${row.workload} | ${row.server} | ${res.rps.toFixed(row.workload === 'W7' ? 2 : 0)} | ${res.p50} | ${res.p95} | ${res.p99} | ${res.httpErrors}+${res.graphqlErrors} | ${res.sqlPerRequest ?? '–'} | ${res.rssMiB ?? '–'} | ${res.cpuMsPerRequest ?? '–'} | ${res.databaseCpuMsPerRequest ?? '–'} | ${res.machineCpuMsPerRequest ?? '–'} | ${ratio?.oursOverPeer ?? '–'} | ${ratio?.oursOverBaseline ?? ratio?.oursOverCopy ?? '–'} |`,
    );
  }
  return lines.join('\n');
}

async function versions(): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows: v } = await client.query<{ version: string }>('select version()');
  await client.end();
  const peerVersion = (name: string) => {
    try {
      return (
        JSON.parse(
          execFileSync('cat', [`${peerDir}node_modules/${name}/package.json`]).toString(),
        ) as { version: string }
      ).version;
    } catch {
      return 'absent';
    }
  };
  return {
    node: process.version,
    postgres: v[0]!.version.split(',')[0]!,
    postgraphile: peerVersion('postgraphile'),
    peerNode: peerVersion('node'),
    autocannon: peerVersion('../../node_modules/autocannon'),
  };
}

await main();
