import { RequestCache } from '@pothos/plugin-scope-auth';
import { findAccountForLogin } from '@registry/db';
import { parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SessionCache } from '../../packages/api/src/auth/session-cache';
import { builder } from '../../packages/api/src/builder';
import { createContext, releaseContext, type Context } from '../../packages/api/src/context';
import { CompiledOperations } from '../../packages/api/src/http/compiled-executor';
import { createLogger } from '../../packages/api/src/logger';
import { ReferenceCache } from '../../packages/api/src/reference-cache';
import { schema } from '../../packages/api/src/schema';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * A finished request's objects must die young: the context, its loaders, the rows and the
 * result should be garbage for the young-generation collector (a scavenge), not wait for a full
 * collection. Pothos's scope-auth keeps a per-request cache in a WeakMap keyed by the context
 * whose value holds the context, and V8's scavenger keeps such an entry alive: before
 * `releaseContext`, every request's graph was promoted to the old generation (pnpm bench W1:
 * 12 MB per scavenge, 40 ms pauses; docs/decisions/0022). A scavenge cannot be observed
 * reliably from a test (WeakRefs are cleared by full collections only), so this checks the
 * mechanism (once released, the cache the request used is gone) and that the server releases
 * every context it answers with, on Apollo's path and on the known-document path.
 */
let database: TestDatabase;
let viewer: Context['viewer'];
let activityId: string;
let password: string;
const operations = new CompiledOperations(schema);
const sessions = new SessionCache({ ttlMs: 0, maxEntries: 0 });
const reference = new ReferenceCache({ ttlMs: 0, maxEntries: 0 });
const log = createLogger({ LOG_LEVEL: 'silent', NODE_ENV: 'test' } as never);

beforeAll(async () => {
  database = await createTestDatabase();
  const fx = new Fixtures(database.db);
  const world = await fx.world();
  const account = await fx.account('platform_admin', null);
  password = account.password;
  const found = await findAccountForLogin(database.db, account.username);
  viewer = {
    id: found!.id,
    username: found!.username,
    displayName: found!.displayName,
    teacherId: null,
    trainerId: null,
    memberships: found!.memberships,
  };
  activityId = Buffer.from(`Activity:${world.activity.id}`).toString('base64');
});
afterAll(async () => {
  await database?.close();
});

/** Runs one read as the gateway does (scope checks, loaders, rows) and answers its context. */
async function read(): Promise<Context> {
  const document = parse(`query($id: ID!) { me { username }
    node(id: $id) { ... on Activity { code title provider { name } } } }`);
  const context = createContext({
    db: database.db,
    requestId: 'memory',
    locale: 'en',
    log,
    viewer,
    sessionToken: null,
    sessions,
    reference,
    secureCookies: false,
    clientAddress: '127.0.0.1',
  });
  const result = await operations.execute(
    document,
    document.definitions[0] as OperationDefinitionNode,
    null,
    { id: activityId },
    context,
  );
  expect(result.errors).toBeUndefined();
  expect(result.data).toMatchObject({
    me: { username: viewer!.username },
    node: { code: expect.any(String), provider: { name: expect.any(String) } },
  });
  return context;
}

it('a request’s scope-auth cache is dropped when the request is released', async () => {
  const context = await read();
  // The cache the request's scope checks used: it has loaded the caller's scopes.
  const used = RequestCache.fromContext(context, builder);
  expect(used.scopes).toBeDefined();
  releaseContext(context);
  const after = RequestCache.fromContext(context, builder);
  expect(after).not.toBe(used);
  expect(after.scopes).toBeUndefined();
});

it('releasing twice, or a context that never reached the schema, is harmless', async () => {
  const context = await read();
  expect(() => releaseContext(context)).not.toThrow();
  expect(() => releaseContext(context)).not.toThrow();
  expect(() => releaseContext({})).not.toThrow();
  expect(RequestCache.fromContext(context, builder).scopes).toBeUndefined();
});

describe('the server', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer(database);
    const login = await server.graphql<{ login: { data: { token: string } } }>(
      `mutation($input: LoginInput!) { login(input: $input) { ... on MutationLoginSuccess { data { token } } } }`,
      { input: { username: viewer!.username, password, issueToken: true } },
    );
    token = login.data!.login.data.token;
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** The request ids of the contexts released while `send` ran, one entry per release. */
  async function releasedDuring(send: () => Promise<unknown>): Promise<string[]> {
    const spy = vi.spyOn(RequestCache, 'clearForContext');
    try {
      await send();
      return spy.mock.calls.map(([context]) => (context as Context).requestId);
    } finally {
      spy.mockRestore();
    }
  }

  it('releases the context of every answer: Apollo’s clone and its own, or the known path’s', async () => {
    const read = () =>
      server.graphql(`query Memory { me { username } }`, {}, { authorization: `Bearer ${token}` });
    let first: Awaited<ReturnType<typeof read>> | undefined;
    const apollo = await releasedDuring(async () => (first = await read()));
    expect(first!.errors).toBeUndefined();
    const firstId = first!.headers.get('x-request-id')!;
    // Apollo answered it the first time: its clone of the context, then the context itself.
    expect(apollo).toEqual([firstId, firstId]);

    let second: Awaited<ReturnType<typeof read>> | undefined;
    const known = await releasedDuring(async () => (second = await read()));
    expect(second!.data).toEqual(first!.data);
    // The same document again takes the known-document path (decision 0020): one context.
    expect(known).toEqual([second!.headers.get('x-request-id')]);
  });

  it('releases the context of a mutation and of a request refused by validation', async () => {
    let logout: Awaited<ReturnType<typeof server.graphql>> | undefined;
    const mutation = await releasedDuring(
      async () =>
        (logout = await server.graphql(
          `mutation { logout }`,
          {},
          {
            authorization: `Bearer ${token}`,
          },
        )),
    );
    expect(logout!.data).toEqual({ logout: true });
    const logoutId = logout!.headers.get('x-request-id')!;
    expect(mutation).toEqual([logoutId, logoutId]);

    let refused: Awaited<ReturnType<typeof server.graphql>> | undefined;
    const released = await releasedDuring(
      async () => (refused = await server.graphql(`query { nothingHere }`)),
    );
    expect(refused!.status).toBe(400);
    const refusedId = refused!.headers.get('x-request-id')!;
    expect(released.length).toBeGreaterThan(0);
    expect(new Set(released)).toEqual(new Set([refusedId]));
  });
});
