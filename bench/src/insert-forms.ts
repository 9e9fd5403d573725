/**
 * `pnpm --filter @registry/bench insert-forms [-- --database registry_bench --rounds 5]`
 *
 * How fast PostgreSQL takes 20,000 attendance rows in the forms the import could use, on the
 * bench dataset (run `pnpm bench` once first): the upsert that reads each row's before (the
 * import's statement for sessions with attendance), the same upsert without that read, a plain
 * INSERT (the import's statement for unrecorded sessions) and COPY. Each form writes into a
 * fresh activity of 2,000 participants × 10 sessions made inside a transaction that is rolled
 * back (and vacuumed at the end), so nothing stays; the forms take turns, round after round, and the medians are printed.
 * Measures PostgreSQL only (the parameters are built before the clock starts), which is what
 * the W6 section of docs/benchmarks.md quotes.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    database: { type: 'string', default: 'registry_bench' },
    rounds: { type: 'string', default: '5' },
  },
});
const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
url.pathname = `/${values.database}`;

const columns =
  '(activity_id, session_id, enrollment_id, status, minutes, source, recorded_by, import_id)';
const input = `unnest($1::int4[], $2::int4[], $3::int4[], $4::text[], $5::int4[], $6::text[],
  $7::int4[], $8::int4[]) as u${columns}`;
const upsert = `on conflict (session_id, enrollment_id) do update set status = excluded.status,
  minutes = excluded.minutes, source = excluded.source, recorded_by = excluded.recorded_by,
  import_id = excluded.import_id, recorded_at = now()`;
const statements: Record<string, string> = {
  'upsert reading before': `with input as (select * from ${input}),
    before as (select a.* from attendance a join input i
      on a.session_id = i.session_id and a.enrollment_id = i.enrollment_id
      where a.activity_id = i.activity_id),
    written as (insert into attendance ${columns} select * from input ${upsert}
      returning id, session_id, enrollment_id)
    select false as written, id, session_id, enrollment_id from before
    union all select true, id, session_id, enrollment_id from written`,
  upsert: `insert into attendance ${columns} select * from ${input} ${upsert}
    returning id, session_id, enrollment_id`,
  'plain insert': `insert into attendance ${columns} select * from ${input}
    returning id, session_id, enrollment_id`,
};

const client = new pg.Client({ connectionString: url.toString() });
await client.connect();

/**
 * A fresh activity with 10 sessions and 2,000 participants, and an import row for its rows,
 * made inside the round's transaction. Not fixtures.ts's bulkActivity, which commits: a form
 * must not meet the dead index entries an earlier round's rolled-back rows left under the same
 * keys (reusing one activity measured 707 → 918 ms for the same statement over two runs).
 */
async function freshActivity() {
  const { rows } = await client.query<{ id: number; admin: number }>(
    `insert into activities (code, title, description, provider_id, region_id, category, level,
        delivery_mode, credit_hours, capacity, status, starts_on, ends_on, eligibility_rules,
        completion_rules, created_by, approved_by, approved_at)
      select 'FORMS' || (extract(epoch from clock_timestamp()) * 1000000)::bigint, 'forms', '',
        o.id, o.region_id, 'professional', 'municipal', 'centralized', 30, 2000, 'in_progress',
        current_date - 5, current_date, '{}',
        '{"minAttendanceRatio": 0.8, "minAssignmentsOnTime": 0, "requireOnlineMinimums": true}',
        u.id, u.id, now() - interval '30 days'
      from organizations o, user_accounts u
      where o.kind = 'training_institution' and u.username = 'admin' order by o.id limit 1
      returning id, created_by as admin`,
  );
  const { id, admin } = rows[0]!;
  await client.query(
    `insert into sessions (activity_id, sequence, title, mode, starts_at, ends_at, hours, location)
      select $1, s, 'forms ' || s, 'in_person', current_date - 5 + interval '1 hour',
        current_date - 5 + interval '4 hours', 3, 'forms'
      from generate_series(1, 10) as s`,
    [id],
  );
  await client.query(
    `insert into enrollments (activity_id, teacher_id, status, source, school_id, decided_at)
      select $1, t.id, 'eligibility_confirmed', 'institution', t.school_id, now()
      from (select id, school_id from teachers order by random() limit 2000) t`,
    [id],
  );
  const imported = await client.query<{ id: number }>(
    `insert into attendance_imports (activity_id, idempotency_key, payload_hash, format,
        row_count, created_by)
      values ($1, 'insert-forms-bench', repeat('0', 64), 'csv', 20000, $2) returning id`,
    [id, admin],
  );
  const { rows: pairs } = await client.query<{ s: number; e: number }>(
    `select s.id as s, e.id as e from sessions s join enrollments e on e.activity_id = s.activity_id
      where s.activity_id = $1 order by e.id, s.id`,
    [id],
  );
  return { id, admin, importId: imported.rows[0]!.id, pairs };
}

const literal = (list: ReadonlyArray<unknown>) => `{${list.join(',')}}`;
const timings: Record<string, number[]> = {};
const rounds = Number(values.rounds);
for (let round = 1; round <= rounds; round++) {
  for (const form of [...Object.keys(statements), 'COPY']) {
    await client.query('begin');
    try {
      const { id, admin, importId, pairs } = await freshActivity();
      const chunks = [pairs.slice(0, 10_000), pairs.slice(10_000)].map((chunk) => [
        literal(chunk.map(() => id)),
        literal(chunk.map((p) => p.s)),
        literal(chunk.map((p) => p.e)),
        literal(chunk.map(() => 'present')),
        literal(chunk.map(() => 170)),
        literal(chunk.map(() => 'import')),
        literal(chunk.map(() => admin)),
        literal(chunk.map(() => importId)),
      ]);
      const text = pairs
        .map((p) => `${id}\t${p.s}\t${p.e}\tpresent\t170\timport\t${admin}\t${importId}\n`)
        .join('');
      const started = performance.now();
      if (form === 'COPY') {
        const stream = client.query(copyFrom(`copy attendance ${columns} from stdin`));
        await pipeline(Readable.from([text]), stream);
      } else {
        for (const parameters of chunks) await client.query(statements[form]!, parameters);
      }
      (timings[form] ??= []).push(performance.now() - started);
    } finally {
      await client.query('rollback');
    }
  }
}
// Rolled-back rows stay behind as dead tuples until a vacuum (autovacuum may be off).
await client.query('vacuum attendance, enrollments, sessions, activities, attendance_imports');
await client.end();

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
for (const [form, list] of Object.entries(timings)) {
  console.log(
    `${form.padEnd(22)} median ${median(list).toFixed(0).padStart(4)} ms per 20,000 rows` +
      `  (rounds: ${list.map((t) => t.toFixed(0)).join(', ')})`,
  );
}
