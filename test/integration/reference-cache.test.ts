import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { eventually } from '../testkit/eventually';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * Issue 6, decision 0023: a process answers credit categories and requirement policies it has
 * read before from memory, and any change to either table — made by hand in psql, a seed or a
 * migration — reaches it by notification when it commits. On PostgreSQL the notification
 * crosses a connection, so a test waits (bounded) for the effect.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let call: Awaited<ReturnType<Awaited<ReturnType<typeof startTestServer>>['as']>>;
let world: Awaited<ReturnType<Fixtures['world']>>;
let policyId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const fx = new Fixtures(database.db);
  world = await fx.world();
  const { id } = await database.db
    .insertInto('requirement_policies')
    .values({
      region_id: world.province.id,
      name: 'Reference cache policy',
      cycle_starts_on: '2031-01-01',
      cycle_ends_on: '2035-12-31',
      total_hours: 360,
      category_minimums: JSON.stringify({ school_based: 120 }),
      category_caps: JSON.stringify({}),
      yearly_cap: null,
      conversion_factors: JSON.stringify({}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  policyId = Buffer.from(`RequirementPolicy:${id}`).toString('base64');
  server = await startTestServer(database);
  call = await server.as(await fx.account('institution_admin', world.institution));
  // Sessions are cached too (decision 0017): one request first, so counts below are the reads'.
  await call(`{ me { username } }`);
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

const policyQuery = `query($id: ID!) { node(id: $id) { ... on RequirementPolicy { name totalHours } } }`;
const categoryQuery = `query($id: ID!) { node(id: $id) { ... on Activity { category { code nameEn } } } }`;
type Answer = { node: Record<string, unknown> | null };

async function ask(query: string, id: string) {
  const response = await call<Answer>(query, { id });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return {
    node: response.data!.node,
    statements: Number(response.headers.get('x-sql-statements')),
  };
}

describe('reference cache', () => {
  it('reads a policy once, then answers it from memory', async () => {
    const first = await ask(policyQuery, policyId);
    const second = await ask(policyQuery, policyId);
    expect(first.node).toEqual({ name: 'Reference cache policy', totalHours: 360 });
    expect(second.node).toEqual(first.node);
    expect(second.statements).toBe(first.statements - 1);
  });

  it('answers a policy changed by hand as soon as the change commits', async () => {
    await ask(policyQuery, policyId);
    await sql`update requirement_policies set name = 'Renamed by hand', total_hours = 300
      where name = 'Reference cache policy'`.execute(database.db);
    const after = await eventually(
      () => ask(policyQuery, policyId),
      (answer) => answer.node?.name === 'Renamed by hand',
    );
    expect(after.node).toEqual({ name: 'Renamed by hand', totalHours: 300 });
  });

  it('keeps a category, and reads it again once the table changes', async () => {
    const activityId = Buffer.from(`Activity:${world.activity.id}`).toString('base64');
    const first = await ask(categoryQuery, activityId);
    const second = await ask(categoryQuery, activityId);
    const code = (first.node!.category as { code: string }).code;
    expect(second.statements).toBe(first.statements - 1);
    const { name_en: before } = await database.db
      .selectFrom('credit_categories')
      .select('name_en')
      .where('code', '=', code)
      .executeTakeFirstOrThrow();
    try {
      await sql`update credit_categories set name_en = ${`${before} (renamed)`} where code = ${code}`.execute(
        database.db,
      );
      const after = await eventually(
        () => ask(categoryQuery, activityId),
        (answer) => (answer.node!.category as { nameEn: string }).nameEn !== before,
      );
      expect(after.node!.category).toEqual({ code, nameEn: `${before} (renamed)` });
    } finally {
      await sql`update credit_categories set name_en = ${before} where code = ${code}`.execute(
        database.db,
      );
    }
  });

  it('reads the policies binding a teacher from memory too, for their progress', async () => {
    const fx = new Fixtures(database.db);
    const off = await startTestServer(database, { REFERENCE_CACHE: 'off' });
    try {
      const teacherId = Buffer.from(`Teacher:${world.teacher.id}`).toString('base64');
      const progress = `query($id: ID!, $policy: ID!) { node(id: $id) { ... on Teacher {
        progress(policyId: $policy) { total { required } } } } }`;
      const asker = async (on: typeof server) => {
        const admin = await on.as(await fx.account('platform_admin', null));
        await admin(`{ me { username } }`);
        return async () => {
          const response = await admin<{ node: { progress: { total: { required: number } } } }>(
            progress,
            { id: teacherId, policy: policyId },
          );
          expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
          return {
            required: response.data!.node.progress.total.required,
            statements: Number(response.headers.get('x-sql-statements')),
          };
        };
      };
      const cached = await asker(server);
      await cached();
      const kept = await cached();
      const read = await (await asker(off))();
      expect(kept.required).toBe(read.required);
      expect(kept.statements).toBe(read.statements - 1);
    } finally {
      await off.stop();
    }
  });
});

describe('reference cache and deleted rows', () => {
  it('stops answering a policy deleted by hand as soon as the delete commits', async () => {
    const { id } = await database.db
      .insertInto('requirement_policies')
      .values({
        region_id: world.province.id,
        name: 'Policy to delete',
        cycle_starts_on: '2036-01-01',
        cycle_ends_on: '2040-12-31',
        total_hours: 360,
        category_minimums: JSON.stringify({}),
        category_caps: JSON.stringify({}),
        yearly_cap: null,
        conversion_factors: JSON.stringify({}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const doomed = Buffer.from(`RequirementPolicy:${id}`).toString('base64');
    await ask(policyQuery, doomed);
    expect((await ask(policyQuery, doomed)).node).toEqual({
      name: 'Policy to delete',
      totalHours: 360,
    });
    await sql`delete from requirement_policies where id = ${id}`.execute(database.db);
    const after = await eventually(
      () => ask(policyQuery, doomed),
      (answer) => answer.node === null,
    );
    expect(after.node).toBeNull();
  });
});

describe('reference cache switched off', () => {
  it('reads the policy every time (REFERENCE_CACHE=off)', async () => {
    const off = await startTestServer(database, { REFERENCE_CACHE: 'off' });
    try {
      const fx = new Fixtures(database.db);
      const offCall = await off.as(await fx.account('school_admin', world.school));
      const asking = async () => {
        const response = await offCall<Answer>(policyQuery, { id: policyId });
        return Number(response.headers.get('x-sql-statements'));
      };
      await offCall(`{ me { username } }`);
      const first = await asking();
      expect(await asking()).toBe(first);
    } finally {
      await off.stop();
    }
  });
});
