import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { startTestServer } from '../testkit/server';

/**
 * Issue 7, point 2: whatever a client sends, the gateway answers a client error (400, or 413
 * for a body over 1 MB) with a message that says what to change, never a 5xx, and in bounded
 * time. The bound asserted is loose (the machine is shared); docs/reliability.md lists what
 * each case measured. production-posture.test.ts holds the limits' exact wording in production.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer(database);
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

/** Generous for a shared two-core machine; the cases measure from 2 to 250 ms alone. */
const bound = 2_000;

interface Answer {
  status: number;
  ms: number;
  messages: string[];
  codes: unknown[];
}

async function post(body: string | object): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  const parsed = JSON.parse(text) as {
    errors?: Array<{ message: string; extensions?: { code?: unknown } }>;
  };
  return {
    status: response.status,
    ms,
    messages: parsed.errors?.map((error) => error.message) ?? [],
    codes: parsed.errors?.map((error) => error.extensions?.code) ?? [],
  };
}

const nestedLists = (levels: number) => `${'['.repeat(levels)}"x"${']'.repeat(levels)}`;
const nestedObjects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

/** A region's parent's parent's … name: a legitimate path, as deep as asked. */
const regionAncestors = (levels: number) =>
  `{ node(id: "UmVnaW9uOjE=") { ... on Region { ${'parent { '.repeat(levels)}name${' }'.repeat(levels)} } } }`;

/** Fragments that each spread the one before twice: n + 1 short fragments expand to 2^n fields. */
function doublingFragments(levels: number, onType: 'Query' | 'Viewer', leaf: string) {
  const fragments = [`fragment F0 on ${onType} { ${leaf} }`];
  for (let i = 1; i <= levels; i += 1) {
    fragments.push(`fragment F${i} on ${onType} { ...F${i - 1} ...F${i - 1} }`);
  }
  return fragments.join(' ');
}

/** An addSession whose instants are the case; refused while variables are read. */
const addSessionBetween = (startsAt: string, endsAt: string) => ({
  query: 'mutation ($input: AddSessionInput!) { addSession(input: $input) { __typename } }',
  variables: {
    input: {
      activityId: 'QWN0aXZpdHk6MQ==',
      title: 'x',
      mode: 'IN_PERSON',
      hours: 1,
      startsAt,
      endsAt,
    },
  },
});

describe('hostile documents and bodies are refused quickly with a clear message', () => {
  it.each<[string, () => string | object, number, RegExp]>([
    [
      'a 10 MB variables object',
      () => ({ query: '{ __typename }', variables: { padding: 'x'.repeat(10_000_000) } }),
      413,
      /Request body is too large/,
    ],
    [
      '10,000 levels of nested lists in a declared variable',
      () =>
        `{"query":"query ($ids: [ID!]) { activities(first: 1) { totalCount } }","variables":{"ids":${nestedLists(10_000)}}}`,
      400,
      /nests arrays and objects more than 64 levels deep/,
    ],
    [
      '10,000 levels of nested objects in an input object',
      () =>
        `{"query":"query ($filter: ActivityFilter) { activities(first: 1, filter: $filter) { totalCount } }","variables":{"filter":${nestedObjects(10_000)}}}`,
      400,
      /nests arrays and objects more than 64 levels deep/,
    ],
    [
      '400,000 levels of nested lists in an undeclared variable (the whole 1 MB)',
      () => `{"query":"{ __typename }","variables":{"unused":${nestedLists(400_000)}}}`,
      400,
      /nests arrays and objects more than 64 levels deep/,
    ],
    [
      'an input object nested just under the body limit',
      () =>
        `{"query":"query ($filter: ActivityFilter) { activities(first: 1, filter: $filter) { totalCount } }","variables":{"filter":${nestedObjects(60)}}}`,
      400,
      /Variable "\$filter" got invalid value .*Field "a" is not defined by type "ActivityFilter"/,
    ],
    [
      'lists nested where a list of strings is expected',
      () => ({
        query:
          'query ($category: [String!]) { activities(first: 1, filter: { category: $category }) { totalCount } }',
        variables: { category: JSON.parse(nestedLists(50)) },
      }),
      400,
      /Variable "\$category" got invalid value .*String cannot represent a non string value/,
    ],
    [
      'a batch of 1,000 operations',
      () => Array.from({ length: 1_000 }, () => ({ query: '{ __typename }' })),
      400,
      /Operation batching disabled/,
    ],
    ['an empty batch', () => [], 400, /Operation batching disabled/],
    [
      'selections nested 1,000 levels deep',
      () => ({ query: regionAncestors(1_000) }),
      400,
      /nested more than 12 levels deep/,
    ],
    [
      'selections nested 2,400 levels deep (past what the parser can recurse)',
      () => ({ query: regionAncestors(2_400) }),
      400,
      /The document is nested too deeply to parse/,
    ],
    [
      'a list literal nested 2,400 levels deep in the document',
      () => ({ query: `{ node(id: ${nestedLists(2_400)}) { id } }` }),
      400,
      /The document is nested too deeply to parse/,
    ],
    [
      'over 5,000 tokens',
      () => ({ query: `{ me { ${'username '.repeat(5_000)} } }` }),
      400,
      /more that 5000 tokens/,
    ],
    [
      'one field repeated 4,000 times',
      () => ({ query: `{ me { ${'username '.repeat(4_000)} } }` }),
      400,
      /repeats too many fields to check/,
    ],
    [
      '31 aliases',
      () => ({
        query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: me { username }`).join(' ')} }`,
      }),
      400,
      /31 aliases; at most 30/,
    ],
    [
      'aliases multiplied by doubling fragments',
      () => ({
        query: `{ ...F40 } ${doublingFragments(40, 'Query', 'a: me { username }')}`,
      }),
      400,
      /uses \d+ aliases; at most 30/,
    ],
    [
      'pages of 100 × 100 × 100',
      () => ({
        query: `{ activities(first: 100) { edges { node { enrollments(first: 100) { edges { node { activity { enrollments(first: 100) { edges { node { id } } } } } } } } } } }`,
      }),
      400,
      /too expensive \(estimated cost \d+, limit 100000\)/,
    ],
    [
      'fields multiplied by 24 doubling fragments',
      () => ({ query: `{ me { ...F24 } } ${doublingFragments(24, 'Viewer', 'username')}` }),
      400,
      /too expensive \(estimated cost 16777217, limit 100000\)/,
    ],
    [
      'fields multiplied by 400 doubling fragments',
      () => ({ query: `{ me { ...F400 } } ${doublingFragments(400, 'Viewer', 'username')}` }),
      400,
      /too expensive \(estimated cost more than 9007199254740991, limit 100000\)/,
    ],
    [
      '51 directives',
      () => ({
        query: `{ me { ${Array.from({ length: 51 }, () => 'username @include(if: true)').join(' ')} } }`,
      }),
      400,
      /51 directives; at most 50/,
    ],
    [
      'a body that is not JSON',
      () => '{"query": "{ __typename }", ',
      400,
      /Request body is not valid JSON/,
    ],
    // Found by fuzzing (fuzz-mutations.test.ts): PostgreSQL text cannot hold U+0000, and this
    // sign-in answered INTERNAL_SERVER_ERROR ("invalid byte sequence for encoding UTF8: 0x00").
    [
      'a variable holding the NUL character',
      () => ({
        query: 'mutation ($input: LoginInput!) { login(input: $input) { __typename } }',
        variables: { input: { username: 'admin\u0000', password: 'demo1234' } },
      }),
      400,
      /Variable "\$input" at input\.username contains the NUL character \(U\+0000\)/,
    ],
    [
      'a string literal holding the NUL character',
      () => ({
        query:
          'mutation { login(input: { username: "admin\\u0000", password: "x" }) { __typename } }',
      }),
      400,
      /A string in the document contains the NUL character/,
    ],
    // Found by fuzzing: past 9999 in UTC, PGlite sent '+010000-…' to SQL and answered
    // INTERNAL_SERVER_ERROR; the scalar now refuses it while variables are read.
    [
      'an instant past the year 9999',
      () => addSessionBetween('2026-03-01T09:00:00+08:00', '9999-12-31T23:59:59.999-14:00'),
      400,
      /DateTime must be an ISO 8601 timestamp with a time zone, in the years 0001 to 9999/,
    ],
    // A time without an offset meant the server's local time, and 30 February was read as
    // 2 March: both are refused while variables are read, naming the field.
    ...['2026-03-01T09:00:00', '2026-02-30T09:00:00Z'].map(
      (startsAt): [string, () => object, number, RegExp] => [
        `an instant written ${startsAt}`,
        () => addSessionBetween(startsAt, '2026-03-01T12:00:00+08:00'),
        400,
        /"input\.startsAt"; DateTime must be an ISO 8601 timestamp with a time zone/,
      ],
    ),
    // Found by fuzzing: graphql-js's own "error limit reached" answered INTERNAL_SERVER_ERROR.
    [
      'more than 50 invalid variable values',
      () => ({
        query:
          'mutation ($input: DecideEligibilityInput!) { decideEligibility(input: $input) { __typename } }',
        variables: {
          input: {
            decisions: Array.from({ length: 60 }, () => ({ decision: 'DROP', enrollmentId: null })),
          },
        },
      }),
      400,
      /Too many invalid variable values: the first 50 are listed/,
    ],
    [
      'variables that are not a map',
      () => ({ query: '{ __typename }', variables: [1, 2, 3] }),
      400,
      /`variables` in a POST body must be an object/,
    ],
  ])('%s', async (_name, body, status, message) => {
    const answer = await post(body());
    expect(answer.messages.join(' | ')).toMatch(message);
    // Each document is refused for what it is meant to show, not for a typo in it.
    expect(answer.messages.join(' | ')).not.toMatch(/Cannot query field|Unknown (type|argument)/);
    expect(answer.status).toBe(status);
    expect(answer.codes).not.toContain('INTERNAL_SERVER_ERROR');
    expect(answer.ms).toBeLessThan(bound);
  });

  it('a 20 MB body streamed without a length gets 413, never buffered', async () => {
    const started = performance.now();
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${server.url}/graphql`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const write = () => {
        while (sent < 20) {
          sent += 1;
          if (!req.write(chunk)) return void req.once('drain', write);
        }
        req.end();
      };
      write();
    });
    expect(answer.status).toBe(413);
    expect(answer.text).toMatch(/Request body is too large/);
    expect(performance.now() - started).toBeLessThan(bound * 2);
  });

  it('keeps serving: after all of the above an ordinary request answers at once', async () => {
    const answer = await post({ query: '{ __typename }' });
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(bound);
  });
});
