import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/** Issue 4 point 10: a participant rates a closed activity once; the average shows in reports. */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
type Caller = Awaited<ReturnType<typeof server.as>>;
let teacher: Caller;
let colleague: Caller;
let school: Caller;
let institution: Caller;
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
const ids = {} as {
  closed: number;
  again: number;
  concurrent: number;
  open: number;
  rejected: number;
  colleagues: number;
  activity: number;
};

const rate = `
  mutation($input: RateActivityInput!) {
    rateActivity(input: $input) {
      __typename
      ... on MutationRateActivitySuccess { data { rating comment ratedAt enrollment { id } } }
      ... on UserError { code message }
      ... on ValidationError { issues { path message } }
    }
  }
`;

interface RateResult {
  rateActivity: {
    __typename: string;
    data?: { rating: number; comment: string | null; enrollment: { id: string } | null };
    code?: string;
    message?: string;
    issues?: Array<{ path: string[]; message: string }>;
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  const fx = new Fixtures(db);
  const world = await fx.world();
  const other = await fx.teacher(world.school);
  const setStatus = (id: number, status: string) =>
    sql`update activities set status = ${status} where id = ${id}`.execute(db);

  const closed = await fx.activity(world.institution);
  await setStatus(closed.id, 'closed');
  ids.activity = closed.id;
  ids.closed = (await fx.enrollment(closed, world.teacher)).id;
  ids.colleagues = (await fx.enrollment(closed, other)).id;
  const credited = await fx.activity(world.institution);
  await setStatus(credited.id, 'credited');
  ids.again = (await fx.enrollment(credited, world.teacher)).id;
  const archived = await fx.activity(world.institution);
  await setStatus(archived.id, 'archived');
  ids.concurrent = (await fx.enrollment(archived, world.teacher)).id;
  const open = await fx.activity(world.institution);
  await setStatus(open.id, 'in_progress');
  ids.open = (await fx.enrollment(open, world.teacher)).id;
  const rejectedActivity = await fx.activity(world.institution);
  await setStatus(rejectedActivity.id, 'closed');
  const rejected = await fx.enrollment(rejectedActivity, world.teacher);
  await db
    .updateTable('enrollments')
    .set({ status: 'eligibility_rejected', rejection_reason: '名额已满' })
    .where('id', '=', rejected.id)
    .execute();
  ids.rejected = rejected.id;

  server = await startTestServer(database);
  teacher = await server.as(
    await fx.account('teacher', world.school, { teacherId: world.teacher.id }),
  );
  colleague = await server.as(await fx.account('teacher', world.school, { teacherId: other.id }));
  school = await server.as(await fx.account('school_admin', world.school));
  institution = await server.as(await fx.account('institution_admin', world.institution));
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

describe('rateActivity', () => {
  it('records the rating of a closed activity with an audit entry', async () => {
    const { data, errors } = await teacher<RateResult>(rate, {
      input: {
        enrollmentId: g('Enrollment', ids.closed),
        rating: 4,
        comment: '  案例很实用，“同课异构”环节收获大。 ',
      },
    });
    expect(errors).toBeUndefined();
    expect(data!.rateActivity).toMatchObject({
      __typename: 'MutationRateActivitySuccess',
      data: {
        rating: 4,
        comment: '案例很实用，“同课异构”环节收获大。',
        enrollment: { id: g('Enrollment', ids.closed) },
      },
    });
    const audit = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'evaluation.created')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).not.toBeNull();
    expect(audit[0]!.after).toMatchObject({ enrollmentId: ids.closed, rating: 4 });
  });

  it('shows on the enrollment to whoever sees it', async () => {
    const { data } = await institution<{ node: { evaluation: { rating: number } | null } }>(
      `query($id: ID!) { node(id: $id) { ... on Enrollment { evaluation { rating } } } }`,
      { id: g('Enrollment', ids.closed) },
    );
    expect(data!.node.evaluation).toEqual({ rating: 4 });
  });

  it('answers a second rating of the same enrollment as a conflict', async () => {
    const input = { enrollmentId: g('Enrollment', ids.again), rating: 5 };
    const first = await teacher<RateResult>(rate, { input });
    expect(first.data!.rateActivity.__typename).toBe('MutationRateActivitySuccess');
    const second = await teacher<RateResult>(rate, { input: { ...input, rating: 1 } });
    expect(second.errors).toBeUndefined();
    expect(second.data!.rateActivity).toMatchObject({
      __typename: 'ConflictError',
      code: 'CONFLICT',
    });
    const stored = await database.db
      .selectFrom('evaluations')
      .select('rating')
      .where('enrollment_id', '=', ids.again)
      .execute();
    expect(stored).toEqual([{ rating: 5 }]);
  });

  it('writes exactly one rating under concurrent clicks, the rest conflict', async () => {
    const input = { enrollmentId: g('Enrollment', ids.concurrent), rating: 3 };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => teacher<RateResult>(rate, { input })),
    );
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    const kinds = results.map((r) => r.data!.rateActivity.__typename).sort();
    expect(kinds.filter((k) => k === 'MutationRateActivitySuccess')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'ConflictError')).toHaveLength(7);
    const audit = await database.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('action', '=', 'evaluation.created')
      .execute();
    expect(audit).toHaveLength(3);
  });

  it.each([
    ['a rating of 0', { rating: 0 }, ['input', 'rating']],
    ['a rating of 6', { rating: 6 }, ['input', 'rating']],
    [
      'a comment of 2001 characters',
      { rating: 3, comment: '好'.repeat(2001) },
      ['input', 'comment'],
    ],
    [
      'an ID of another type',
      { rating: 3, enrollmentId: g('Activity', 1) },
      ['input', 'enrollmentId'],
    ],
    ['a malformed ID', { rating: 3, enrollmentId: 'not an id' }, ['input', 'enrollmentId']],
  ])('refuses %s naming the field, changing nothing', async (_what, patch, path) => {
    const before = await database.db.selectFrom('evaluations').select('id').execute();
    const { data, errors } = await teacher<RateResult>(rate, {
      input: { enrollmentId: g('Enrollment', ids.open), ...patch },
    });
    expect(errors).toBeUndefined();
    expect(data!.rateActivity.__typename).toBe('ValidationError');
    expect(data!.rateActivity.issues!.map((i) => i.path)).toContainEqual(path);
    expect(await database.db.selectFrom('evaluations').select('id').execute()).toEqual(before);
  });

  it('accepts a comment of exactly 2000 characters, counted as characters', async () => {
    // 2000 characters outside the Basic Multilingual Plane: 4000 UTF-16 units, 2000 in SQL.
    const { data } = await colleague<RateResult>(rate, {
      input: {
        enrollmentId: g('Enrollment', ids.colleagues),
        rating: 2,
        comment: '𠀀'.repeat(2000),
      },
    });
    expect(data!.rateActivity.__typename).toBe('MutationRateActivitySuccess');
  });

  it('waits until the activity has closed', async () => {
    const { data } = await teacher<RateResult>(rate, {
      input: { enrollmentId: g('Enrollment', ids.open), rating: 5 },
    });
    expect(data!.rateActivity).toMatchObject({ __typename: 'ConflictError' });
  });

  it('answers in Chinese when asked', async () => {
    const { data } = await teacher<RateResult>(
      rate,
      { input: { enrollmentId: g('Enrollment', ids.open), rating: 5 } },
      { 'accept-language': 'zh-CN' },
    );
    expect(data!.rateActivity.message).toBe('活动结束后才能评价。');
  });

  it('is not open to a teacher whose enrollment was rejected', async () => {
    const { data } = await teacher<RateResult>(rate, {
      input: { enrollmentId: g('Enrollment', ids.rejected), rating: 5 },
    });
    expect(data!.rateActivity).toMatchObject({ __typename: 'ForbiddenError' });
  });

  it('does not let a teacher rate through a colleague’s enrollment', async () => {
    const { data } = await teacher<RateResult>(rate, {
      input: { enrollmentId: g('Enrollment', ids.colleagues), rating: 1 },
    });
    // Another teacher's enrollment is not visible to them at all.
    expect(data!.rateActivity).toMatchObject({ __typename: 'NotFoundError' });
  });

  it('is refused to a school administrator, who is not the participant', async () => {
    const { data, errors } = await school<RateResult>(rate, {
      input: { enrollmentId: g('Enrollment', ids.closed), rating: 1 },
    });
    expect(data?.rateActivity ?? null).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('shows the average rating in the provider’s report', async () => {
    const { data, errors } = await institution<{
      creditReport: {
        activityFigures: Array<{
          activities: number;
          ratings: number;
          averageRating: number | null;
        }>;
      };
    }>(
      `{ creditReport(from: "2026-01-01", to: "2026-12-31") { activityFigures(by: PROVIDER) { activities ratings averageRating } } }`,
    );
    expect(errors).toBeUndefined();
    // Ratings 4 and 2 on the closed activity, 5 and 3 on the credited and archived ones.
    expect(data!.creditReport.activityFigures).toEqual([
      { activities: 5, ratings: 4, averageRating: 3.5 },
    ]);
  });
});
