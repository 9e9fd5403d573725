import pg from 'pg';
import type { Pools } from './workloads';

/**
 * What each run draws from the dataset: id pools for the reads, session rosters for W5, and
 * fresh activities for W6 (imported two files at a time, and one file at a time in two rounds,
 * each with its COPY twin) and W7 (close and credit 10k participants).
 * The write fixtures are made anew on every run, with a run tag in their codes, so a reused
 * dataset gives every run the same starting point.
 */

export interface Roster {
  sessionId: number;
  enrollmentIds: number[];
}

export interface BulkActivity {
  id: number;
  code: string;
  sessions: Array<{ id: number; sequence: number }>;
  /** Participants in roster order, with their national IDs (the CSV's key). */
  enrollments: Array<{ id: number; nationalId: string }>;
  /** Schools of the participants (W7 confirms each). */
  schoolIds: number[];
}

export interface Fixtures {
  pools: Pools;
  rosters: Roster[];
  w6: BulkActivity;
  /** W6 again, imported one file at a time: one activity per round. */
  w6serial: BulkActivity[];
  /** COPY's twins of w6serial, one per round. */
  w6copy: BulkActivity[];
  w7: BulkActivity;
}

export async function prepareFixtures(
  url: string,
  options: { participants: number; importSessions: number; tag: string },
): Promise<Fixtures> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const ids = async (text: string, values: unknown[] = []) =>
      (await client.query<{ id: number }>(text, values)).rows.map((r) => Number(r.id));
    // Current-cycle activities whose sessions have attendance: the interesting ones to read.
    const activityIds = await ids(
      `select a.id from activities a
        where a.code not like 'H%' and a.code not like 'BENCH%'
          and exists (select 1 from attendance t where t.activity_id = a.id)
        order by a.id limit 500`,
    );
    const regionIds = await ids(
      `select r.id from regions r where exists (select 1 from activities a where a.region_id = r.id
        and a.status = 'credited') order by r.id`,
    );
    const [previous] = await ids(
      `select id from requirement_policies where cycle_ends_on < current_date order by cycle_ends_on desc limit 1`,
    );
    const teacherIds = await ids(
      `select id from teachers where id % 97 = 0 order by id limit 2000`,
    );
    const { rows: rosterRows } = await client.query<{ session_id: number; ids: number[] }>(
      `select s.id as session_id, array_agg(e.id order by e.id) as ids
         from activities a
         join sessions s on s.activity_id = a.id
         join enrollments e on e.activity_id = a.id
          and e.status not in ('eligibility_rejected', 'substituted', 'withdrawn')
        where a.status = 'in_progress' and a.code not like 'BENCH%'
          and not exists (select 1 from confirmations c where c.activity_id = a.id)
        group by s.id having count(*) between 10 and 1000
        order by s.id limit 300`,
    );
    const rosters = rosterRows.map((r) => ({
      sessionId: r.session_id,
      enrollmentIds: r.ids.map(Number),
    }));
    const w6 = await bulkActivity(client, `BENCH-${options.tag}-W6`, {
      participants: options.participants,
      sessions: options.importSessions,
      attended: false,
    });
    // One file at a time and COPY take turns, twice: each is noisy on a small machine, and the
    // ratio of the two should not hang on one slow sample of either.
    const w6serial: BulkActivity[] = [];
    const w6copy: BulkActivity[] = [];
    for (const round of [1, 2]) {
      const shape = {
        participants: options.participants,
        sessions: options.importSessions,
        attended: false,
      };
      w6serial.push(await bulkActivity(client, `BENCH-${options.tag}-W6S${round}`, shape));
      w6copy.push(await bulkActivity(client, `BENCH-${options.tag}-W6C${round}`, shape));
    }
    const w7 = await bulkActivity(client, `BENCH-${options.tag}-W7`, {
      participants: options.participants,
      sessions: 2,
      attended: true,
    });
    await client.query('analyze activities, sessions, enrollments, attendance');
    return {
      pools: { activityIds, regionIds, teacherIds, previousPolicyId: previous! },
      rosters,
      w6,
      w6serial,
      w6copy,
      w7,
    };
  } finally {
    await client.end();
  }
}

/**
 * An in-progress activity of the city's training centre that ran over the last days, with
 * `sessions` sessions and the first `participants` teachers (by school, then id) enrolled and
 * confirmed eligible; with attendance for every session when `attended`.
 */
async function bulkActivity(
  client: pg.Client,
  code: string,
  shape: { participants: number; sessions: number; attended: boolean },
): Promise<BulkActivity> {
  await client.query('begin');
  try {
    const { rows } = await client.query<{ id: number }>(
      `insert into activities (code, title, description, provider_id, region_id, category, level,
          delivery_mode, credit_hours, capacity, status, starts_on, ends_on, eligibility_rules,
          completion_rules, created_by, approved_by, approved_at)
        select $1, '全市教师专题培训（基准测试 ' || $1 || '）', '', o.id, o.region_id, 'professional',
               'municipal', 'centralized', $2::int * 3, $3, 'in_progress',
               current_date - ($2::int - 1) / 2 - 1, current_date, '{}',
               '{"minAttendanceRatio": 0.8, "minAssignmentsOnTime": 0, "requireOnlineMinimums": true}',
               u.id, u.id, now() - interval '30 days'
          from organizations o, user_accounts u
         where o.kind = 'training_institution' and u.username = 'admin'
         order by o.id limit 1
        returning id`,
      [code, shape.sessions, shape.participants],
    );
    const id = Number(rows[0]!.id);
    await client.query(
      `insert into sessions (activity_id, sequence, title, mode, starts_at, ends_at, hours, location)
        select $1, s, '专题讲座 ' || s, 'in_person',
               (current_date - ($2::int - 1) / 2 - 1 + (s - 1) / 2)::timestamp
                 + case when s % 2 = 1 then interval '1 hour' else interval '6 hours' end,
               (current_date - ($2::int - 1) / 2 - 1 + (s - 1) / 2)::timestamp
                 + case when s % 2 = 1 then interval '4 hours' else interval '9 hours' end,
               3, '市教师发展中心报告厅'
          from generate_series(1, $2::int) as s`,
      [id, shape.sessions],
    );
    await client.query(
      `insert into enrollments (activity_id, teacher_id, status, source, school_id, decided_at)
        select $1, t.id, 'eligibility_confirmed', 'institution', t.school_id, now() - interval '20 days'
          from (select id, school_id from teachers order by school_id, id limit $2) t`,
      [id, shape.participants],
    );
    if (shape.attended) {
      await client.query(
        `insert into attendance (activity_id, session_id, enrollment_id, status, minutes, source, recorded_at)
          select $1, s.id, e.id, 'present', 180, 'trainer', s.ends_at
            from sessions s join enrollments e on e.activity_id = s.activity_id
           where s.activity_id = $1`,
        [id],
      );
    }
    await client.query('commit');
    const sessions = (
      await client.query<{ id: number; sequence: number }>(
        `select id, sequence from sessions where activity_id = $1 order by sequence`,
        [id],
      )
    ).rows.map((r) => ({ id: Number(r.id), sequence: r.sequence }));
    const enrollments = (
      await client.query<{ id: number; national_id: string }>(
        `select e.id, t.national_id from enrollments e join teachers t on t.id = e.teacher_id
          where e.activity_id = $1 order by e.id`,
        [id],
      )
    ).rows.map((r) => ({ id: Number(r.id), nationalId: r.national_id }));
    const schoolIds = (
      await client.query<{ school_id: number }>(
        `select distinct school_id from enrollments where activity_id = $1 order by school_id`,
        [id],
      )
    ).rows.map((r) => Number(r.school_id));
    return { id, code, sessions, enrollments, schoolIds };
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}
