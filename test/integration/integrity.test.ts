import { everybody, findActivitiesByIds, StoredRuleError } from '@registry/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';

/**
 * What must never be wrong is enforced by PostgreSQL itself. Each case tries to break one
 * invariant with plain SQL (going around the application on purpose) and expects the
 * database to refuse with the named constraint or trigger.
 */
let database: TestDatabase;
let fx: Fixtures;
let world: Awaited<ReturnType<Fixtures['world']>>;

beforeAll(async () => {
  database = await createTestDatabase();
  fx = new Fixtures(database.db);
  world = await fx.world();
});
afterAll(() => database.close());

interface DatabaseErrorShape {
  code?: string;
  constraint?: string;
  message: string;
}

async function refusal(statement: () => Promise<unknown>): Promise<DatabaseErrorShape> {
  // Each attempt runs in its own transaction, rolled back, so one refusal never leaks into the next.
  try {
    await database.db.transaction().execute(async (trx) => {
      await statement.call(trx);
      throw new Error('statement was accepted');
    });
  } catch (error) {
    return error as DatabaseErrorShape;
  }
  throw new Error('unreachable');
}

const FOREIGN_KEY = '23503';
const CHECK = '23514';
const UNIQUE = '23505';
const RESTRICT = '23001';

describe('the database refuses', () => {
  it.each([
    [
      'an activity with zero credit hours',
      CHECK,
      () => sql`update activities set credit_hours = 0 where id = ${world.activity.id}`,
    ],
    [
      'an activity that ends before it starts',
      CHECK,
      () => sql`update activities set ends_on = starts_on - 1 where id = ${world.activity.id}`,
    ],
    [
      'an unknown activity status',
      CHECK,
      () => sql`update activities set status = 'finished' where id = ${world.activity.id}`,
    ],
    [
      'a rejected activity without a reason',
      CHECK,
      () => sql`update activities set status = 'rejected' where id = ${world.activity.id}`,
    ],
    [
      'eligibility rules that are not an object',
      CHECK,
      () => sql`update activities set eligibility_rules = '[]' where id = ${world.activity.id}`,
    ],
    [
      'an activity from an unknown provider',
      FOREIGN_KEY,
      () => sql`update activities set provider_id = 999999 where id = ${world.activity.id}`,
    ],
    [
      'a session that ends before it starts',
      CHECK,
      () =>
        sql`update sessions set ends_at = starts_at - interval '1 minute' where id = ${world.session.id}`,
    ],
    [
      'a session of zero hours',
      CHECK,
      () => sql`update sessions set hours = 0 where id = ${world.session.id}`,
    ],
    [
      'an online session without minimum minutes',
      CHECK,
      () => sql`update sessions set mode = 'online' where id = ${world.session.id}`,
    ],
    [
      'a second teacher with the same national ID',
      UNIQUE,
      () => sql`insert into teachers (national_id, name, school_id, stage, years_of_service, is_rural)
                values (${world.teacher.national_id}, '重复', ${world.school.id}, 'primary', 1, false)`,
    ],
    [
      'a teacher with an unknown role tag',
      CHECK,
      () => sql`update teachers set role_tags = array['superstar'] where id = ${world.teacher.id}`,
    ],
    [
      'an enrollment of an unknown teacher',
      FOREIGN_KEY,
      () => sql`insert into enrollments (activity_id, teacher_id, school_id, source)
                values (${world.activity.id}, 999999, ${world.school.id}, 'school')`,
    ],
  ] as const)('%s', async (_name, code, statement) => {
    const error = await refusal(async function (this: TestDatabase['db']) {
      await statement().execute(this);
    });
    expect(error.code, error.message).toBe(code);
  });

  it('a platform admin membership tied to an organization', async () => {
    const error = await refusal(async function (this: TestDatabase['db']) {
      const user = await this.insertInto('user_accounts')
        .values({ username: 'x.admin', display_name: 'x', password_hash: 'h' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.insertInto('memberships')
        .values({ user_id: user.id, role: 'platform_admin', organization_id: world.office.id })
        .execute();
    });
    expect(error.code, error.message).toBe(CHECK);
  });

  it('attendance for a session of another activity', async () => {
    const other = await fx.activity(world.institution);
    const otherSession = await fx.session(other);
    const enrollment = await fx.enrollment(world.activity, world.teacher);
    const error = await refusal(async function (this: TestDatabase['db']) {
      await this.insertInto('attendance')
        .values({
          activity_id: world.activity.id,
          session_id: otherSession.id,
          enrollment_id: enrollment.id,
          status: 'present',
          minutes: 60,
          source: 'trainer',
        })
        .execute();
    });
    expect(error.code, error.message).toBe(FOREIGN_KEY);
  });

  describe('in the credit ledger', () => {
    let awardId: number;
    let enrollmentId: number;

    beforeAll(async () => {
      const activity = await fx.activity(world.institution);
      const enrollment = await fx.enrollment(activity, world.teacher);
      enrollmentId = enrollment.id;
      const award = await database.db
        .insertInto('credit_ledger')
        .values({
          teacher_id: world.teacher.id,
          kind: 'award',
          activity_id: activity.id,
          enrollment_id: enrollment.id,
          category: activity.category,
          hours: 6,
          earned_on: activity.endsOn,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      awardId = award.id;
    });

    it('a second award for the same enrollment', async () => {
      const error = await refusal(async function (this: TestDatabase['db']) {
        await sql`insert into credit_ledger (teacher_id, kind, activity_id, enrollment_id, category, hours, earned_on)
                  select teacher_id, kind, activity_id, enrollment_id, category, hours, earned_on
                  from credit_ledger where id = ${awardId}`.execute(this);
      });
      expect(error.code, error.message).toBe(UNIQUE);
      expect(error.constraint).toBe('credit_ledger_one_award_per_enrollment');
    });

    it.each([
      ['an award of zero hours', sql`0`],
      ['an award of negative hours', sql`-3`],
    ])('%s', async (_name, hours) => {
      const error = await refusal(async function (this: TestDatabase['db']) {
        await sql`insert into credit_ledger (teacher_id, kind, activity_id, enrollment_id, category, hours, earned_on)
                  values (${world.teacher.id}, 'award', ${world.activity.id}, ${enrollmentId}, 'professional', ${hours}, '2026-03-02')`.execute(
          this,
        );
      });
      expect(error.code, error.message).toBe(CHECK);
    });

    it('an adjustment without a reason', async () => {
      const error = await refusal(async function (this: TestDatabase['db']) {
        await sql`insert into credit_ledger (teacher_id, kind, category, hours, earned_on)
                  values (${world.teacher.id}, 'adjustment', 'professional', 2, '2026-03-02')`.execute(
          this,
        );
      });
      expect(error.code, error.message).toBe(CHECK);
    });

    it.each([
      ['UPDATE', sql`update credit_ledger set hours = 100`],
      ['DELETE', sql`delete from credit_ledger`],
      ['TRUNCATE', sql`truncate credit_ledger cascade`],
    ])('%s of a ledger entry', async (_op, statement) => {
      const error = await refusal(async function (this: TestDatabase['db']) {
        await statement.execute(this);
      });
      expect(error.code, error.message).toBe(RESTRICT);
      expect(error.message).toMatch(/append-only/);
    });
  });

  describe('in the audit log', () => {
    beforeAll(async () => {
      await database.db
        .insertInto('audit_log')
        .values({ action: 'test.entry', entity_type: 'activity', entity_id: '1' })
        .execute();
    });

    it.each([
      ['UPDATE', sql`update audit_log set action = 'forged'`],
      ['DELETE', sql`delete from audit_log`],
      ['TRUNCATE', sql`truncate audit_log`],
    ])('%s of an audit entry', async (_op, statement) => {
      const error = await refusal(async function (this: TestDatabase['db']) {
        await statement.execute(this);
      });
      expect(error.code, error.message).toBe(RESTRICT);
    });
  });
});

describe('stored rules', () => {
  it('are parsed on the way out: a rule written around the application is reported, not used', async () => {
    const activity = await fx.activity(world.institution, {
      eligibilityRules: { stages: ['senior'] },
    });
    await sql`update activities set eligibility_rules = '{"stages": ["kindergarten"]}' where id = ${activity.id}`.execute(
      database.db,
    );
    // The row reads (a list page needs no rule); the rule raises when something reads it.
    const [read] = await findActivitiesByIds(database.db, everybody, [activity.id]);
    expect(read!.title).toBe(activity.title);
    expect(() => read!.eligibilityRules).toThrow(StoredRuleError);
    expect(read!.completionRules).toBeDefined();
  });

  it('are parsed on the way in: an invalid rule never reaches the database', async () => {
    await expect(
      fx.activity(world.institution, {
        eligibilityRules: { minYearsOfService: 10, maxYearsOfService: 3 },
      }),
    ).rejects.toThrow(/maxYearsOfService/);
  });
});

it(`runs on the ${process.env.TEST_ENGINE} engine`, () => {
  expect(database.engine).toBe(process.env.TEST_ENGINE);
});
