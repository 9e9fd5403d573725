import { sql } from 'kysely';
import { insertRows } from './bulk';
import { criticalComments, positiveComments } from './names';
import type { AccountSet, Policy, RegionTree, SeedContext } from './world';

/** The first officer of each office and the admin of each school, as SQL to join on. */
const staffOf = (role: 'office_officer' | 'school_admin') => sql`(
  select organization_id, min(user_id) as user_id from memberships
  where role = ${role} group by organization_id
)`;

/**
 * The stamps on the sign-in sheet: every school with participants signs its own teachers'
 * attendance the day after the activity ends, then the office of the activity's region signs
 * the whole roster. Credited activities went through both; closed ones are waiting for the
 * office and some schools have not signed yet.
 */
export async function seedConfirmations(ctx: SeedContext): Promise<void> {
  const seed = String(ctx.seed);
  await sql`
    insert into confirmations (activity_id, level, organization_id, revision, confirmed_by, confirmed_at, note)
    select c.activity_id, c.level, c.organization_id, 1, c.confirmed_by, c.confirmed_at, c.note
    from (
      select a.id as activity_id, 'school' as level, r.school_id as organization_id, sa.user_id as confirmed_by,
        ((a.ends_on + 1)::text || 'T16:00:00+08:00')::timestamptz as confirmed_at,
        '签到记录与培训机构名单一致，确认属实。' as note
      from activities a
      join (
        select distinct activity_id, school_id from enrollments
        where status in ('eligibility_confirmed', 'completed', 'not_completed')
      ) r on r.activity_id = a.id
      left join ${staffOf('school_admin')} sa on sa.organization_id = r.school_id
      where a.status in ('credited', 'archived')
        or (a.status = 'closed'
          and abs(hashtext(${seed} || ':confirmation:' || a.id || ':' || r.school_id)::bigint) % 100 < 70)
      union all
      select a.id, 'office', o.id, oa.user_id,
        ((a.ends_on + 3)::text || 'T10:00:00+08:00')::timestamptz,
        '经核验，同意按规定登记学时。'
      from activities a
      join organizations o on o.kind = 'education_office' and o.region_id = a.region_id
      left join ${staffOf('office_officer')} oa on oa.organization_id = o.id
      where a.status in ('credited', 'archived')
    ) c
    order by c.activity_id, c.level desc, c.organization_id
  `.execute(ctx.db);
}

/**
 * One award per completed enrollment, written the way the credit service writes them: hours =
 * credit hours × the policy's conversion factor for the delivery mode (missing mode = 1),
 * counted toward the cycle that contains the activity's last day, signed by the region's office.
 * Then a completion certificate per award and a few participant evaluations.
 */
export async function seedCredits(ctx: SeedContext, regions: RegionTree): Promise<void> {
  const seed = String(ctx.seed);
  await sql`
    insert into credit_ledger (teacher_id, kind, activity_id, enrollment_id, policy_id, category, hours, earned_on, actor_id, created_at)
    select e.teacher_id, 'award', a.id, e.id, p.id, a.category,
      round(a.credit_hours * coalesce((p.conversion_factors ->> a.delivery_mode)::numeric, 1), 2),
      a.ends_on, oa.user_id, ((a.ends_on + 5)::text || 'T10:30:00+08:00')::timestamptz
    from enrollments e
    join activities a on a.id = e.activity_id
    left join requirement_policies p
      on p.region_id = ${regions.city.id} and a.ends_on between p.cycle_starts_on and p.cycle_ends_on
    left join organizations o on o.kind = 'education_office' and o.region_id = a.region_id
    left join ${staffOf('office_officer')} oa on oa.organization_id = o.id
    where e.status = 'completed'
    order by a.ends_on, a.id, e.id
  `.execute(ctx.db);

  // Hex digits of an md5 are uppercase alphanumerics once upper()'d: a valid verification code.
  await sql`
    insert into certificates (kind, teacher_id, enrollment_id, ledger_entry_id, policy_id, verification_code, issued_at)
    select 'completion', l.teacher_id, l.enrollment_id, l.id, l.policy_id,
      upper(substr(md5(${seed} || ':certificate:' || l.id), 1, 16)), l.created_at
    from credit_ledger l
    where l.kind = 'award'
    order by l.id
  `.execute(ctx.db);

  await sql`
    insert into evaluations (enrollment_id, rating, comment, created_at)
    select x.id, x.rating,
      case
        when x.rating >= 4 and x.pick % 3 = 0 then null
        when x.rating >= 4 then (${[...positiveComments]}::text[])[1 + x.pick % ${positiveComments.length}]
        else (${[...criticalComments]}::text[])[1 + x.pick % ${criticalComments.length}]
      end,
      ((x.ends_on + 1)::text || 'T20:00:00+08:00')::timestamptz
    from (
      select e.id, a.ends_on, raw.h % 100 as roll, (raw.h / 10000) as pick,
        case
          when (raw.h / 100) % 100 < 45 then 5
          when (raw.h / 100) % 100 < 80 then 4
          when (raw.h / 100) % 100 < 93 then 3
          when (raw.h / 100) % 100 < 98 then 2
          else 1
        end as rating
      from enrollments e
      join activities a on a.id = e.activity_id
      cross join lateral (select abs(hashtext(${seed} || ':evaluation:' || e.id)::bigint) as h) raw
      where e.status = 'completed'
    ) x
    where x.roll < 15
    order by x.id
  `.execute(ctx.db);
}

/**
 * Corrections are new entries with a reason, never edits: a late-recorded school-based study
 * credited to the demo teacher, and a duplicated online block taken back from someone else's
 * award.
 */
export async function seedAdjustments(
  ctx: SeedContext,
  accounts: AccountSet,
  policy: Policy,
): Promise<void> {
  const officer = accounts.officeUserId;
  const award = await ctx.db
    .selectFrom('credit_ledger')
    .select(['id', 'teacher_id', 'category', 'hours', 'earned_on', 'policy_id'])
    .where('kind', '=', 'award')
    .where('teacher_id', '<>', accounts.demoTeacher.id)
    .where('hours', '>', 2)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  const earnedOn =
    ctx.calendar.day(-40) < policy.startsOn ? policy.startsOn : ctx.calendar.day(-40);
  const rows = [
    {
      teacher_id: accounts.demoTeacher.id,
      kind: 'adjustment',
      activity_id: null,
      enrollment_id: null,
      policy_id: policy.id,
      category: 'school_based',
      hours: 4,
      earned_on: earnedOn,
      reason: '补录：本学期校本教研活动学时（纸质签到表已由学校和区教育局核验）。',
      corrects_entry_id: null,
      actor_id: officer,
      created_at: `${ctx.calendar.day(-20)}T11:00:00+08:00`,
    },
    ...(award
      ? [
          {
            teacher_id: award.teacher_id,
            kind: 'adjustment',
            activity_id: null,
            enrollment_id: null,
            policy_id: award.policy_id,
            category: award.category,
            hours: -2,
            earned_on: award.earned_on,
            reason: '核减：该教师同一在线学习单元的时长被重复计入，扣减重复部分。',
            corrects_entry_id: award.id,
            actor_id: officer,
            created_at: `${ctx.calendar.day(-10)}T15:00:00+08:00`,
          },
        ]
      : []),
  ];
  await insertRows(
    ctx.db,
    'credit_ledger',
    {
      teacher_id: 'int4',
      kind: 'text',
      activity_id: 'int4',
      enrollment_id: 'int4',
      policy_id: 'int4',
      category: 'text',
      hours: 'numeric',
      earned_on: 'date',
      reason: 'text',
      corrects_entry_id: 'int8',
      actor_id: 'int4',
      created_at: 'timestamptz',
    },
    rows,
  );
}
