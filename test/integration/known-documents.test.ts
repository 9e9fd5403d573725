import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * Decision 0020: a read whose document Apollo has answered before is answered without Apollo's
 * request pipeline. The promise is that nobody can tell, except by the CPU it saves: the same
 * status, headers and bytes; errors, refusals and mutations still go through Apollo.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
const logLines: Array<Record<string, unknown>> = [];
let token: string;
let activityId: string;

const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

beforeAll(async () => {
  database = await createTestDatabase();
  const fx = new Fixtures(database.db);
  const world = await fx.world();
  activityId = globalId('Activity', world.activity.id);
  const account = await fx.account('platform_admin', null);
  server = await startTestServer(database, { LOG_LEVEL: 'info' }, { logLines });
  const login = await server.graphql<{ login: { data: { token: string } } }>(
    `mutation($input: LoginInput!) { login(input: $input) { ... on MutationLoginSuccess { data { token } } } }`,
    { input: { username: account.username, password: account.password, issueToken: true } },
  );
  token = login.data!.login.data.token;
  // The session lookup is cached after the first request; compared answers count statements.
  await post({ query: '{ me { username } }' });
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  pipeline: unknown;
}

async function post(
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
  signedIn = true,
): Promise<Answer> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signedIn ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const requestId = response.headers.get('x-request-id');
  const line = logLines.findLast(
    (entry) => entry.msg === 'graphql request' && entry.requestId === requestId,
  );
  const kept: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    // Per request by nature: the id, the date and the connection's keep-alive.
    if (!['x-request-id', 'date', 'keep-alive', 'connection'].includes(name)) kept[name] = value;
  });
  return { status: response.status, headers: kept, body: text, pipeline: line?.pipeline };
}

const reads = {
  typename: { query: '{ __typename }' },
  activity: {
    query: `query Activity($id: ID!) { node(id: $id) { id ... on Activity { code title status
      creditHours startsOn provider { id name } sessions { id sequence startsAt trainers { id name } } } } }`,
    variables: () => ({ id: activityId }),
  },
  list: {
    query: `query List($first: Int!) { activities(first: $first) { totalCount
      edges { cursor node { id code title } } pageInfo { hasNextPage endCursor } } }`,
    variables: () => ({ first: 5 }),
  },
  twoOperations: {
    query: `query First { __typename } query Second { activities(first: 2) { totalCount } }`,
    operationName: 'Second',
  },
};

const acceptHeaders = {
  none: {},
  json: { accept: 'application/json' },
  graphqlResponse: { accept: 'application/graphql-response+json' },
  urql: {
    accept:
      'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed',
  },
};

function bodyOf(read: {
  query: string;
  variables?: () => Record<string, unknown>;
  operationName?: string;
}) {
  return {
    query: read.query,
    ...(read.variables ? { variables: read.variables() } : {}),
    ...(read.operationName ? { operationName: read.operationName } : {}),
  };
}

describe('the known-document path (decision 0020)', () => {
  for (const [name, read] of Object.entries(reads)) {
    for (const [acceptName, accept] of Object.entries(acceptHeaders)) {
      it(`answers ${name} (accept: ${acceptName}) the second time exactly as Apollo did the first`, async () => {
        const first = await post(bodyOf(read), accept);
        const second = await post(bodyOf(read), accept);
        expect(first.status).toBe(200);
        expect(JSON.parse(first.body).errors).toBeUndefined();
        // The first request may be either path (an earlier case may have taught this document
        // and this header pair separately); the second is the known path's, to the byte.
        expect(second).toEqual({ ...first, pipeline: 'known' });
      });
    }
  }

  it('learns a document from Apollo: the first request of a new document is Apollo’s', async () => {
    const read = { query: '{ __typename activities(first: 1) { totalCount } }' };
    expect((await post(bodyOf(read))).pipeline).toBe('apollo');
    expect((await post(bodyOf(read))).pipeline).toBe('known');
  });

  it('hands a result with errors to Apollo, which formats it as it would have', async () => {
    const read = reads.activity;
    await post(bodyOf(read));
    // A signed-out caller: node() needs a sign-in. The same text with a trailing space is a
    // document Apollo has not seen, so its answer is Apollo's own.
    const known = await post(bodyOf(read), {}, false);
    const reference = await post({ ...bodyOf(read), query: `${read.query} ` }, {}, false);
    expect(known.pipeline).toBe('apollo');
    expect(JSON.parse(known.body).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(known).toEqual(reference);
  });

  it('answers a known read with a partial result exactly as Apollo does', async () => {
    const query = `query Two($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } }`;
    expect((await post({ query, variables: { a: activityId, b: activityId } })).status).toBe(200);
    // One valid id (a statement) and one malformed (BAD_USER_INPUT on b): a partial result.
    const variables = { a: activityId, b: 'not-an-id' };
    const known = await post({ query, variables });
    const reference = await post({ query: `${query} `, variables });
    expect(known.pipeline).toBe('apollo');
    const body = JSON.parse(known.body);
    expect(body.data.a.id).toBe(activityId);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(known.headers['x-sql-statements']).toBe('1');
    expect(known).toEqual(reference);
  });

  it('sends variables that fail coercion to Apollo: 400 naming the variable', async () => {
    const read = reads.list;
    await post(bodyOf(read));
    const answer = await post({ query: read.query, variables: { first: 'many' } });
    expect(answer.status).toBe(400);
    expect(answer.pipeline).toBe('apollo');
    const error = JSON.parse(answer.body).errors[0];
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('$first');
  });

  it('sends a variable holding NUL to Apollo, which refuses it', async () => {
    const query =
      'query Code($code: String!) { __typename activities(first: 1, filter: { search: $code }) { totalCount } }';
    const learned = await post({ query, variables: { code: 'MATH' } });
    expect(learned.status).toBe(200);
    const answer = await post({ query, variables: { code: 'MA\u0000TH' } });
    expect(answer.status).toBe(400);
    expect(answer.pipeline).toBe('apollo');
    expect(JSON.parse(answer.body).errors[0].message).toContain('$code');
  });

  it('never takes mutations, bodies with extensions or unseen header pairs', async () => {
    const logout = { query: 'mutation { __typename }' };
    await post(logout);
    expect((await post(logout)).pipeline).toBe('apollo');
    await post(bodyOf(reads.typename));
    expect((await post({ ...bodyOf(reads.typename), extensions: {} })).pipeline).toBe('apollo');
    expect(
      (await post(bodyOf(reads.typename), { accept: 'application/json;q=0.9, */*;q=0.1' }))
        .pipeline,
    ).toBe('apollo');
  });

  it('refuses through Apollo what Apollo refuses, even for a known document', async () => {
    await post(bodyOf(reads.typename));
    const refused = await post(bodyOf(reads.typename), { accept: 'text/html' });
    expect(refused.status).toBe(406);
    expect(refused.pipeline).toBe('apollo');
  });

  it('keeps at most 4 MiB of document text: the oldest unused go first', async () => {
    const padded = (i: number) => ({
      query: `{ __typename } # ${String(i).padStart(30_000, '.')}`,
    });
    for (let i = 0; i < 160; i += 1) expect((await post(padded(i))).status).toBe(200);
    expect((await post(padded(0))).pipeline).toBe('apollo');
    expect((await post(padded(159))).pipeline).toBe('known');
  });
});
