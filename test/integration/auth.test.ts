import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let fx: Fixtures;
let world: Awaited<ReturnType<Fixtures['world']>>;

beforeAll(async () => {
  database = await createTestDatabase();
  fx = new Fixtures(database.db);
  world = await fx.world();
  server = await startTestServer(database);
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

const login = /* GraphQL */ `
  mutation ($input: LoginInput!) {
    login(input: $input) {
      __typename
      ... on MutationLoginSuccess {
        data {
          token
          expiresAt
          viewer {
            username
            memberships {
              role
              organization {
                name
              }
            }
          }
        }
      }
      ... on UserError {
        code
        message
      }
      ... on ValidationError {
        issues {
          path
        }
      }
    }
  }
`;
const me = `{ me { username memberships { role } } }`;

async function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('login', () => {
  it('sets an HttpOnly SameSite session cookie that `me` recognizes, and logout ends it', async () => {
    const account = await fx.account('school_admin', world.school);
    const response = await post({
      query: login,
      variables: {
        input: { username: account.username.toUpperCase(), password: account.password },
      },
    });
    const body = (await response.json()) as {
      data: {
        login: { __typename: string; data: { token: string | null; viewer: { username: string } } };
      };
    };
    expect(body.data.login.__typename).toBe('MutationLoginSuccess');
    expect(body.data.login.data.token).toBeNull(); // the SPA never sees the token
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^registry_session=[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Expires=/);
    expect(cookie).not.toMatch(/Secure/); // not in test; production adds it
    const session = cookie.split(';')[0]!;

    const who = (await (await post({ query: me }, { cookie: session })).json()) as {
      data: { me: { username: string; memberships: Array<{ role: string }> } };
    };
    expect(who.data.me).toEqual({
      username: account.username,
      memberships: [{ role: 'SCHOOL_ADMIN' }],
    });

    const out = (await (
      await post({ query: 'mutation { logout }' }, { cookie: session })
    ).json()) as { data: { logout: boolean } };
    expect(out.data.logout).toBe(true);
    const after = (await (await post({ query: me }, { cookie: session })).json()) as {
      data: { me: null };
    };
    expect(after.data.me).toBeNull();
  });

  it('issues a bearer token to API clients that ask for one', async () => {
    const account = await fx.account('office_officer', world.office);
    const { data } = await server.graphql<{ login: { data: { token: string } } }>(login, {
      input: { username: account.username, password: account.password, issueToken: true },
    });
    const token = data!.login.data.token;
    const who = await server.graphql<{ me: { username: string } }>(
      me,
      {},
      { authorization: `Bearer ${token}` },
    );
    expect(who.data!.me.username).toBe(account.username);
  });

  it('gives the same answer for a wrong password and an unknown account, in the caller’s language', async () => {
    const teacher = await fx.teacher(world.school);
    const account = await fx.account('teacher', world.school, { teacherId: teacher.id });
    const wrong = await server.graphql<{ login: { code: string; message: string } }>(
      login,
      { input: { username: account.username, password: 'nope' } },
      { 'accept-language': 'zh-CN' },
    );
    const unknown = await server.graphql<{ login: { code: string; message: string } }>(
      login,
      { input: { username: 'nobody.here', password: 'nope' } },
      { 'accept-language': 'zh-CN' },
    );
    expect(wrong.data!.login).toEqual({
      __typename: 'InvalidCredentialsError',
      code: 'INVALID_CREDENTIALS',
      message: '用户名或密码错误。',
    });
    expect(unknown.data!.login).toEqual(wrong.data!.login);
  });

  it('validates the input and names the fields', async () => {
    const { data } = await server.graphql<{ login: { issues: Array<{ path: string[] }> } }>(login, {
      input: { username: 'x', password: '' },
    });
    expect(data!.login.issues.map((i) => i.path.join('.'))).toEqual([
      'input.username',
      'input.password',
    ]);
  });

  it('pauses sign-in for an account after five failures, even with the right password', async () => {
    const account = await fx.account('teacher', world.school);
    for (let i = 0; i < 5; i += 1) {
      await server.graphql(login, {
        input: { username: account.username, password: `wrong-${i}` },
      });
    }
    const { data } = await server.graphql<{ login: { __typename: string; code: string } }>(login, {
      input: { username: account.username, password: account.password },
    });
    expect(data!.login).toMatchObject({ __typename: 'TooManyAttemptsError', code: 'THROTTLED' });
  });

  it('does not accept an expired or unknown token', async () => {
    const account = await fx.account('teacher', world.school);
    const { data } = await server.graphql<{ login: { data: { token: string } } }>(login, {
      input: { username: account.username, password: account.password, issueToken: true },
    });
    const token = data!.login.data.token;
    await sql`update auth_sessions set created_at = now() - interval '2 days', expires_at = now() - interval '1 second'`.execute(
      database.db,
    );
    const expired = await server.graphql<{ me: null }>(
      me,
      {},
      { authorization: `Bearer ${token}` },
    );
    expect(expired.data!.me).toBeNull();
    const forged = await server.graphql<{ me: null }>(
      me,
      {},
      { authorization: `Bearer ${'x'.repeat(43)}` },
    );
    expect(forged.data!.me).toBeNull();
  });
});

describe('a signed-out caller', () => {
  // Types for signed-in callers check nothing per field (decision 0018): the fields that lead
  // to them do. These are the doors a signed-out caller could try.
  const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

  it('reads no activity, teacher or list through node(id) or a list', async () => {
    const byId = await server.graphql<{ node: null }>(
      `query ($id: ID!) { node(id: $id) { ... on Activity { title } } }`,
      { id: globalId('Activity', world.activity.id) },
    );
    expect(byId.data?.node ?? null).toBeNull();
    expect(byId.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const list = await server.graphql(`{ activities(first: 1) { edges { node { title } } } }`);
    expect(list.data ?? null).toBeNull();
    expect(list.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('gets its own account from login but not its teacher record until the session is its own', async () => {
    const teacher = await fx.teacher(world.school);
    const account = await fx.account('teacher', world.school, { teacherId: teacher.id });
    const answer = await server.graphql<{
      login: { data: { viewer: { username: string; teacher: { name: string } | null } } };
    }>(
      `mutation ($input: LoginInput!) { login(input: $input) {
        ... on MutationLoginSuccess { data { viewer { username teacher { name } } } } } }`,
      { input: { username: account.username, password: account.password } },
    );
    expect(answer.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['login.data.viewer.teacher', 'UNAUTHENTICATED'],
    ]);
    expect(answer.data?.login.data.viewer).toEqual({ username: account.username, teacher: null });
  });
});
