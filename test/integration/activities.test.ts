import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let ids: { activities: number[]; provider: number };
let admin: Awaited<ReturnType<Awaited<ReturnType<typeof startTestServer>>['as']>>;

beforeAll(async () => {
  database = await createTestDatabase();
  const fx = new Fixtures(database.db);
  const world = await fx.world();
  const trainer = await fx.trainer(world.institution);
  const titles = [
    '初中数学课堂教学改进',
    '小学语文整本书阅读',
    'Classroom research 101',
    '班主任工作坊',
  ];
  const activities = [world.activity];
  for (const [i, title] of titles.entries()) {
    activities.push(
      await fx.activity(world.institution, {
        title,
        startsOn: `2026-0${i + 4}-01`,
        endsOn: `2026-0${i + 4}-03`,
        deliveryMode: i % 2 ? 'online' : 'centralized',
        // A level and a category of their own, for the list filters below.
        ...(i === 2 ? { level: 'municipal' as const } : {}),
        ...(i === 3 ? { category: 'moral_education' } : {}),
      }),
    );
  }
  for (const activity of activities.slice(1)) {
    const session = await fx.session(activity, { sequence: 1 });
    await fx.session(activity, { sequence: 2 });
    await database.db
      .insertInto('session_trainers')
      .values({ session_id: session.id, trainer_id: trainer.id })
      .execute();
  }
  ids = { activities: activities.map((a) => a.id), provider: world.institution.id };
  const account = await fx.account('platform_admin', null);
  server = await startTestServer(database);
  admin = await server.as(account);
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

const list = /* GraphQL */ `
  query List($first: Int, $after: String, $filter: ActivityFilter) {
    activities(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          title
          startsOn
          status
          deliveryMode
          creditHours
          category {
            code
          }
          provider {
            name
            kind
          }
          region {
            kind
          }
          sessions {
            sequence
            mode
            hours
            trainers {
              name
              kind
            }
          }
        }
      }
    }
  }
`;

interface ListData {
  activities: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: Array<{
      cursor: string;
      node: {
        id: string;
        title: string;
        startsOn: string;
        sessions: Array<{ sequence: number; trainers: unknown[] }>;
      };
    }>;
  };
}

describe('activities', () => {
  it('reads the same trainers whether the sessions bring them or each session reads its own', async () => {
    // Activity.sessions reads the trainers with the sessions when they are asked for, also
    // through a named fragment; node(id) on a session reads them on their own.
    const withSessions = await admin<{
      activities: {
        edges: Array<{ node: { sessions: Array<{ id: string; trainers: unknown[] }> } }>;
      };
    }>(
      `query { activities(first: 10) { edges { node { sessions { id ...Taught } } } } }
       fragment Taught on Session { trainers { id name kind } }`,
    );
    expect(withSessions.errors).toBeUndefined();
    const sessions = withSessions.data!.activities.edges.flatMap((e) => e.node.sessions);
    expect(sessions.some((session) => session.trainers.length > 0)).toBe(true);
    for (const session of sessions) {
      const alone = await admin<{ node: { trainers: unknown[] } }>(
        `query($id: ID!) { node(id: $id) { ... on Session { trainers { id name kind } } } }`,
        { id: session.id },
      );
      expect(alone.data!.node.trainers).toEqual(session.trainers);
    }
  });

  it('lists newest first with nested sessions and trainers', async () => {
    const { data, errors } = await admin<ListData>(list, { first: 10 });
    expect(errors).toBeUndefined();
    const nodes = data!.activities.edges.map((e) => e.node);
    expect(data!.activities.totalCount).toBe(5);
    expect(nodes.map((n) => n.startsOn)).toEqual(
      [...nodes.map((n) => n.startsOn)].sort().reverse(),
    );
    expect(nodes[0]!.title).toBe('班主任工作坊');
    expect(nodes[0]!.sessions.map((s) => s.sequence)).toEqual([1, 2]);
    expect(nodes[0]!.sessions[0]!.trainers).toHaveLength(1);
  });

  it('pages with cursors without overlap or gaps', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const response: { data?: ListData } = await admin<ListData>(list, {
        first: 2,
        after,
      });
      const connection: ListData['activities'] = response.data!.activities;
      seen.push(...connection.edges.map((e) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it.each([
    ['Chinese text in the title', { search: '语文' }, ['小学语文整本书阅读']],
    ['case-insensitive Latin text', { search: 'CLASSROOM' }, ['Classroom research 101']],
    ['LIKE wildcards taken literally', { search: '%' }, []],
    [
      'delivery mode',
      { deliveryMode: ['ONLINE'], search: '' },
      ['班主任工作坊', '小学语文整本书阅读'],
    ],
    [
      'several delivery modes',
      { deliveryMode: ['ONLINE', 'CENTRALIZED'], startsFrom: '2026-04-01' },
      ['班主任工作坊', 'Classroom research 101', '小学语文整本书阅读', '初中数学课堂教学改进'],
    ],
    ['level', { level: ['MUNICIPAL', 'NATIONAL'] }, ['Classroom research 101']],
    ['credit category', { category: ['moral_education'] }, ['班主任工作坊']],
    ['status', { status: ['DRAFT', 'CREDITED'], search: '语文' }, ['小学语文整本书阅读']],
    ['an empty list (no filter)', { status: [], search: '语文' }, ['小学语文整本书阅读']],
    [
      'start date range',
      { startsFrom: '2026-05-01', startsTo: '2026-06-30' },
      ['Classroom research 101', '小学语文整本书阅读'],
    ],
  ])('filters by %s', async (_name, filter, titles) => {
    const { data, errors } = await admin<ListData>(list, { first: 10, filter });
    expect(errors).toBeUndefined();
    expect(data!.activities.edges.map((e) => e.node.title)).toEqual(titles);
    expect(data!.activities.totalCount).toBe(titles.length);
  });

  it('filters by provider', async () => {
    const providerId = Buffer.from(`Organization:${ids.provider}`).toString('base64');
    const { data, errors } = await admin<ListData>(list, {
      first: 10,
      filter: { providerId, search: '语文' },
    });
    expect(errors).toBeUndefined();
    expect(data!.activities.edges.map((e) => e.node.title)).toEqual(['小学语文整本书阅读']);
    const other = Buffer.from(`Organization:${ids.provider + 1000}`).toString('base64');
    const none = await admin<ListData>(list, { first: 10, filter: { providerId: other } });
    expect(none.data!.activities.totalCount).toBe(0);
  });

  it('refetches any listed object through node(id:)', async () => {
    const { data } = await admin<ListData>(list, { first: 1 });
    const id = data!.activities.edges[0]!.node.id;
    const refetched = await admin<{ node: { __typename: string; title: string } }>(
      `query($id: ID!) { node(id: $id) { __typename ... on Activity { title } } }`,
      { id },
    );
    expect(refetched.data!.node).toEqual({ __typename: 'Activity', title: '班主任工作坊' });
    expect(id).not.toContain(String(ids.activities.at(-1))); // opaque, not the database id
  });

  it.each([
    ['a page size over 100', list, { first: 101 }, 'first'],
    ['a forged cursor', list, { first: 2, after: 'bm90LWEtY3Vyc29y' }, 'after'],
    ['an invalid date', list, { first: 2, filter: { startsFrom: '2026-02-30' } }, null],
    ['an unknown enum value', list, { first: 2, filter: { status: ['FINISHED'] } }, null],
  ])('refuses %s as bad input, never a server error', async (_name, query, variables, field) => {
    const response = await admin(query, variables);
    expect(response.data?.activities ?? null).toBeNull();
    const error = response.errors![0]!;
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    if (field) expect(error.extensions?.field).toBe(field);
    expect(JSON.stringify(response)).not.toMatch(/stack|at .*\.ts/);
  });

  it.each(['not-base64!', 'QWN0aXZpdHk6LTE=', 'Tm9QZTox'])(
    'node(id: %s) of garbage is bad input',
    async (id) => {
      const response = await admin(`query($id: ID!) { node(id: $id) { id } }`, { id });
      expect(response.status).toBeLessThan(500);
      expect(response.errors?.[0]?.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
    },
  );
});

describe('health', () => {
  it('answers /healthz and /readyz with the engine', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', engine: process.env.TEST_ENGINE });
  });
});
