import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/**
 * One autocannon run against one server. Every request is built by `next(i)` (so consecutive
 * requests draw different ids) and every answer is checked by `check`: HTTP errors are
 * statuses other than 200; GraphQL errors are answers whose body carries an `errors` member
 * or, for mutations, a payload that is not the Success member of the result union. Latency
 * percentiles come from every response time, not autocannon's fixed percentile set (it has no
 * p95).
 */

export interface RequestSpec {
  path: string;
  body: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  httpErrors: number;
  graphqlErrors: number;
  /** Mean of the x-sql-statements header over the answers that carried it; null if none did. */
  sqlPerRequest: number | null;
  /** Peak resident set of the server process during the run, in MiB. */
  rssMiB: number | null;
  /**
   * CPU time (user + system) the server process spent per answered request, in milliseconds:
   * steadier than requests/s on a machine whose other core is busy, and it says where the
   * request's cost is (server vs database).
   */
  cpuMsPerRequest?: number | null;
  /**
   * CPU time PostgreSQL's processes (every backend, live or ended during the run) spent per
   * answered request, in milliseconds: what the database pays for the server's statements.
   * Null where the bench cannot read them (a database on another machine).
   */
  databaseCpuMsPerRequest?: number | null;
  /**
   * Busy CPU time of the whole machine (both cores: server, database, load generator, kernel)
   * per answered request: with the machine saturated, requests/s is about cores / this.
   */
  machineCpuMsPerRequest?: number | null;
  /** A body of an answer counted as an error, to say why in the report. */
  firstError?: string;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** Requests per second overall: an open-loop run at a fixed rate (W8 at 70 % of peak). */
  overallRate?: number;
  next(i: number): RequestSpec;
  /** True when the answer is a GraphQL error (beyond a non-200 status). */
  isError?(body: string): boolean;
  /** Pid of the server to sample the resident set of. */
  pid?: number;
  /** Pid of PostgreSQL's postmaster, to measure its backends' CPU (see parentPid). */
  postmasterPid?: number | null;
}

export const graphqlErrorsIn = (body: string) => body.includes('"errors":[');

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let counter = 0;
  let statements = 0;
  let withHeader = 0;
  let graphqlErrors = 0;
  let firstError: string | undefined;
  const isError = options.isError ?? graphqlErrorsIn;
  const latencies: number[] = [];
  const rss = sampleRss(options.pid);
  const cpuBefore = readCpuMs(options.pid);
  const databaseBefore = readDatabaseCpuMs(options.postmasterPid);
  const machineBefore = readMachineCpuMs();
  let finish!: (result: autocannon.Result) => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      duration: options.seconds,
      overallRate: options.overallRate,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const spec = options.next(counter++);
            return {
              ...request,
              path: spec.path,
              body: spec.body,
              headers: { 'content-type': 'application/json', ...spec.headers },
            };
          },
          onResponse: (status, body, _context, headers) => {
            const header = (headers as Record<string, string> | undefined)?.['x-sql-statements'];
            if (header !== undefined) {
              statements += Number(header);
              withHeader += 1;
            }
            if (status === 200 && isError(body)) {
              graphqlErrors += 1;
              firstError ??= body.slice(0, 300);
            } else if (status !== 200) {
              firstError ??= `${status} ${body.slice(0, 300)}`;
            }
          },
        },
      ],
    },
    (error, result) => (error ? fail(error) : finish(result)),
  );
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    latencies.push(responseTime);
  });
  const result = await done;
  const peak = rss.stop();
  const cpuAfter = readCpuMs(options.pid);
  const databaseAfter = readDatabaseCpuMs(options.postmasterPid);
  const machineAfter = readMachineCpuMs();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies.length
      ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!
      : 0;
  const non2xx = result.non2xx + result.errors + result.timeouts;
  const requests = latencies.length;
  const perRequest = (before: number | null, after: number | null) =>
    before !== null && after !== null && requests ? round((after - before) / requests) : null;
  return {
    requests,
    seconds: options.seconds,
    rps: requests / options.seconds,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    httpErrors: non2xx,
    graphqlErrors,
    sqlPerRequest: withHeader ? round(statements / withHeader) : null,
    rssMiB: peak,
    cpuMsPerRequest: perRequest(cpuBefore, cpuAfter),
    databaseCpuMsPerRequest: perRequest(databaseBefore, databaseAfter),
    machineCpuMsPerRequest: perRequest(machineBefore, machineAfter),
    firstError,
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Polls /proc/<pid>/status every 200 ms; stop() answers the peak VmRSS in MiB. */
export function sampleRss(pid: number | undefined): { stop(): number | null } {
  if (!pid) return { stop: () => null };
  let peak = 0;
  const read = () => {
    const kib = readRssKiB(pid);
    if (kib !== null && kib > peak) peak = kib;
  };
  read();
  const timer = setInterval(read, 200);
  return {
    stop: () => {
      clearInterval(timer);
      read();
      return peak ? Math.round(peak / 1024) : null;
    },
  };
}

export function readRssKiB(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** utime + stime of the process from /proc/<pid>/stat, in milliseconds (clock ticks of 10 ms). */
export function readCpuMs(pid: number | undefined): number | null {
  return pid ? (readStat(pid)?.own ?? null) : null;
}

/**
 * From one read of /proc/<pid>/stat: the parent's pid, utime + stime and cutime + cstime (its
 * ended, reaped children), in ms.
 */
function readStat(pid: number): { parent: number; own: number; reaped: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      parent: Number(fields[1]),
      own: (Number(fields[11]) + Number(fields[12])) * 10,
      reaped: (Number(fields[13]) + Number(fields[14])) * 10,
    };
  } catch {
    return null;
  }
}

/**
 * The parent of a process, when /proc shows it; null otherwise. A PostgreSQL backend's parent
 * is its server's postmaster.
 */
export function parentPid(pid: number): number | null {
  return readStat(pid)?.parent ?? null;
}

/**
 * CPU of a PostgreSQL server so far, in ms: the postmaster's own, the children it has reaped
 * (backends of closed connections) and its live children (backends, background workers).
 */
export function readDatabaseCpuMs(postmaster: number | null | undefined): number | null {
  if (!postmaster) return null;
  const root = readStat(postmaster);
  if (!root) return null;
  let total = root.own + root.reaped;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const process = readStat(Number(entry));
    if (process?.parent === postmaster) total += process.own;
  }
  return total;
}

/** Busy CPU of the whole machine so far (user, nice, system, irq, softirq), in ms. */
export function readMachineCpuMs(): number | null {
  try {
    const [, user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .split(/\s+/)
      .map(Number);
    return (user! + nice! + system! + irq! + softirq!) * 10;
  } catch {
    return null;
  }
}
