import { isPrepared, openDatabase } from '@registry/db';
import { historyScaleFor, seedDemoData, seedHistory } from '@registry/db/seed';
import { sql } from 'kysely';
import pg from 'pg';
// @ts-expect-error -- pg's own encoder of parameters has no type declarations
import pgUtils from 'pg/lib/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId, readWorkloads, type Pools } from '../../bench/src/workloads';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { currentEngine } from '../testkit/engines';
import { startTestServer } from '../testkit/server';

/**
 * Every statement of the hot paths (the reads W1–W4 and the attendance write W5 of
 * `pnpm bench`) is index-backed: EXPLAIN of each, with the parameters it was sent with, must
 * not scan a large table sequentially. The data is the bench's generator at a small scale
 * (3,000 teachers and their previous cycle: tens of thousands of enrollments, attendance rows
 * and ledger entries), ANALYZEd, which is enough for the planner to prefer indexes where they
 * exist. PostgreSQL only: the plans of PGlite are not what production runs.
 */

/** A table is large when the planner believes it holds at least this many rows. */
const largeTable = 2_000;

interface Captured {
  sql: string;
  parameters: readonly unknown[];
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

describe.skipIf(currentEngine() !== 'postgres')('hot query plans', () => {
  let database: TestDatabase;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let capture: Captured[] | null = null;
  let pools: Pools;
  let rosters: Array<{ sessionId: number; enrollmentIds: number[] }>;
  let sizes: Map<string, number>;
  let explainer: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase({
      onQuery: (event) => {
        capture?.push({ sql: event.query.sql, parameters: event.query.parameters });
      },
    });
    const teachers = 3_000;
    await seedDemoData(database.db, { teachers });
    await seedHistory(database.db, historyScaleFor(teachers));
    await sql`analyze`.execute(database.db);
    const { rows: tables } = await sql<{ relname: string; reltuples: number }>`
      select relname, reltuples from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace
    `.execute(database.db);
    sizes = new Map(tables.map((t) => [t.relname, Number(t.reltuples)]));

    const ids = async (query: ReturnType<typeof sql<{ id: number }>>) =>
      (await query.execute(database.db)).rows.map((r) => Number(r.id));
    pools = {
      activityIds: await ids(sql`select a.id from activities a where a.code not like 'H%'
        and exists (select 1 from attendance t where t.activity_id = a.id) order by a.id limit 5`),
      regionIds: await ids(sql`select id from regions order by id`),
      teacherIds: await ids(sql`select id from teachers order by id limit 3`),
      previousPolicyId: (
        await ids(sql`select id from requirement_policies where cycle_ends_on < current_date
          order by cycle_ends_on desc limit 1`)
      )[0]!,
    };
    const { rows } = await sql<{ session_id: number; ids: number[] }>`
      select s.id as session_id, array_agg(e.id order by e.id) as ids
        from activities a join sessions s on s.activity_id = a.id
        join enrollments e on e.activity_id = a.id
         and e.status not in ('eligibility_rejected', 'substituted', 'withdrawn')
       where a.status = 'in_progress'
         and not exists (select 1 from confirmations c where c.activity_id = a.id)
       group by s.id order by s.id limit 2`.execute(database.db);
    rosters = rows.map((r) => ({ sessionId: r.session_id, enrollmentIds: r.ids.map(Number) }));
    server = await startTestServer(database);
    explainer = new pg.Client({ connectionString: database.url! });
    await explainer.connect();
  }, 120_000);

  afterAll(async () => {
    await explainer?.end();
    await server?.stop();
    await database?.close();
  });

  it('reads (W1–W4) and the roster write (W5) scan no large table sequentially', async () => {
    const admin = await server.as({ username: 'admin', password: 'demo1234' });
    const statements: Array<Captured & { workload: string }> = [];
    const workloads = readWorkloads(pools);
    for (const w of workloads) {
      for (let i = 0; i < 2; i += 1) {
        capture = [];
        const answer = await admin(w.ours.query, w.ours.variables(i));
        expect(answer.errors, `${w.id}: ${JSON.stringify(answer.errors)}`).toBeUndefined();
        statements.push(...capture.map((c) => ({ ...c, workload: w.id })));
      }
    }
    for (const roster of rosters) {
      capture = [];
      const answer = await admin(
        `mutation ($input: RecordAttendanceInput!) { recordAttendance(input: $input) { __typename } }`,
        {
          input: {
            sessionId: globalId('Session', roster.sessionId),
            entries: roster.enrollmentIds.map((id) => ({
              enrollmentId: globalId('Enrollment', id),
              status: 'PRESENT',
              minutes: 30,
            })),
          },
        },
      );
      expect(answer.data).toEqual({
        recordAttendance: { __typename: 'MutationRecordAttendanceSuccess' },
      });
      statements.push(...capture.map((c) => ({ ...c, workload: 'W5' })));
    }
    capture = null;
    expect(statements.length).toBeGreaterThan(20);

    const problems: string[] = [];
    for (const statement of statements) {
      if (!/^\s*(select|insert|update|delete|with)\b/i.test(statement.sql)) continue;
      const plans: Array<[kind: string, plan: PlanNode]> = [
        ['custom', await explainPlan(statement)],
      ];
      // A prepared statement (decision 0021) may be run with PostgreSQL's generic plan, made
      // once for any parameters: that plan must be index-backed too.
      if (isPrepared(statement.sql)) plans.push(['generic', await explainGenericPlan(statement)]);
      for (const [kind, plan] of plans) {
        const scans = seqScans(plan).filter((table) => (sizes.get(table) ?? 0) >= largeTable);
        if (scans.length > 0)
          problems.push(
            `${statement.workload} (${kind} plan): seq scan of ${scans.join(', ')} in ${statement.sql}`,
          );
      }
    }
    expect(problems).toEqual([]);
    expect(statements.filter((s) => isPrepared(s.sql)).length).toBeGreaterThan(10);
  }, 60_000);

  it('opens its sessions without parallel workers, unless the connection string says otherwise', async () => {
    // Bulk statements' array parameters led the planner to parallel scans of large tables
    // (decision 0015); the explainer above is a bare client, so this checks the pool itself.
    const setting = async (db: TestDatabase['db']) =>
      (
        await sql<{
          max_parallel_workers_per_gather: string;
        }>`show max_parallel_workers_per_gather`.execute(db)
      ).rows[0]!.max_parallel_workers_per_gather;
    expect(await setting(database.db)).toBe('0');
    const overridden = await openDatabase({
      url: `${database.url!}?options=${encodeURIComponent('-c max_parallel_workers_per_gather=2')}`,
      poolSize: 1,
    });
    try {
      expect(await setting(overridden.db)).toBe('2');
    } finally {
      await overridden.close();
    }
  });

  async function explainPlan(statement: Captured): Promise<PlanNode> {
    // EXPLAIN with the statement's own parameters: the custom plan the server got.
    const { rows } = await explainer.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `explain (format json) ${statement.sql}`,
      statement.parameters as unknown[],
    );
    return rows[0]!['QUERY PLAN'][0]!.Plan;
  }

  async function explainGenericPlan(statement: Captured): Promise<PlanNode> {
    const literals = statement.parameters.map((value) =>
      value === null ? 'null' : explainer.escapeLiteral(String(pgUtils.prepareValue(value))),
    );
    await explainer.query('set plan_cache_mode = force_generic_plan');
    await explainer.query(`prepare hot_generic as ${statement.sql}`);
    try {
      const { rows } = await explainer.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
        `explain (format json) execute hot_generic${literals.length ? `(${literals.join(', ')})` : ''}`,
      );
      return rows[0]!['QUERY PLAN'][0]!.Plan;
    } finally {
      await explainer.query('deallocate hot_generic');
      await explainer.query('reset plan_cache_mode');
    }
  }
});

function seqScans(node: PlanNode): string[] {
  const own =
    node['Node Type'] === 'Seq Scan' && node['Relation Name'] ? [node['Relation Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScans)];
}
