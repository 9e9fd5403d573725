import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * Issue 7, point 8: how passwords are kept, how guessing is slowed, how sessions end, and what
 * cookies say in production. Its own file (and so its own database), because throttling by
 * address pauses every sign-in from 127.0.0.1 once it trips.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let production: Awaited<ReturnType<typeof startTestServer>>;
let fx: Fixtures;
let world: Awaited<ReturnType<Fixtures['world']>>;

beforeAll(async () => {
  database = await createTestDatabase();
  fx = new Fixtures(database.db);
  world = await fx.world();
  server = await startTestServer(database);
  production = await startTestServer(database, {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://credits.example.edu.cn',
  });
});
afterAll(async () => {
  await production?.stop();
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
        }
      }
      ... on UserError {
        code
        message
      }
    }
  }
`;
type LoginAnswer = {
  login: { __typename: string; code?: string; message?: string; data?: { token: string | null } };
};
const me = `{ me { username } }`;

describe('accounts and sessions', () => {
  it('stores passwords as argon2id hashes, never as given', async () => {
    const account = await fx.account('teacher', world.school);
    const row = await fx.db
      .selectFrom('user_accounts')
      .select('password_hash')
      .where('username', '=', account.username)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    expect(row.password_hash).not.toContain(account.password);
  });

  it('revokes a bearer token on logout, and only that one', async () => {
    const account = await fx.account('teacher', world.school);
    const tokenOf = async () =>
      (
        await server.graphql<LoginAnswer>(login, {
          input: { username: account.username, password: account.password, issueToken: true },
        })
      ).data!.login.data!.token!;
    const [first, second] = [await tokenOf(), await tokenOf()];
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await server.graphql(`mutation { logout }`, {}, as(first))).data).toEqual({
      logout: true,
    });
    expect((await server.graphql<{ me: null }>(me, {}, as(first))).data!.me).toBeNull();
    expect(
      (await server.graphql<{ me: { username: string } }>(me, {}, as(second))).data!.me,
    ).toEqual({ username: account.username });
  });

  it('marks the session cookie Secure, HttpOnly and SameSite in production', async () => {
    const account = await fx.account('school_admin', world.school);
    const response = await fetch(`${production.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: login,
        variables: { input: { username: account.username, password: account.password } },
      }),
    });
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; SameSite=(Lax|Strict)/i);
    // In development the cookie must work over plain http://localhost, so it is not Secure.
    const local = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: login,
        variables: { input: { username: account.username, password: account.password } },
      }),
    });
    expect(local.headers.get('set-cookie') ?? '').not.toMatch(/; Secure/i);
  });

  it('pauses sign-in from one address after 50 failures across many names, and says so alike', async () => {
    // Last in this file: from here on, 127.0.0.1 is paused for this database.
    const victim = await fx.account('teacher', world.school);
    for (let i = 0; i < 50; i += 1) {
      const { data } = await server.graphql<LoginAnswer>(login, {
        input: { username: `guess-${i}`, password: 'wrong' },
      });
      expect(data!.login.__typename).toBe('InvalidCredentialsError');
    }
    const right = await server.graphql<LoginAnswer>(login, {
      input: { username: victim.username, password: victim.password },
    });
    expect(right.data!.login).toMatchObject({
      __typename: 'TooManyAttemptsError',
      code: 'THROTTLED',
    });
    // An unknown name gets the very same answer: the pause does not reveal accounts either.
    const unknown = await server.graphql<LoginAnswer>(login, {
      input: { username: 'nobody-at-all', password: 'wrong' },
    });
    expect(unknown.data!.login.message).toBe(right.data!.login.message);
    // When the window has passed, sign-in works again.
    await sql`update login_failures set failed_at = failed_at - interval '1 day'`.execute(fx.db);
    const later = await server.graphql<LoginAnswer>(login, {
      input: { username: victim.username, password: victim.password },
    });
    expect(later.data!.login.__typename).toBe('MutationLoginSuccess');
  });
});
