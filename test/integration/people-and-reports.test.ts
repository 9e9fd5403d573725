import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/** Teachers, their ledger and the report over it, read through the gateway. */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let office: Awaited<ReturnType<typeof server.as>>;
let school: Awaited<ReturnType<typeof server.as>>;
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
let ids: {
  teacher: number;
  school: number;
  district: number;
  institution: number;
  activity: number;
};

beforeAll(async () => {
  database = await createTestDatabase();
  const fx = new Fixtures(database.db);
  const world = await fx.world();
  const named = await fx.teacher(world.school, { name: '欧阳明月', national_id: 'T44010099' });
  await fx.teacher(world.school, { name: '张三', national_id: 'T44010100' });
  const activity = await fx.activity(world.institution, { category: 'ethics' });
  const enrollment = await fx.enrollment(activity, named);
  const award = await database.db
    .insertInto('credit_ledger')
    .values({
      teacher_id: named.id,
      kind: 'award',
      activity_id: activity.id,
      enrollment_id: enrollment.id,
      category: 'ethics',
      hours: 12,
      earned_on: '2026-03-01',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await database.db
    .insertInto('credit_ledger')
    .values([
      {
        teacher_id: named.id,
        kind: 'adjustment',
        activity_id: activity.id,
        category: 'ethics',
        hours: 1.5,
        earned_on: '2026-04-01',
        reason: '补录线上学时',
      },
      {
        teacher_id: named.id,
        kind: 'revocation',
        activity_id: activity.id,
        category: 'ethics',
        hours: -0.25,
        earned_on: '2026-05-01',
        reason: '考勤更正',
        corrects_entry_id: award.id,
      },
    ])
    .execute();
  ids = {
    teacher: named.id,
    school: world.school.id,
    district: world.district.id,
    institution: world.institution.id,
    activity: activity.id,
  };
  server = await startTestServer(database);
  office = await server.as(await fx.account('office_officer', world.office));
  school = await server.as(await fx.account('school_admin', world.school));
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

describe('teachers', () => {
  it.each([
    ['a Chinese name fragment', { search: '欧阳' }, ['欧阳明月']],
    ['the start of a national ID', { search: 'T4401009' }, ['欧阳明月']],
    ['a LIKE wildcard taken literally', { search: '%' }, []],
  ])('finds by %s', async (_what, filter, names) => {
    const { data, errors } = await school<{
      teachers: { totalCount: number; edges: Array<{ node: { name: string } }> };
    }>(
      `query($filter: TeacherFilter) { teachers(first: 10, filter: $filter) { totalCount edges { node { name } } } }`,
      { filter },
    );
    expect(errors).toBeUndefined();
    expect(data!.teachers.edges.map((e) => e.node.name)).toEqual(names);
    expect(data!.teachers.totalCount).toBe(names.length);
  });

  it('pages by name without overlap', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const response: {
        data?: {
          teachers: {
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
            edges: Array<{ node: { id: string } }>;
          };
        };
      } = await office(
        `query($after: String) { teachers(first: 1, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id } } } }`,
        { after },
      );
      seen.push(...response.data!.teachers.edges.map((e) => e.node.id));
      if (!response.data!.teachers.pageInfo.hasNextPage) break;
      after = response.data!.teachers.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(3);
  });

  it('sums the ledger into the transcript total, exactly', async () => {
    const { data } = await school<{
      node: {
        creditHours: number;
        creditEntries: {
          totalCount: number;
          edges: Array<{ node: { id: string; kind: string; hours: number } }>;
        };
      };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Teacher { creditHours creditEntries(first: 10) { totalCount edges { node { id kind hours } } } } } }`,
      { id: g('Teacher', ids.teacher) },
    );
    expect(data!.node.creditEntries.totalCount).toBe(3);
    expect(data!.node.creditEntries.edges.map((e) => e.node.kind)).toEqual([
      'AWARD',
      'ADJUSTMENT',
      'REVOCATION',
    ]);
    expect(data!.node.creditHours).toBe(13.25);
  });

  it('shows each entry’s activity as a read of the activity by its ID does, for each caller', async () => {
    // The transcript reads the activities with the ledger (one statement); the answer must be
    // the one the activity's own read gives, visibility included.
    const activityFields = 'id code title status creditHours startsOn provider { id name }';
    const seen: boolean[] = [];
    for (const caller of [school, office]) {
      const { data } = await caller<{
        node: { creditEntries: { edges: Array<{ node: { activity: unknown } }> } };
      }>(
        `query($id: ID!) { node(id: $id) { ... on Teacher { creditEntries(first: 10) { edges { node { activity { ${activityFields} } } } } } } }`,
        { id: g('Teacher', ids.teacher) },
      );
      const alone = await caller<{ node: unknown }>(
        `query($id: ID!) { node(id: $id) { ... on Activity { ${activityFields} } } }`,
        { id: g('Activity', ids.activity) },
      );
      const activities = data!.node.creditEntries.edges.map((e) => e.node.activity);
      expect(activities).toHaveLength(3);
      for (const activity of activities) expect(activity).toEqual(alone.data!.node);
      seen.push(alone.data!.node !== null);
    }
    // The school sees it through its teacher's enrollment, the office in its district (an
    // activity a caller may not see: joined-reads.test.ts).
    expect(seen).toEqual([true, true]);
  });

  it('pages the ledger and refetches an entry by its global ID', async () => {
    const first = await school<{
      node: {
        creditEntries: {
          pageInfo: { hasNextPage: boolean; endCursor: string };
          edges: Array<{ node: { id: string } }>;
        };
      };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Teacher { creditEntries(first: 2) { pageInfo { hasNextPage endCursor } edges { node { id } } } } } }`,
      { id: g('Teacher', ids.teacher) },
    );
    const page = first.data!.node.creditEntries;
    expect(page.edges).toHaveLength(2);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = await school<{
      node: { creditEntries: { edges: Array<{ node: { id: string } }> } };
    }>(
      `query($id: ID!, $after: String) { node(id: $id) { ... on Teacher { creditEntries(first: 2, after: $after) { edges { node { id } } } } } }`,
      { id: g('Teacher', ids.teacher), after: page.pageInfo.endCursor },
    );
    expect(rest.data!.node.creditEntries.edges).toHaveLength(1);
    const entryId = page.edges[0]!.node.id;
    const refetched = await school<{ node: { id: string; hours: number } | null }>(
      `query($id: ID!) { node(id: $id) { id ... on CreditEntry { hours } } }`,
      { id: entryId },
    );
    expect(refetched.data!.node).toEqual({ id: entryId, hours: 12 });
    // The teacher of another school cannot reach the same entry through node(id:).
    const outsider = await server.as(
      await new Fixtures(database.db).account(
        'school_admin',
        await new Fixtures(database.db).organization('school', { id: ids.district }),
      ),
    );
    const hidden = await outsider<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, {
      id: entryId,
    });
    expect(hidden.data!.node).toBeNull();
  });

  it('refuses a cursor from another list as bad input', async () => {
    const { errors } = await office(
      `{ teachers(first: 1, after: "bm90LWEtY3Vyc29y") { totalCount } }`,
    );
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('activity filters', () => {
  it.each([
    ['region', (i: typeof ids) => ({ regionId: g('Region', i.district) }), true],
    ['provider', (i: typeof ids) => ({ providerId: g('Organization', i.institution) }), true],
    ['category', () => ({ category: ['ethics'] }), true],
    ['an unknown region matches nothing', () => ({ regionId: g('Region', 999999) }), false],
  ])('by %s', async (_what, filterOf, found) => {
    const { data } = await office<{ activities: { edges: Array<{ node: { id: string } }> } }>(
      `query($filter: ActivityFilter) { activities(first: 100, filter: $filter) { edges { node { id } } } }`,
      { filter: filterOf(ids) },
    );
    expect(data!.activities.edges.some((e) => e.node.id === g('Activity', ids.activity))).toBe(
      found,
    );
  });
});

describe('creditReport', () => {
  it('sums net hours per category for the office’s region', async () => {
    const { data, errors } = await office<{
      creditReport: {
        hoursByCategory: Array<{ hours: number; teachers: number; category: { code: string } }>;
        participationByMonth: unknown[];
      };
    }>(
      `{ creditReport(from: "2026-01-01", to: "2026-12-31") { hoursByCategory { hours teachers category { code } } participationByMonth { month enrollments } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data!.creditReport.hoursByCategory).toContainEqual({
      hours: 13.25,
      teachers: 1,
      category: { code: 'ethics' },
    });
  });

  it.each([
    ['to before from', '2026-12-31', '2026-01-01', /on or after/],
    ['more than three years', '2020-01-01', '2026-12-31', /three years/],
  ])('refuses %s as bad input naming the field', async (_what, from, to, message) => {
    const { errors } = await office(
      `query($from: Date!, $to: Date!) { creditReport(from: $from, to: $to) { from } }`,
      { from, to },
    );
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
    expect(errors?.[0]?.message).toMatch(message);
  });
});
