import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * No N+1: the number of SQL statements a nested query costs must not grow with the page size.
 * The server reports the count of each request in the x-sql-statements header.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let token: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const fx = new Fixtures(database.db);
  const world = await fx.world();
  const trainers = [await fx.trainer(world.institution), await fx.trainer(world.institution)];
  const teachers = [world.teacher];
  for (let i = 0; i < 11; i += 1) teachers.push(await fx.teacher(world.school));
  for (let a = 0; a < 110; a += 1) {
    const activity = await fx.activity(world.institution, {
      startsOn: '2026-05-01',
      endsOn: '2026-05-02',
    });
    for (let s = 1; s <= 3; s += 1) {
      const session = await fx.session(activity, { sequence: s });
      await database.db
        .insertInto('session_trainers')
        .values(trainers.map((t) => ({ session_id: session.id, trainer_id: t.id })))
        .execute();
    }
  }
  server = await startTestServer(database);
  const account = await fx.account('platform_admin', null);
  const login = await server.graphql<{ login: { data: { token: string } } }>(
    `mutation($input: LoginInput!) { login(input: $input) { ... on MutationLoginSuccess { data { token } } } }`,
    { input: { username: account.username, password: account.password, issueToken: true } },
  );
  token = login.data!.login.data.token;
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

async function statementsFor(query: string, variables: Record<string, unknown>) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: unknown };
  expect(body.errors).toBeUndefined();
  const header = response.headers.get('x-sql-statements');
  expect(header, 'x-sql-statements header').not.toBeNull();
  return Number(header);
}

const activitiesSessionsTrainers = /* GraphQL */ `
  query ($first: Int!) {
    activities(first: $first) {
      edges {
        node {
          title
          provider {
            name
            region {
              name
            }
          }
          category {
            nameZh
          }
          sessions {
            title
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

describe('statements per request', () => {
  it('activities → sessions → trainers costs the same at page size 10 and 100', async () => {
    const at10 = await statementsFor(activitiesSessionsTrainers, { first: 10 });
    const at100 = await statementsFor(activitiesSessionsTrainers, { first: 100 });
    console.info(`activities → sessions → trainers: ${at10} statements at 10, ${at100} at 100`);
    expect(at100).toBe(at10);
    // session lookup (2) + activities + providers + regions + categories + sessions + trainers
    expect(at100).toBeLessThanOrEqual(8);
  });
});
