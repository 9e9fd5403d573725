import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer, type GraphQLResponse } from '../testkit/server';

/**
 * Idempotency keys (issue 7, point 4): a resent request with the same `Idempotency-Key` gets the
 * first answer back and changes nothing; the same key with another request is refused; keys
 * belong to one account; a refused request leaves its key free; racing resends create once.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
type Caller = Awaited<ReturnType<typeof server.as>>;
let institution: Caller;
let otherInstitution: Caller;
let schoolAdmin: Caller;
let fx: Fixtures;
let world: Awaited<ReturnType<Fixtures['world']>>;
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
let keySerial = 0;
const newKey = () => `test-key:${process.pid}:${(keySerial += 1)}:${Date.now()}`;

beforeAll(async () => {
  database = await createTestDatabase();
  fx = new Fixtures(database.db);
  world = await fx.world();
  server = await startTestServer(database);
  institution = await server.as(await fx.account('institution_admin', world.institution));
  otherInstitution = await server.as(await fx.account('institution_admin', world.institution));
  schoolAdmin = await server.as(await fx.account('school_admin', world.school));
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

const create = /* GraphQL */ `
  mutation Create($input: CreateActivityInput!) {
    createActivity(input: $input) {
      __typename
      ... on MutationCreateActivitySuccess {
        data {
          id
          code
        }
      }
      ... on ValidationError {
        issues {
          path
        }
      }
    }
  }
`;
type Created = {
  createActivity: { __typename: string; data?: { id: string; code: string }; issues?: unknown[] };
};

const activityInput = (code: string, overrides: Record<string, unknown> = {}) => ({
  providerId: g('Organization', world.institution.id),
  code,
  title: '幂等键测试：初中数学单元教学设计',
  category: 'professional',
  level: 'DISTRICT',
  deliveryMode: 'CENTRALIZED',
  creditHours: 6,
  startsOn: '2026-12-01',
  endsOn: '2026-12-02',
  ...overrides,
});

async function snapshot() {
  const { rows } = await sql<{
    activities: number;
    enrollments: number;
    audit: number;
    keys: number;
  }>`
    select (select count(*)::int from activities) as activities,
           (select count(*)::int from enrollments) as enrollments,
           (select count(*)::int from audit_log) as audit,
           (select count(*)::int from idempotency_keys) as keys`.execute(database.db);
  return rows[0]!;
}

const errorCode = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;

describe('Idempotency-Key', () => {
  it('replays the stored answer to a resend and changes nothing', async () => {
    const key = newKey();
    const input = activityInput(`IDEM-${keySerial}`);
    const before = await snapshot();
    const first = await institution<Created>(create, { input }, { 'idempotency-key': key });
    expect(first.status).toBe(200);
    expect(first.data!.createActivity.__typename).toBe('MutationCreateActivitySuccess');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const afterFirst = await snapshot();
    expect(afterFirst.activities).toBe(before.activities + 1);
    expect(afterFirst.keys).toBe(before.keys + 1);

    for (let resend = 0; resend < 3; resend += 1) {
      const again = await institution<Created>(create, { input }, { 'idempotency-key': key });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.data).toEqual(first.data);
    }
    expect(await snapshot()).toEqual(afterFirst);
  });

  it('refuses the same key with another request, and changes nothing', async () => {
    const key = newKey();
    await institution<Created>(
      create,
      { input: activityInput(`IDEM-${keySerial}`) },
      { 'idempotency-key': key },
    );
    const before = await snapshot();
    const other = await institution<Created>(
      create,
      { input: activityInput(`IDEM-${keySerial}-B`) },
      { 'idempotency-key': key, 'accept-language': 'zh-CN' },
    );
    expect(other.status).toBe(422);
    expect(errorCode(other)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.errors![0]!.message).toMatch(/[\u4e00-\u9fff]/);
    expect(await snapshot()).toEqual(before);
  });

  it('keeps keys per account: another account’s same key is its own request', async () => {
    const key = newKey();
    const mine = await institution<Created>(
      create,
      { input: activityInput(`IDEM-${keySerial}-A`) },
      { 'idempotency-key': key },
    );
    const theirs = await otherInstitution<Created>(
      create,
      { input: activityInput(`IDEM-${keySerial}-B`) },
      { 'idempotency-key': key },
    );
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.data!.createActivity.data!.id).not.toBe(mine.data!.createActivity.data!.id);
  });

  it('leaves the key free when the request is refused, so the corrected request can use it', async () => {
    const key = newKey();
    const before = await snapshot();
    const refused = await institution<Created>(
      create,
      { input: activityInput(`IDEM-${keySerial}`, { creditHours: -3 }) },
      { 'idempotency-key': key },
    );
    expect(refused.data!.createActivity.__typename).toBe('ValidationError');
    expect(await snapshot()).toEqual(before);
    const corrected = await institution<Created>(
      create,
      { input: activityInput(`IDEM-${keySerial}`) },
      { 'idempotency-key': key },
    );
    expect(corrected.data!.createActivity.__typename).toBe('MutationCreateActivitySuccess');
  });

  it('guards bulk enrollment: a resent list enrolls each teacher once', async () => {
    const activity = await fx.activity(world.institution, { capacity: 50 });
    await sql`update activities set status = 'open' where id = ${activity.id}`.execute(fx.db);
    const teachers = await Promise.all([1, 2, 3].map(() => fx.teacher(world.school)));
    const enroll = /* GraphQL */ `
      mutation ($input: EnrollTeachersInput!) {
        enrollTeachers(input: $input) {
          __typename
          ... on MutationEnrollTeachersSuccess {
            data {
              enrolledCount
            }
          }
        }
      }
    `;
    const input = {
      activityId: g('Activity', activity.id),
      teacherIds: teachers.map((t) => g('Teacher', t.id)),
    };
    const key = newKey();
    const first = await schoolAdmin(enroll, { input }, { 'idempotency-key': key });
    expect(first.data).toMatchObject({ enrollTeachers: { data: { enrolledCount: 3 } } });
    const before = await snapshot();
    const again = await schoolAdmin(enroll, { input }, { 'idempotency-key': key });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.data).toEqual(first.data);
    expect(await snapshot()).toEqual(before);
  });

  it('creates once when 20 resends race with one key', async () => {
    const key = newKey();
    const input = activityInput(`IDEM-RACE-${keySerial}`);
    const before = await snapshot();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        institution<Created>(create, { input }, { 'idempotency-key': key }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((status) => status === 200 || status === 409)).toBe(true);
    const successes = answers.filter((a) => a.status === 200);
    expect(successes.length).toBeGreaterThanOrEqual(1);
    for (const success of successes) {
      expect(success.data).toEqual(successes[0]!.data);
    }
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(errorCode(refused)).toBe('IDEMPOTENCY_KEY_IN_USE');
    }
    const after = await snapshot();
    expect(after.activities).toBe(before.activities + 1);
    expect(after.keys).toBe(before.keys + 1);
    const { rows } = await sql<{ count: number }>`
      select count(*)::int as count from activities where code = ${input.code}`.execute(
      database.db,
    );
    expect(rows[0]!.count).toBe(1);
    console.log(
      `idempotency race: 20 resends → ${successes.length} answered 200 ` +
        `(${successes.filter((a) => a.headers.get('idempotent-replayed')).length} replayed), ` +
        `${answers.length - successes.length} answered 409, 1 activity created`,
    );
  });

  it('refuses a malformed key and a key without a signed-in caller, before doing anything', async () => {
    const before = await snapshot();
    const malformed = await institution<Created>(
      create,
      { input: activityInput('IDEM-BAD') },
      { 'idempotency-key': 'short' },
    );
    expect(malformed.status).toBe(400);
    expect(malformed.errors![0]!.message).toMatch(/Idempotency-Key/);
    const anonymous = await server.graphql(
      create,
      { input: activityInput('IDEM-ANON') },
      { 'idempotency-key': newKey() },
    );
    expect(anonymous.status).toBe(401);
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(await snapshot()).toEqual(before);
  });
});
