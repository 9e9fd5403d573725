import { sql, type Kysely } from 'kysely';
import type { DB } from '../generated/database';

/**
 * How much previous-cycle history to add for a city of `teachers` teachers: at 200,000 teachers
 * 8,500 archived activities of 220 participants, 25,500 sessions (3 on average), 1.87M
 * enrollments, 5.6M attendance rows and 1.87M awards, which with the current cycle makes the sizes a
 * province holds after five years.
 */
export function historyScaleFor(teachers: number): HistoryOptions {
  return {
    activities: Math.max(1, Math.round(teachers * 0.0425)),
    roster: Math.max(1, Math.min(220, Math.floor(teachers / 2))),
  };
}

export interface HistoryOptions {
  /** Archived activities of the previous cycle; 2–4 sessions each. */
  activities: number;
  /** Teachers per archived activity; every one completed and was awarded. */
  roster: number;
}

/**
 * The 2021–2025 cycle, added to a database seeded by seedDemoData: `activities` archived one-
 * or two-day courses of 2 or 4 sessions,
 * each with `historyRoster` teachers who attended every session, completed and were awarded
 * the activity's hours once (one award per enrollment, as the ledger's unique index demands).
 * Rosters are consecutive runs of teachers by id, so every teacher gets about the same number
 * of past activities (≈ 9 at the default scale): transcripts of the previous cycle are real.
 *
 * Generated inside PostgreSQL (insert … select over generate_series): nothing crosses the wire,
 * so it is faster than COPY or UNNEST from Node. It runs with session_replication_role =
 * replica, which skips the foreign-key triggers on millions of rows whose keys are consistent by
 * construction; PostgreSQL only (PGlite runs as one user, which can do this too, but nothing
 * needs it there). No certificates, confirmations or audit entries: the history is what the
 * hot queries read (rosters, attendance, the ledger), not a replay of every workflow.
 */
export async function seedHistory(db: Kysely<DB>, options: HistoryOptions): Promise<void> {
  const { activities: count, roster } = options;
  await db.connection().execute(async (conn) => {
    await sql`set session_replication_role = replica`.execute(conn);
    await sql`set maintenance_work_mem = '256MB'`.execute(conn);
    await sql`set work_mem = '64MB'`.execute(conn);
    await sql`create temporary table bench_teacher as
      select (row_number() over (order by id) - 1)::int as i, id, school_id from teachers`.execute(
      conn,
    );
    await sql`create temporary table bench_template as
      select (row_number() over (order by id) - 1)::int as i, id, title, provider_id, region_id,
             category, level, delivery_mode, created_by, approved_by
        from activities where status in ('credited', 'archived', 'closed')`.execute(conn);
    await sql`insert into activities (code, title, description, provider_id, region_id, category,
        level, delivery_mode, credit_hours, capacity, status, starts_on, ends_on, created_by,
        approved_by, approved_at, created_at, updated_at)
      select 'H' || lpad(g::text, 7, '0'), left(t.title, 180) || '（' || (2021 + g % 5) || '年）',
             '往期培训（上一周期）', t.provider_id, t.region_id, t.category, t.level,
             t.delivery_mode, 3 * n, ${roster}, 'archived', d, d + (n - 1), t.created_by,
             t.approved_by, d - 30, d - 40, d + 30
        from generate_series(0, ${count - 1}) as g
        cross join lateral (select case when g % 2 = 0 then 4 else 2 end as n,
          '2021-02-01'::date + (g::bigint * 1760 / ${count})::int as d) as shape
        join bench_template t on t.i = g % (select count(*) from bench_template)`.execute(conn);
    await sql`create temporary table bench_history as
      select (substr(code, 2)::int) as g, id, credit_hours, category, ends_on, starts_on
        from activities where code like 'H%'`.execute(conn);
    await sql`insert into sessions (activity_id, sequence, title, mode, starts_at, ends_at, hours, location)
      select h.id, s, '第' || s || '讲', 'in_person',
             (h.starts_on + (s - 1) / 2)::timestamp + (case when s % 2 = 1 then interval '9 hours' else interval '14 hours' end),
             (h.starts_on + (s - 1) / 2)::timestamp + (case when s % 2 = 1 then interval '12 hours' else interval '17 hours' end),
             3, '培训中心报告厅'
        from bench_history h cross join generate_series(1, (h.credit_hours / 3)::int) as s`.execute(
      conn,
    );
    await sql`insert into enrollments (activity_id, teacher_id, status, source, school_id,
        decided_at, assessment_result, created_at, updated_at)
      select h.id, t.id, 'completed', 'school', t.school_id, h.starts_on - 10, 'qualified',
             h.starts_on - 20, h.ends_on + 7
        from bench_history h cross join generate_series(0, ${roster - 1}) as j
        join bench_teacher t on t.i = (h.g::bigint * ${roster} + j) % (select count(*) from bench_teacher)`.execute(
      conn,
    );
    await sql`insert into attendance (activity_id, session_id, enrollment_id, status, minutes, source, recorded_at)
      select e.activity_id, s.id, e.id, 'present', 180, 'trainer', s.ends_at
        from bench_history h
        join sessions s on s.activity_id = h.id
        join enrollments e on e.activity_id = h.id`.execute(conn);
    await sql`insert into credit_ledger (teacher_id, kind, activity_id, enrollment_id, policy_id,
        category, hours, earned_on, created_at)
      select e.teacher_id, 'award', h.id, e.id,
             (select p.id from requirement_policies p
               where h.ends_on between p.cycle_starts_on and p.cycle_ends_on
               order by p.id limit 1),
             h.category, h.credit_hours, h.ends_on, h.ends_on + 7
        from bench_history h join enrollments e on e.activity_id = h.id`.execute(conn);
    await sql`set session_replication_role = origin`.execute(conn);
    await sql`drop table bench_teacher, bench_template, bench_history`.execute(conn);
  });
}
