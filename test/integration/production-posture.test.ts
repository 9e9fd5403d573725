import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * NODE_ENV=production: what a client can learn and what it can make the server do. Every
 * refusal is a 400 with a message a developer can act on, never a 500.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let call: Awaited<ReturnType<typeof server.as>>;
let regionId: string;
let institutionId: string;
let categoryCode: string;
let institutionAdmin: Awaited<ReturnType<typeof server.as>>;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const fx = new Fixtures(database.db);
  const world = await fx.world();
  await fx.activity(world.institution);
  regionId = Buffer.from(`Region:${world.district.id}`).toString('base64');
  server = await startTestServer(
    database,
    { NODE_ENV: 'production', LOG_LEVEL: 'info' },
    { logLines },
  );
  call = await server.as(await fx.account('platform_admin', null));
  institutionAdmin = await server.as(await fx.account('institution_admin', world.institution));
  institutionId = Buffer.from(`Organization:${world.institution.id}`).toString('base64');
  categoryCode = (await fx.category()).code;
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    body: JSON.parse(text) as {
      errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    },
  };
}

const nested = (levels: number) => `${'parent { '.repeat(levels)}name${' }'.repeat(levels)}`;

describe('limits answer 400 with a clear message', () => {
  it.each([
    [
      'depth',
      `{ node(id: "${'{regionId}'}") { ... on Region { ${nested(14)} } } }`,
      /nested more than 12 levels/,
    ],
    [
      'aliases',
      `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: me { username }`).join(' ')} }`,
      /31 aliases; at most 30/,
    ],
    [
      'cost',
      `{ ${['a', 'b', 'c']
        .map(
          (alias) =>
            `${alias}: activities(first: 100) { edges { node { sessions { trainers { name kind title id } } } } }`,
        )
        .join(' ')} }`,
      /too expensive \(estimated cost \d+, limit 100000\)/,
    ],
    ['tokens', `{ me { ${'username '.repeat(5_000)} } }`, /more that 5000 tokens/],
    [
      'directives',
      `{ me { ${Array.from({ length: 51 }, () => 'username @include(if: true)').join(' ')} } }`,
      /51 directives; at most 50/,
    ],
  ])('%s', async (_name, template, message) => {
    const query = template.replace('{regionId}', regionId);
    const { status, body } = await post({ query });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toMatch(message);
  });

  it('lets the nested page of 100 activities through', async () => {
    const { status, body } = await post(
      {
        query: `{ activities(first: 100) { edges { node { sessions { trainers { name kind title id } } } } } }`,
      },
      { authorization: await tokenHeader() },
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });
});

async function tokenHeader(): Promise<string> {
  const account = await new Fixtures(database.db).account('platform_admin', null);
  const login = await post({
    query: `mutation($input: LoginInput!) { login(input: $input) { ... on MutationLoginSuccess { data { token } } } }`,
    variables: {
      input: { username: account.username, password: account.password, issueToken: true },
    },
  });
  const token = (login.body as unknown as { data: { login: { data: { token: string } } } }).data
    .login.data.token;
  return `Bearer ${token}`;
}

describe('what a client can learn', () => {
  it('refuses introspection', async () => {
    const { status, text } = await post({ query: '{ __schema { types { name } } }' });
    expect(status).toBe(400);
    expect(text).toMatch(/introspection/i);
  });

  it('gives no field suggestions', async () => {
    const { status, body } = await post({ query: '{ activitie { totalCount } }' });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.message).toBe('Cannot query field "activitie" on type "Query".');
  });

  it('masks a database failure to "Internal server error" with a request id, and logs the original', async () => {
    await sql`alter table activities rename to activities_hidden`.execute(database.db);
    try {
      const response = await call('{ activities(first: 5) { totalCount } }');
      const error = response.errors?.[0];
      expect(error?.message).toBe('Internal server error');
      expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(error?.extensions?.stacktrace).toBeUndefined();
      const requestId = error?.extensions?.requestId;
      expect(typeof requestId).toBe('string');
      expect(JSON.stringify(response)).not.toMatch(/relation|activities_hidden|select|from/i);
      const logged = logLines.find(
        (line) => line.requestId === requestId && line.msg === 'unexpected error',
      );
      expect((logged?.err as { message?: string } | undefined)?.message).toBe(
        'relation "activities" does not exist',
      );
    } finally {
      await sql`alter table activities_hidden rename to activities`.execute(database.db);
    }
  });

  it('masks a constraint the database enforces without naming it, and changes nothing', async () => {
    // A CHECK the API's own validation does not know about: PostgreSQL refuses the insert and
    // its message names the constraint, which must not reach the client.
    await sql`alter table activities add constraint hidden_rule check (title <> 'Refused by a hidden rule')`.execute(
      database.db,
    );
    try {
      const before = await sql<{ n: number }>`select count(*)::int as n from activities`.execute(
        database.db,
      );
      const response = await institutionAdmin(
        `mutation($input: CreateActivityInput!) { createActivity(input: $input) { __typename } }`,
        {
          input: {
            providerId: institutionId,
            code: 'HIDDEN-1',
            title: 'Refused by a hidden rule',
            category: categoryCode,
            level: 'DISTRICT',
            deliveryMode: 'BLENDED',
            creditHours: 12,
            startsOn: '2026-12-01',
            endsOn: '2026-12-05',
            eligibilityRules: {},
            completionRules: { minAttendanceRatio: 0.8 },
          },
        },
      );
      expect(response.errors?.[0]?.message).toBe('Internal server error');
      expect(JSON.stringify(response)).not.toMatch(/hidden_rule|violates|check constraint/i);
      const after = await sql<{ n: number }>`select count(*)::int as n from activities`.execute(
        database.db,
      );
      expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
    } finally {
      await sql`alter table activities drop constraint hidden_rule`.execute(database.db);
    }
  });
});

describe('request hygiene', () => {
  it('refuses a simple GET that a browser could send cross-site (CSRF prevention)', async () => {
    const response = await fetch(
      `${server.url}/graphql?query=${encodeURIComponent('{ me { username } }')}`,
    );
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Cross-Site Request Forgery/);
  });

  it('refuses a text/plain POST (CSRF prevention)', async () => {
    const { status } = await post(JSON.stringify({ query: '{ me { username } }' }), {
      'content-type': 'text/plain',
    });
    expect(status).toBe(400);
  });

  it('refuses HTTP batches', async () => {
    const { status, text } = await post([
      { query: '{ me { username } }' },
      { query: '{ me { username } }' },
    ]);
    expect(status).toBe(400);
    expect(text).toMatch(/batch/i);
  });

  it('refuses a body over 1 MB with 413', async () => {
    const { status } = await post({
      query: '{ me { username } }',
      variables: { padding: 'x'.repeat(1_100_000) },
    });
    expect(status).toBe(413);
  });

  it('logs one JSON line per request with request id, operation, caller, duration and statements', async () => {
    await call('query MyActivities { activities(first: 3) { totalCount } }');
    const line = logLines.findLast((entry) => entry.msg === 'graphql request');
    expect(line).toMatchObject({ operationName: 'MyActivities', errors: 0 });
    expect(typeof line?.requestId).toBe('string');
    expect(typeof line?.user).toBe('string');
    expect(typeof line?.durationMs).toBe('number');
    expect(line?.sqlStatements).toBeGreaterThanOrEqual(2);
  });
});
