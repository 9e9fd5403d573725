import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/** The activity lifecycle through the gateway: who may take which step, and what it leaves. */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
type Caller = Awaited<ReturnType<typeof server.as>>;
let institution: Caller;
let office: Caller;
let otherOffice: Caller;
let fx: Fixtures;
let world: Awaited<ReturnType<Fixtures['world']>>;
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

beforeAll(async () => {
  database = await createTestDatabase();
  fx = new Fixtures(database.db);
  world = await fx.world();
  const elsewhere = await fx.region(world.city);
  server = await startTestServer(database);
  institution = await server.as(await fx.account('institution_admin', world.institution));
  office = await server.as(await fx.account('office_officer', world.office));
  otherOffice = await server.as(
    await fx.account('office_officer', await fx.organization('education_office', elsewhere)),
  );
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

const step = /* GraphQL */ `
  mutation ($input: TransitionActivityInput!) {
    transitionActivity(input: $input) {
      __typename
      ... on MutationTransitionActivitySuccess {
        data {
          status
          rejectionReason
          version
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

interface StepResult {
  transitionActivity: {
    __typename: string;
    data?: { status: string; rejectionReason: string | null; version: number };
    code?: string;
    message?: string;
    issues?: Array<{ path: string[]; message: string }>;
  };
}

async function take(
  caller: Caller,
  activityId: number,
  action: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const { data, errors } = await caller<StepResult>(
    step,
    { input: { activityId: g('Activity', activityId), action, ...extra } },
    headers,
  );
  expect(errors).toBeUndefined();
  return data!.transitionActivity;
}

async function auditCount(activityId: number) {
  const { rows } = await sql<{
    n: number;
  }>`select count(*)::int as n from audit_log where entity_type = 'activity' and entity_id = ${activityId}`.execute(
    database.db,
  );
  return rows[0]!.n;
}

describe('transitionActivity', () => {
  it('walks an activity from draft to closed, each step by its owner, each audited', async () => {
    const activity = await fx.activity(world.institution);
    await fx.session(activity, { sequence: 1 });
    const path: Array<[Caller, string, string]> = [
      [institution, 'SUBMIT', 'SUBMITTED'],
      [office, 'APPROVE', 'APPROVED'],
      [institution, 'OPEN', 'OPEN'],
      [institution, 'START', 'IN_PROGRESS'],
      [institution, 'CLOSE', 'CLOSED'],
    ];
    for (const [caller, action, status] of path) {
      const result = await take(caller, activity.id, action);
      expect(result.__typename, `${action} → ${result.message}`).toBe(
        'MutationTransitionActivitySuccess',
      );
      expect(result.data!.status).toBe(status);
    }
    expect(await auditCount(activity.id)).toBe(path.length);
  });

  it('needs a reason to reject, keeps it while rejected, and clears it on resubmission', async () => {
    const activity = await fx.activity(world.institution);
    await fx.session(activity, { sequence: 1 });
    await take(institution, activity.id, 'SUBMIT');
    const missing = await take(office, activity.id, 'REJECT', { reason: '   ' });
    expect(missing.__typename).toBe('ValidationError');
    expect(missing.issues![0]!.path).toEqual(['input', 'reason']);
    const rejected = await take(office, activity.id, 'REJECT', {
      reason: '学时安排不合理，请调整',
    });
    expect(rejected.data).toMatchObject({
      status: 'REJECTED',
      rejectionReason: '学时安排不合理，请调整',
    });
    const again = await take(institution, activity.id, 'SUBMIT');
    expect(again.data).toMatchObject({ status: 'SUBMITTED', rejectionReason: null });
  });

  it.each([
    ['the provider approving its own activity', () => institution, 'APPROVE', 'ForbiddenError'],
    ['a step the status does not allow', () => office, 'CLOSE', 'ConflictError'],
  ])(
    'refuses %s with a typed error and changes nothing',
    async (_what, caller, action, typename) => {
      const activity = await fx.activity(world.institution);
      await fx.session(activity, { sequence: 1 });
      await take(institution, activity.id, 'SUBMIT');
      const before = await auditCount(activity.id);
      const result = await take(caller(), activity.id, action);
      expect(result.__typename).toBe(typename);
      expect(await auditCount(activity.id)).toBe(before);
    },
  );

  it('hides the activity from an office of another district', async () => {
    const activity = await fx.activity(world.institution);
    await fx.session(activity, { sequence: 1 });
    await take(institution, activity.id, 'SUBMIT');
    expect((await take(otherOffice, activity.id, 'APPROVE')).__typename).toBe('NotFoundError');
  });

  it('refuses to submit an activity without sessions, naming the field', async () => {
    const activity = await fx.activity(world.institution);
    const result = await take(institution, activity.id, 'SUBMIT');
    expect(result.__typename).toBe('ValidationError');
    expect(result.issues![0]!.path).toEqual(['input', 'activityId']);
  });

  it('explains refusals in Chinese when asked', async () => {
    const activity = await fx.activity(world.institution);
    const result = await take(office, activity.id, 'APPROVE', {}, { 'accept-language': 'zh-CN' });
    expect(result.__typename).toBe('ConflictError');
    expect(result.message).toMatch(/[\u4e00-\u9fff]/);
  });

  it('lets only one of two concurrent identical steps through', async () => {
    const activity = await fx.activity(world.institution);
    await fx.session(activity, { sequence: 1 });
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => take(institution, activity.id, 'SUBMIT')),
    );
    expect(
      results.filter((r) => r.__typename === 'MutationTransitionActivitySuccess'),
    ).toHaveLength(1);
    expect(results.filter((r) => r.__typename === 'ConflictError')).toHaveLength(3);
    expect(await auditCount(activity.id)).toBe(1);
  });

  it('refuses a stale version', async () => {
    const activity = await fx.activity(world.institution);
    await fx.session(activity, { sequence: 1 });
    const result = await take(institution, activity.id, 'SUBMIT', {
      version: activity.version + 5,
    });
    expect(result.__typename).toBe('ConflictError');
  });
});

describe('updateActivity after approval', () => {
  const update = /* GraphQL */ `
    mutation ($input: UpdateActivityInput!) {
      updateActivity(input: $input) {
        __typename
        ... on MutationUpdateActivitySuccess {
          data {
            title
            creditHours
            version
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
  interface Updated {
    updateActivity: {
      __typename: string;
      code?: string;
      message?: string;
      data?: { title: string; creditHours: number; version: number };
      issues?: Array<{ path: string[]; message: string }>;
    };
  }

  async function inStatus(status: string) {
    const activity = await fx.activity(world.institution);
    await sql`update activities set status = ${status} where id = ${activity.id}`.execute(fx.db);
    return activity;
  }
  const version = async (id: number) =>
    (
      await fx.db
        .selectFrom('activities')
        .select('version')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).version;
  const edit = async (caller: Caller, id: number, changes: Record<string, unknown>) =>
    (
      await caller<Updated>(update, {
        input: { id: g('Activity', id), version: await version(id), ...changes },
      })
    ).data!.updateActivity;

  it('lets the provider manage practical details but not the approved credit', async () => {
    const activity = await inStatus('open');
    expect((await edit(institution, activity.id, { title: '新标题' })).data?.title).toBe('新标题');
    const hours = await edit(institution, activity.id, { creditHours: 12 });
    expect(hours.__typename).toBe('ForbiddenError');
    expect(hours.message).toMatch(/education office/);
    // The approved value re-sent with a changed detail is no change of credit.
    const same = await edit(institution, activity.id, {
      title: '再改标题',
      creditHours: activity.creditHours,
    });
    expect(same.__typename).toBe('MutationUpdateActivitySuccess');
  });

  it('lets the office change credit after approval only with a reason, kept in the audit log', async () => {
    const activity = await inStatus('in_progress');
    const missing = await edit(office, activity.id, { creditHours: 9 });
    expect(missing.__typename).toBe('ValidationError');
    expect(missing.issues![0]!.path).toEqual(['input', 'reason']);
    const corrected = await edit(office, activity.id, {
      creditHours: 9,
      reason: '增加半天实践环节',
    });
    expect(corrected.data?.creditHours).toBe(9);
    const { rows } = await sql<{ action: string; reason: string }>`
      select action, after->>'reason' as reason from audit_log
      where entity_type = 'activity' and entity_id = ${String(activity.id)}
      order by id desc limit 1`.execute(fx.db);
    expect(rows[0]).toEqual({ action: 'activity.corrected', reason: '增加半天实践环节' });
    expect((await edit(otherOffice, activity.id, { creditHours: 3, reason: 'x' })).__typename).toBe(
      'NotFoundError',
    );
  });

  it.each([
    ['submitted', () => institution, { title: '审核中修改' }],
    ['credited', () => office, { creditHours: 1, reason: '更正' }],
    ['archived', () => office, { title: '归档后修改' }],
  ])('refuses any edit of a %s activity and changes nothing', async (status, caller, changes) => {
    const activity = await inStatus(status);
    const before = await version(activity.id);
    expect((await edit(caller(), activity.id, changes)).__typename).toBe('ConflictError');
    expect(await version(activity.id)).toBe(before);
  });

  it('lets only the office correct a closed activity', async () => {
    const activity = await inStatus('closed');
    expect((await edit(institution, activity.id, { title: '结束后改名' })).__typename).toBe(
      'ForbiddenError',
    );
    expect(
      (await edit(office, activity.id, { title: '更正名称', reason: '名称有误' })).data?.title,
    ).toBe('更正名称');
  });
});
