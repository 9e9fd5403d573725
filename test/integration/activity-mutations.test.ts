import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

type Caller = Awaited<ReturnType<Awaited<ReturnType<typeof startTestServer>>['as']>>;

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let institutionAdmin: Caller;
let otherInstitutionAdmin: Caller;
let teacher: Caller;
let ids: { institution: string; otherInstitution: string; region: string; trainer: string };

const toGlobal = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

beforeAll(async () => {
  database = await createTestDatabase();
  const fx = new Fixtures(database.db);
  const world = await fx.world();
  const other = await fx.organization('training_institution', world.district);
  const trainer = await fx.trainer(world.institution);
  server = await startTestServer(database);
  institutionAdmin = await server.as(await fx.account('institution_admin', world.institution));
  otherInstitutionAdmin = await server.as(await fx.account('institution_admin', other));
  teacher = await server.as(
    await fx.account('teacher', world.school, { teacherId: world.teacher.id }),
  );
  ids = {
    institution: toGlobal('Organization', world.institution.id),
    otherInstitution: toGlobal('Organization', other.id),
    region: toGlobal('Region', world.district.id),
    trainer: toGlobal('Trainer', trainer.id),
  };
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
          title
          status
          version
          creditHours
          eligibilityRules {
            stages
            regions {
              name
            }
          }
          completionRules {
            minAttendanceRatio
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
          message
        }
      }
    }
  }
`;

const validInput = () => ({
  providerId: ids.institution,
  code: `T-${Math.random().toString(36).slice(2, 8)}`,
  title: '初中数学单元教学设计',
  category: 'professional',
  level: 'DISTRICT',
  deliveryMode: 'BLENDED',
  creditHours: 12,
  startsOn: '2026-12-01',
  endsOn: '2026-12-05',
  eligibilityRules: { stages: ['JUNIOR'], regionIds: [ids.region] },
  completionRules: { minAttendanceRatio: 0.8 },
});

interface Result {
  __typename: string;
  code?: string;
  message?: string;
  issues?: Array<{ path: string[]; message: string }>;
  data?: { id: string; code: string; version: number; status: string };
}

async function counts() {
  const { rows } = await sql<{ activities: number; sessions: number; audit: number }>`
    select (select count(*)::int from activities) as activities,
           (select count(*)::int from sessions) as sessions,
           (select count(*)::int from audit_log) as audit`.execute(database.db);
  return rows[0]!;
}

describe('createActivity', () => {
  it('creates a draft of the caller’s institution, with rules, and audits it', async () => {
    const before = await counts();
    const { data } = await institutionAdmin<{ createActivity: Result }>(create, {
      input: validInput(),
    });
    expect(data!.createActivity.__typename).toBe('MutationCreateActivitySuccess');
    expect(data!.createActivity.data).toMatchObject({
      status: 'DRAFT',
      version: 1,
      creditHours: 12,
    });
    const after = await counts();
    expect(after.activities - before.activities).toBe(1);
    expect(after.audit - before.audit).toBe(1);
  });

  it('reports every invalid field with its path, in the caller’s language, and changes nothing', async () => {
    const before = await counts();
    const input = {
      ...validInput(),
      code: 'x',
      title: '',
      creditHours: -1,
      endsOn: '2026-11-01',
      completionRules: { minAttendanceRatio: 2 },
    };
    const en = await institutionAdmin<{ createActivity: Result }>(create, { input });
    const result = en.data!.createActivity;
    expect(result.__typename).toBe('ValidationError');
    expect(result.code).toBe('VALIDATION_FAILED');
    expect(result.issues!.map((i) => i.path.join('.')).sort()).toEqual(
      [
        'input.code',
        'input.completionRules.minAttendanceRatio',
        'input.creditHours',
        'input.endsOn',
        'input.title',
      ].sort(),
    );
    const zh = await institutionAdmin<{ createActivity: Result }>(
      create,
      { input },
      { 'accept-language': 'zh-CN,zh;q=0.9' },
    );
    expect(
      zh.data!.createActivity.issues!.find((i) => i.path.join('.') === 'input.endsOn')!.message,
    ).toBe('不能早于开始日期');
    expect(await counts()).toEqual(before);
  });

  it.each([
    [
      'another institution as provider',
      () => ({ ...validInput(), providerId: ids.otherInstitution }),
      'ForbiddenError',
    ],
    [
      'a region ID as provider',
      () => ({ ...validInput(), providerId: ids.region }),
      'ValidationError',
    ],
    ['an unknown category', () => ({ ...validInput(), category: 'astrology' }), 'ValidationError'],
    [
      'a schoolIds entry that is not a school ID',
      () => ({ ...validInput(), eligibilityRules: { schoolIds: ['garbage'] } }),
      'ValidationError',
    ],
  ])('refuses %s', async (_name, input, typename) => {
    const before = await counts();
    const { data, errors } = await institutionAdmin<{ createActivity: Result }>(create, {
      input: input(),
    });
    expect(errors).toBeUndefined();
    expect(data!.createActivity.__typename).toBe(typename);
    expect(await counts()).toEqual(before);
  });

  it('answers CONFLICT for a code already in use', async () => {
    const input = validInput();
    await institutionAdmin(create, { input });
    const { data } = await otherInstitutionAdmin<{ createActivity: Result }>(create, {
      input: { ...input, providerId: ids.otherInstitution },
    });
    expect(data!.createActivity).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
  });

  it('is closed to teachers and to anonymous callers', async () => {
    const asTeacher = await teacher<{ createActivity: Result | null }>(create, {
      input: validInput(),
    });
    expect(asTeacher.errors![0]!.extensions!.code).toBe('FORBIDDEN');
    const anonymous = await server.graphql(create, { input: validInput() });
    expect(anonymous.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });
});

describe('updateActivity and sessions', () => {
  let activity: { id: string; version: number };

  beforeAll(async () => {
    const { data } = await institutionAdmin<{ createActivity: Result }>(create, {
      input: validInput(),
    });
    activity = data!.createActivity.data!;
  });

  const update = /* GraphQL */ `
    mutation Update($input: UpdateActivityInput!) {
      updateActivity(input: $input) {
        __typename
        ... on MutationUpdateActivitySuccess {
          data {
            title
            version
          }
        }
        ... on UserError {
          code
          message
        }
      }
    }
  `;

  it('applies a change and bumps the version; a stale version is a conflict', async () => {
    const first = await institutionAdmin<{
      updateActivity: { __typename: string; data?: { version: number } };
    }>(update, {
      input: { id: activity.id, version: activity.version, title: '改过的标题' },
    });
    expect(first.data!.updateActivity.data!.version).toBe(activity.version + 1);
    const stale = await institutionAdmin<{ updateActivity: Result }>(update, {
      input: { id: activity.id, version: activity.version, title: '又改' },
    });
    expect(stale.data!.updateActivity.__typename).toBe('ConflictError');
  });

  it('is not found for an institution that cannot see it', async () => {
    const { data } = await otherInstitutionAdmin<{ updateActivity: Result }>(update, {
      input: { id: activity.id, version: 1, title: 'x' },
    });
    expect(data!.updateActivity.__typename).toBe('NotFoundError');
  });

  const addSession = /* GraphQL */ `
    mutation Add($input: AddSessionInput!) {
      addSession(input: $input) {
        __typename
        ... on MutationAddSessionSuccess {
          data {
            id
            sequence
            trainers {
              name
            }
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

  it('adds sessions in sequence with their trainers', async () => {
    const session = (n: number) => ({
      activityId: activity.id,
      title: `第${n}天`,
      mode: 'IN_PERSON',
      startsAt: `2026-12-0${n}T01:00:00Z`,
      endsAt: `2026-12-0${n}T07:00:00Z`,
      hours: 6,
      location: '教师发展中心',
      trainerIds: [ids.trainer],
    });
    const one = await institutionAdmin<{
      addSession: { data: { sequence: number; trainers: unknown[] } };
    }>(addSession, { input: session(1) });
    const two = await institutionAdmin<{ addSession: { data: { sequence: number } } }>(addSession, {
      input: session(2),
    });
    expect(one.data!.addSession.data.sequence).toBe(1);
    expect(one.data!.addSession.data.trainers).toHaveLength(1);
    expect(two.data!.addSession.data.sequence).toBe(2);
  });

  it('refuses an online block without minimum minutes and an end before the start', async () => {
    const before = await counts();
    const { data } = await institutionAdmin<{ addSession: Result }>(addSession, {
      input: {
        activityId: activity.id,
        title: '线上',
        mode: 'ONLINE',
        startsAt: '2026-12-03T09:00:00Z',
        endsAt: '2026-12-03T08:00:00Z',
        hours: 1,
      },
    });
    expect(data!.addSession.issues!.map((i) => i.path.join('.')).sort()).toEqual([
      'input.endsAt',
      'input.onlineMinMinutes',
    ]);
    expect(await counts()).toEqual(before);
  });

  // Found by the fuzzer: 2.7e-257 passed "more than 0", rounded to 0.00 in numeric(5,2) and
  // broke the table's check, which answered 500.
  it('refuses session hours with more than two decimals instead of rounding them', async () => {
    const before = await counts();
    for (const hours of [2.7201773550639726e-257, 1.234]) {
      const { status, data } = await institutionAdmin<{ addSession: Result }>(addSession, {
        input: {
          activityId: activity.id,
          title: '小数',
          location: '教研室',
          mode: 'IN_PERSON',
          startsAt: '2026-12-03T01:00:00Z',
          endsAt: '2026-12-03T03:00:00Z',
          hours,
        },
      });
      expect(status).toBe(200);
      expect(data!.addSession.issues!.map((i) => i.path.join('.'))).toEqual(['input.hours']);
    }
    expect(await counts()).toEqual(before);
  });
});
