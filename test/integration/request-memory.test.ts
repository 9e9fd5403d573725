import { RequestCache } from '@pothos/plugin-scope-auth';
import { findAccountForLogin } from '@registry/db';
import { parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SessionCache } from '../../packages/api/src/auth/session-cache';
import { builder } from '../../packages/api/src/builder';
import { createContext, releaseContext, type Context } from '../../packages/api/src/context';
import { CompiledOperations } from '../../packages/api/src/http/compiled-executor';
import { createLogger } from '../../packages/api/src/logger';
import { schema } from '../../packages/api/src/schema';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';

/**
 * A finished request's objects must die young: the context, its loaders, the rows and the
 * result should be garbage for the young-generation collector (a scavenge), not wait for a full
 * collection. Pothos's scope-auth keeps a per-request cache in a WeakMap keyed by the context
 * whose value holds the context, and V8's scavenger keeps such an entry alive: before
 * `releaseContext`, every request's graph was promoted to the old generation (pnpm bench W1:
 * 12 MB per scavenge, 40 ms pauses; docs/decisions/0022). A scavenge cannot be observed
 * reliably from a test (WeakRefs are cleared by full collections only), so this checks the
 * mechanism: once released, the cache the request used is gone.
 */
let database: TestDatabase;
let viewer: Context['viewer'];
let activityId: string;
const operations = new CompiledOperations(schema);
const sessions = new SessionCache({ ttlMs: 0, maxEntries: 0 });
const log = createLogger({ LOG_LEVEL: 'silent', NODE_ENV: 'test' } as never);

beforeAll(async () => {
  database = await createTestDatabase();
  const fx = new Fixtures(database.db);
  const world = await fx.world();
  const account = await fx.account('platform_admin', null);
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
  releaseContext(context);
  releaseContext(context);
  releaseContext({});
});
