import { createHash } from 'node:crypto';
import {
  activityStatuses,
  completionRulesSchema,
  deliveryModes,
  eligibilityRulesSchema,
  roles,
} from '@registry/domain';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../accounts/password';
import { openDatabase, type Database } from '../database';
import type { DB } from '../generated/database';
import { migrateToLatest } from '../migrate';
import { demoLogins, seedDemoData, type SeedReport } from './index';

/** A fixed day, so both runs (and every run of this test) build the same world. */
const now = new Date('2026-11-22T04:00:00Z');
const today = '2026-11-22';

async function seededDatabase(): Promise<{ database: Database; report: SeedReport }> {
  const database = await openDatabase({});
  await migrateToLatest(database.db);
  const report = await seedDemoData(database.db, { now });
  return { database, report };
}

/** A digest of the rows that matter, ids included. */
async function fingerprint(db: Kysely<DB>): Promise<string> {
  const queries = [
    sql`select id, code, title, provider_id, region_id, category, level, delivery_mode, credit_hours, capacity,
          eligibility_rules, completion_rules, status, rejection_reason, starts_on, ends_on,
          created_by, approved_by, approved_at, created_at, version
        from activities order by id`,
    sql`select id, national_id, name, school_id, stage, subjects, role_tags, years_of_service, is_rural
        from teachers order by id`,
    sql`select id, activity_id, sequence, title, mode, starts_at, ends_at, hours, location, online_min_minutes
        from sessions order by id`,
    sql`select id, activity_id, teacher_id, status, source, school_id, rejection_reason,
          substitutes_enrollment_id, assessment_result from enrollments order by id`,
    sql`select id, session_id, enrollment_id, status, minutes, source, recorded_by from attendance order by id`,
    sql`select id, teacher_id, kind, activity_id, enrollment_id, policy_id, category, hours, earned_on,
          reason, corrects_entry_id from credit_ledger order by id`,
    sql`select id, ledger_entry_id, verification_code from certificates order by id`,
    sql`select id, username, display_name, teacher_id, trainer_id from user_accounts order by id`,
    sql`select id, actor_id, action, entity_id, before, after from audit_log order by id`,
  ];
  const hash = createHash('sha256');
  for (const query of queries) {
    const { rows } = await query.execute(db);
    hash.update(JSON.stringify(rows));
  }
  return hash.digest('hex');
}

async function rows<T>(db: Kysely<DB>, query: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await query.execute(db)).rows;
}

describe('seedDemoData', () => {
  let first: { database: Database; report: SeedReport };
  let second: { database: Database; report: SeedReport };
  let db: Kysely<DB>;

  beforeAll(async () => {
    first = await seededDatabase();
    second = await seededDatabase();
    db = first.database.db;
  }, 60_000);

  afterAll(async () => {
    await first?.database.close();
    await second?.database.close();
  });

  it('gives the same rows, ids included, for the same options on fresh databases', async () => {
    expect(second.report.rows).toEqual(first.report.rows);
    expect(await fingerprint(second.database.db)).toBe(await fingerprint(db));
    expect(first.report.today).toBe(today);
  });

  it('reports row counts per table and the time it took', () => {
    expect(first.report.rows.teachers).toBeGreaterThanOrEqual(300);
    expect(first.report.rows.attendance).toBeGreaterThan(0);
    expect(first.report.elapsedMs).toBeGreaterThan(0);
  });

  it('refuses to seed a database that already has data', async () => {
    await expect(seedDemoData(db, { now })).rejects.toThrow(/already has data/);
  });

  it('builds a city with districts, offices, institutions, 20+ schools and 300+ teachers', async () => {
    const [counts] = await rows(
      db,
      sql<{
        districts: number;
        offices: number;
        institutions: number;
        schools: number;
        rural: number;
        teachers: number;
      }>`
        select
          (select count(*)::int from regions where kind = 'district') as districts,
          (select count(*)::int from organizations where kind = 'education_office') as offices,
          (select count(*)::int from organizations where kind = 'training_institution') as institutions,
          (select count(*)::int from organizations where kind = 'school') as schools,
          (select count(*)::int from organizations where kind = 'school' and is_rural) as rural,
          (select count(*)::int from teachers) as teachers`,
    );
    expect(counts?.districts).toBeGreaterThanOrEqual(5);
    expect(counts?.offices).toBe((counts?.districts ?? 0) + 1);
    expect(counts?.institutions).toBeGreaterThanOrEqual(2);
    expect(counts?.schools).toBeGreaterThanOrEqual(20);
    expect(counts?.rural).toBeGreaterThan(0);
    expect(counts?.teachers).toBeGreaterThanOrEqual(300);
    const mismatched = await rows(
      db,
      sql`select t.id from teachers t join organizations s on s.id = t.school_id
          where not (t.stage = any (s.stages)) or t.is_rural <> s.is_rural
            or (t.years_of_service < 3) <> ('new_teacher' = any (t.role_tags))`,
    );
    expect(mismatched).toEqual([]);
    const principals = await rows(
      db,
      sql`select s.id from organizations s where s.kind = 'school' and not exists (
            select 1 from teachers t where t.school_id = s.id and 'principal' = any (t.role_tags))`,
    );
    expect(principals).toEqual([]);
  });

  it('has trainers of every kind; backbone teachers and mentors are teachers of the registry', async () => {
    const kinds = await rows(
      db,
      sql<{ kind: string; linked: number; total: number }>`
        select kind, count(teacher_id)::int as linked, count(*)::int as total from trainers group by kind order by kind`,
    );
    expect(kinds.map((k) => k.kind)).toEqual([
      'backbone_teacher',
      'expert',
      'famous_teacher',
      'mentor',
    ]);
    for (const k of kinds.filter((k) => k.kind === 'backbone_teacher' || k.kind === 'mentor')) {
      expect(k.linked).toBe(k.total);
    }
  });

  it('has activities of every delivery mode and every lifecycle status', async () => {
    const modes = await rows(
      db,
      sql<{ delivery_mode: string }>`select distinct delivery_mode from activities`,
    );
    expect(modes.map((m) => m.delivery_mode).sort()).toEqual([...deliveryModes].sort());
    const statuses = await rows(
      db,
      sql<{ status: string }>`select distinct status from activities`,
    );
    expect(statuses.map((s) => s.status).sort()).toEqual([...activityStatuses].sort());
    const [count] = await rows(db, sql<{ n: number }>`select count(*)::int as n from activities`);
    expect(count?.n).toBeGreaterThanOrEqual(25);
    expect(count?.n).toBeLessThanOrEqual(40);
  });

  it('includes the blended distance training, open classes, a mentoring pair and a national-plan course', async () => {
    const [blended] = await rows(
      db,
      sql<{ in_person: number; online: number; min_minutes: number; assignments: number }>`
        select count(*) filter (where s.mode = 'in_person' and s.hours = 6 and s.location is not null)::int as in_person,
          count(*) filter (where s.mode = 'online')::int as online,
          min(s.online_min_minutes)::int as min_minutes,
          (select count(*)::int from assignments x where x.activity_id = a.id) as assignments
        from activities a join sessions s on s.activity_id = a.id
        where a.delivery_mode = 'blended' and a.level = 'district' and a.status = 'in_progress'
        group by a.id limit 1`,
    );
    expect(blended).toEqual({ in_person: 1, online: 5, min_minutes: 60, assignments: 3 });

    const openClasses = await rows(
      db,
      sql`select a.id from activities a join organizations o on o.id = a.provider_id
          where a.delivery_mode = 'school_based' and o.kind = 'school' and a.title like '%公开课%'`,
    );
    expect(openClasses.length).toBeGreaterThan(0);

    const pairs = await rows(
      db,
      sql<{ trainer_kind: string; role_tags: string[] }>`
        select distinct tr.kind as trainer_kind, t.role_tags
        from activities a
        join sessions s on s.activity_id = a.id
        join session_trainers st on st.session_id = s.id join trainers tr on tr.id = st.trainer_id
        join enrollments e on e.activity_id = a.id join teachers t on t.id = e.teacher_id
        where a.delivery_mode = 'mentoring' and a.status = 'in_progress'`,
    );
    expect(pairs.length).toBeGreaterThan(0);
    for (const pair of pairs) {
      expect(pair.trainer_kind).toBe('mentor');
      expect(pair.role_tags).toContain('new_teacher');
    }

    const national = await rows(
      db,
      sql<{ eligibility_rules: unknown }>`select eligibility_rules from activities
        where level = 'national' and title like '国培计划%'`,
    );
    expect(national.length).toBeGreaterThan(0);
    expect(national[0]?.eligibility_rules).toEqual({ roleTags: ['backbone_teacher'] });
  });

  it('stores eligibility and completion rules that parse with the domain schemas', async () => {
    const stored = await rows(
      db,
      sql<{ eligibility_rules: unknown; completion_rules: unknown }>`
        select eligibility_rules, completion_rules from activities`,
    );
    for (const activity of stored) {
      expect(eligibilityRulesSchema.safeParse(activity.eligibility_rules).success).toBe(true);
      expect(completionRulesSchema.safeParse(activity.completion_rules).success).toBe(true);
    }
    const [policy] = await rows(
      db,
      sql<{ total_hours: number; category_minimums: unknown; yearly_cap: number }>`
        select total_hours, category_minimums, yearly_cap from requirement_policies
        where ${today}::date between cycle_starts_on and cycle_ends_on`,
    );
    expect(policy).toEqual({
      total_hours: 360,
      category_minimums: { school_based: 120 },
      yearly_cap: 120,
    });
  });

  it('keeps rosters within capacity, one per teacher, vouched for by the teacher’s school', async () => {
    const over = await rows(
      db,
      sql`select a.id from activities a where a.capacity < (select count(*) from enrollments e where e.activity_id = a.id)`,
    );
    expect(over).toEqual([]);
    const wrongSchool = await rows(
      db,
      sql`select e.id from enrollments e join teachers t on t.id = e.teacher_id where e.school_id <> t.school_id`,
    );
    expect(wrongSchool).toEqual([]);
    const early = await rows(
      db,
      sql`select e.id from enrollments e join activities a on a.id = e.activity_id
          where a.status in ('draft', 'submitted', 'approved', 'rejected')`,
    );
    expect(early).toEqual([]);
  });

  it('records attendance for past sessions only, online minutes around the minimum', async () => {
    const future = await rows(
      db,
      sql`select t.id from attendance t join sessions s on s.id = t.session_id
          where s.ends_at >= ${`${today}T00:00:00+08:00`}::timestamptz`,
    );
    expect(future).toEqual([]);
    const [online] = await rows(
      db,
      sql<{ below: number; above: number }>`
        select count(*) filter (where t.minutes < s.online_min_minutes)::int as below,
          count(*) filter (where t.minutes >= s.online_min_minutes)::int as above
        from attendance t join sessions s on s.id = t.session_id where s.mode = 'online'`,
    );
    expect(online?.below).toBeGreaterThan(0);
    expect(online?.above).toBeGreaterThan(online?.below ?? 0);
  });

  it('awards credit only to completed enrollments, once each, with the converted hours and a certificate', async () => {
    const notCompleted = await rows(
      db,
      sql`select l.id from credit_ledger l join enrollments e on e.id = l.enrollment_id
          where l.kind = 'award' and e.status <> 'completed'`,
    );
    expect(notCompleted).toEqual([]);
    const [counts] = await rows(
      db,
      sql<{ completed: number; awards: number; certificates: number; adjustments: number }>`
        select (select count(*)::int from enrollments where status = 'completed') as completed,
          (select count(*)::int from credit_ledger where kind = 'award') as awards,
          (select count(*)::int from certificates c join credit_ledger l on l.id = c.ledger_entry_id
            where c.kind = 'completion' and c.enrollment_id = l.enrollment_id) as certificates,
          (select count(*)::int from credit_ledger where kind = 'adjustment' and reason is not null) as adjustments`,
    );
    expect(counts?.awards).toBeGreaterThan(0);
    expect(counts?.awards).toBe(counts?.completed);
    expect(counts?.certificates).toBe(counts?.awards);
    expect(counts?.adjustments).toBeGreaterThanOrEqual(2);

    const wrongHours = await rows(
      db,
      sql`select l.id from credit_ledger l
          join activities a on a.id = l.activity_id
          join requirement_policies p on p.id = l.policy_id
          where l.kind = 'award' and (l.category <> a.category or l.earned_on <> a.ends_on
            or l.hours <> round(a.credit_hours * coalesce((p.conversion_factors ->> a.delivery_mode)::numeric, 1), 2)
            or l.earned_on not between p.cycle_starts_on and p.cycle_ends_on)`,
    );
    expect(wrongHours).toEqual([]);
  });

  it('completes enrollments only when their attendance meets the completion rule', async () => {
    const short = await rows(
      db,
      sql`select e.id
          from enrollments e join activities a on a.id = e.activity_id
          where e.status = 'completed' and
            (select coalesce(sum(s.hours) filter (where t.status in ('present', 'late')), 0)
             from sessions s left join attendance t on t.session_id = s.id and t.enrollment_id = e.id
             where s.activity_id = a.id)
            < (a.completion_rules ->> 'minAttendanceRatio')::numeric
              * (select sum(hours) from sessions s where s.activity_id = a.id)`,
    );
    expect(short).toEqual([]);
    const [outcomes] = await rows(
      db,
      sql<{ completed: number; not_completed: number }>`
        select count(*) filter (where status = 'completed')::int as completed,
          count(*) filter (where status = 'not_completed')::int as not_completed from enrollments`,
    );
    expect(outcomes?.not_completed).toBeGreaterThan(0);
    expect(outcomes?.completed).toBeGreaterThan(outcomes?.not_completed ?? 0);
  });

  it('signs rosters of finished activities: schools first, then the office', async () => {
    const unsigned = await rows(
      db,
      sql`select a.id from activities a where a.status in ('credited', 'archived') and not exists (
            select 1 from confirmations c where c.activity_id = a.id and c.level = 'office')`,
    );
    expect(unsigned).toEqual([]);
    const audit = await rows(
      db,
      sql<{
        n: number;
      }>`select count(*)::int as n from audit_log a join activities x on x.id::text = a.entity_id
          where a.action = 'activity.approved' and a.entity_type = 'activity' and x.approved_by = a.actor_id`,
    );
    expect(audit[0]?.n).toBeGreaterThan(0);
  });

  it('has one demo login per role, with memberships, sharing one argon2id hash of demo1234', async () => {
    // Every role has one; offices have two (the district's and the city's, which decides on
    // the centre's activities).
    expect([...new Set(demoLogins.map((l) => l.role))].sort()).toEqual([...roles].sort());
    expect(new Set(demoLogins.map((l) => l.username)).size).toBe(demoLogins.length);
    const accounts = await rows(
      db,
      sql<{
        username: string;
        role: string;
        organization_id: number | null;
        password_hash: string;
      }>`
        select u.username, m.role, m.organization_id, u.password_hash
        from user_accounts u join memberships m on m.user_id = u.id
        where u.username in (${sql.join(demoLogins.map((l) => l.username))})`,
    );
    for (const login of demoLogins) {
      const account = accounts.find((a) => a.username === login.username);
      expect(account?.role).toBe(login.role);
      expect(account?.organization_id === null).toBe(login.role === 'platform_admin');
    }
    const hashes = new Set(accounts.map((a) => a.password_hash));
    expect(hashes.size).toBe(1);
    const [hash] = [...hashes];
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash ?? '', 'demo1234')).toBe(true);
  });

  it('gives the demo teacher credits and current enrollments, and the demo trainer today’s sessions', async () => {
    const [teacher] = await rows(
      db,
      sql<{ awards: number; current: number; school_matches: boolean }>`
        select
          (select count(*)::int from credit_ledger l where l.teacher_id = u.teacher_id and l.kind = 'award') as awards,
          (select count(*)::int from enrollments e join activities a on a.id = e.activity_id
            where e.teacher_id = u.teacher_id and a.status in ('open', 'in_progress')) as current,
          (select t.school_id = m.organization_id from teachers t where t.id = u.teacher_id) as school_matches
        from user_accounts u join memberships m on m.user_id = u.id where u.username = 'teacher'`,
    );
    expect(teacher?.awards).toBeGreaterThan(0);
    expect(teacher?.current).toBeGreaterThan(0);
    expect(teacher?.school_matches).toBe(true);

    const todays = await rows(
      db,
      sql`select s.id from user_accounts u
          join session_trainers st on st.trainer_id = u.trainer_id
          join sessions s on s.id = st.session_id join activities a on a.id = s.activity_id
          join memberships m on m.user_id = u.id and m.organization_id = a.provider_id
          where u.username = 'trainer' and a.status = 'in_progress'
            and ((s.starts_at at time zone 'UTC') + interval '8 hours')::date = ${today}::date`,
    );
    expect(todays.length).toBeGreaterThan(0);

    const [school] = await rows(
      db,
      sql<{
        n: number;
      }>`select count(*)::int as n from user_accounts u join memberships m on m.user_id = u.id
          join enrollments e on e.school_id = m.organization_id where u.username = 'school'`,
    );
    expect(school?.n).toBeGreaterThan(0);
  });
});
