import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * The reads the people-area screens needed (decision 0012): a session's activity, whether an
 * attendance record is locked, the trainer directory, the viewer's own teacher and trainer
 * records, and enrollments across activities filtered to a school's queue.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
type Caller = Awaited<ReturnType<typeof server.as>>;
let as: Record<
  | 'admin'
  | 'office'
  | 'otherOffice'
  | 'institution'
  | 'trainer'
  | 'school'
  | 'otherSchool'
  | 'teacher',
  Caller
>;
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
let ids: {
  activity: number;
  session: number;
  teacher: number;
  otherTeacher: number;
  school: number;
  otherSchool: number;
  institution: number;
  otherInstitution: number;
  trainer: number;
  colleague: number;
  foreignTrainer: number;
  registered: number;
  confirmed: number;
  otherRegistered: number;
  secondActivity: number;
  secondRegistered: number;
};

beforeAll(async () => {
  database = await createTestDatabase();
  const fx = new Fixtures(database.db);
  const world = await fx.world();
  const otherDistrict = await fx.region(world.city);
  const otherOffice = await fx.organization('education_office', otherDistrict);
  const otherInstitution = await fx.organization('training_institution', otherDistrict);
  const otherSchool = await fx.organization('school', world.district);
  const otherTeacher = await fx.teacher(otherSchool);
  const confirmedTeacher = await fx.teacher(world.school);
  const trainer = await fx.trainer(world.institution);
  const colleague = await fx.trainer(world.institution);
  const foreignTrainer = await fx.trainer(otherInstitution);
  await database.db
    .updateTable('trainers')
    .set({ name: '王老师' })
    .where('id', '=', colleague.id)
    .execute();
  await database.db
    .insertInto('session_trainers')
    .values({ session_id: world.session.id, trainer_id: trainer.id })
    .execute();
  await sql`update activities set status = 'in_progress' where id = ${world.activity.id}`.execute(
    database.db,
  );
  const registered = await fx.enrollment(world.activity, world.teacher);
  const confirmed = await fx.enrollment(world.activity, confirmedTeacher);
  await sql`update enrollments set status = 'eligibility_confirmed', decided_at = now() where id = ${confirmed.id}`.execute(
    database.db,
  );
  const otherRegistered = await fx.enrollment(world.activity, otherTeacher);
  const secondActivity = await fx.activity(world.institution);
  await sql`update activities set status = 'open' where id = ${secondActivity.id}`.execute(
    database.db,
  );
  const secondRegistered = await fx.enrollment(secondActivity, world.teacher);
  for (const enrollment of [registered, confirmed, otherRegistered]) {
    await database.db
      .insertInto('attendance')
      .values({
        activity_id: world.activity.id,
        session_id: world.session.id,
        enrollment_id: enrollment.id,
        status: 'present',
        minutes: 360,
        source: 'trainer',
      })
      .execute();
  }
  ids = {
    activity: world.activity.id,
    session: world.session.id,
    teacher: world.teacher.id,
    otherTeacher: otherTeacher.id,
    school: world.school.id,
    otherSchool: otherSchool.id,
    institution: world.institution.id,
    otherInstitution: otherInstitution.id,
    trainer: trainer.id,
    colleague: colleague.id,
    foreignTrainer: foreignTrainer.id,
    registered: registered.id,
    confirmed: confirmed.id,
    otherRegistered: otherRegistered.id,
    secondActivity: secondActivity.id,
    secondRegistered: secondRegistered.id,
  };
  server = await startTestServer(database);
  as = {
    admin: await server.as(await fx.account('platform_admin', null)),
    office: await server.as(await fx.account('office_officer', world.office)),
    otherOffice: await server.as(await fx.account('office_officer', otherOffice)),
    institution: await server.as(await fx.account('institution_admin', world.institution)),
    trainer: await server.as(
      await fx.account('trainer', world.institution, { trainerId: trainer.id }),
    ),
    school: await server.as(await fx.account('school_admin', world.school)),
    otherSchool: await server.as(await fx.account('school_admin', otherSchool)),
    teacher: await server.as(
      await fx.account('teacher', world.school, { teacherId: world.teacher.id }),
    ),
  };
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

describe('Session.activity', () => {
  it('names the activity of a session, also for a trainer who sees only the sessions they teach', async () => {
    for (const caller of [as.trainer, as.institution, as.school]) {
      const { data, errors } = await caller<{
        node: { activity: { id: string; status: string } } | null;
      }>(`query($id: ID!) { node(id: $id) { ... on Session { activity { id status } } } }`, {
        id: g('Session', ids.session),
      });
      expect(errors).toBeUndefined();
      expect(data!.node!.activity).toEqual({
        id: g('Activity', ids.activity),
        status: 'IN_PROGRESS',
      });
    }
  });

  it('stays out of reach with its session: another district’s office gets no node', async () => {
    const { data } = await as.otherOffice<{ node: unknown }>(
      `query($id: ID!) { node(id: $id) { ... on Session { activity { id } } } }`,
      { id: g('Session', ids.session) },
    );
    expect(data!.node).toBeNull();
  });
});

describe('Attendance.locked', () => {
  async function lockedByEnrollment(caller: Caller) {
    const { data, errors } = await caller<{
      node: {
        attendance: {
          edges: Array<{ node: { locked: boolean; enrollment: { id: string } | null } }>;
        };
      };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Session { attendance(first: 50) { edges { node { locked enrollment { id } } } } } } }`,
      { id: g('Session', ids.session) },
    );
    expect(errors).toBeUndefined();
    return Object.fromEntries(
      data!.node.attendance.edges.map((e) => [e.node.enrollment!.id, e.node.locked]),
    );
  }

  it('follows the confirmations: a school’s locks its own teachers’ rows, the office’s every row, a superseded one none', async () => {
    const mine = [g('Enrollment', ids.registered), g('Enrollment', ids.confirmed)];
    const theirs = g('Enrollment', ids.otherRegistered);
    expect(Object.values(await lockedByEnrollment(as.admin))).toEqual([false, false, false]);

    const school = await database.db
      .insertInto('confirmations')
      .values({ activity_id: ids.activity, level: 'school', organization_id: ids.school })
      .returning('id')
      .executeTakeFirstOrThrow();
    const afterSchool = await lockedByEnrollment(as.admin);
    expect(mine.map((id) => afterSchool[id])).toEqual([true, true]);
    expect(afterSchool[theirs]).toBe(false);
    // The trainer sees the same lock on the rows of the session they teach.
    expect(await lockedByEnrollment(as.trainer)).toEqual(afterSchool);

    await sql`update confirmations set superseded_at = now() where id = ${school.id}`.execute(
      database.db,
    );
    expect(Object.values(await lockedByEnrollment(as.admin))).toEqual([false, false, false]);

    const office = await database.db
      .selectFrom('organizations')
      .select('id')
      .where('kind', '=', 'education_office')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('confirmations')
      .values({ activity_id: ids.activity, level: 'office', organization_id: office.id })
      .execute();
    expect(Object.values(await lockedByEnrollment(as.admin))).toEqual([true, true, true]);
  });

  it('answers per enrollment too, also for participants with no record of the session', async () => {
    const second = await database.db
      .selectFrom('enrollments')
      .select('activity_id')
      .where('id', '=', ids.secondRegistered)
      .executeTakeFirstOrThrow();
    await database.db
      .insertInto('confirmations')
      .values({ activity_id: second.activity_id, level: 'school', organization_id: ids.school })
      .execute();
    const { data, errors } = await as.teacher<{
      me: {
        teacher: {
          enrollments: { edges: Array<{ node: { id: string; attendanceLocked: boolean } }> };
        };
      };
    }>(`{ me { teacher { enrollments { edges { node { id attendanceLocked } } } } } }`);
    expect(errors).toBeUndefined();
    expect(data!.me.teacher.enrollments.edges.map((e) => e.node)).toEqual([
      { id: g('Enrollment', ids.secondRegistered), attendanceLocked: true },
      // Locked by the office confirmation of the test above.
      { id: g('Enrollment', ids.registered), attendanceLocked: true },
    ]);
  });
});

describe('trainers', () => {
  async function trainerIds(caller: Caller, filter: Record<string, unknown> = {}) {
    const { data, errors } = await caller<{
      trainers: { totalCount: number; edges: Array<{ node: { id: string } }> };
    }>(
      `query($filter: TrainerFilter) { trainers(first: 50, filter: $filter) { totalCount edges { node { id } } } }`,
      { filter },
    );
    expect(errors).toBeUndefined();
    return {
      ids: data!.trainers.edges.map((e) => e.node.id),
      totalCount: data!.trainers.totalCount,
    };
  }
  const own = () => [g('Trainer', ids.trainer), g('Trainer', ids.colleague)].sort();

  it('shows an institution its own trainers, with their organization', async () => {
    const listed = await trainerIds(as.institution);
    expect(listed.ids.sort()).toEqual(own());
    expect(listed.totalCount).toBe(2);
    const { data } = await as.institution<{
      trainers: { edges: Array<{ node: { organization: { id: string } } }> };
    }>(`{ trainers(first: 1) { edges { node { organization { id } } } } }`);
    expect(data!.trainers.edges[0]!.node.organization.id).toBe(g('Organization', ids.institution));
  });

  it('shows an office the trainers of its region, the platform all, a trainer themself, a school none', async () => {
    expect((await trainerIds(as.office)).ids.sort()).toEqual(own());
    expect((await trainerIds(as.otherOffice)).ids).toEqual([g('Trainer', ids.foreignTrainer)]);
    expect((await trainerIds(as.admin)).totalCount).toBe(3);
    expect((await trainerIds(as.trainer)).ids).toEqual([g('Trainer', ids.trainer)]);
    expect(await trainerIds(as.school)).toEqual({ ids: [], totalCount: 0 });
  });

  it('filters by name and by organization; an unknown organization matches nothing', async () => {
    expect(await trainerIds(as.admin, { search: '王老' })).toEqual({
      ids: [g('Trainer', ids.colleague)],
      totalCount: 1,
    });
    expect(
      (await trainerIds(as.admin, { organizationId: g('Organization', ids.otherInstitution) })).ids,
    ).toEqual([g('Trainer', ids.foreignTrainer)]);
    // Another institution's trainers stay invisible even when asked for by organization.
    expect(
      await trainerIds(as.institution, {
        organizationId: g('Organization', ids.otherInstitution),
      }),
    ).toEqual({ ids: [], totalCount: 0 });
    expect(await trainerIds(as.admin, { organizationId: 'bm9wZQ==' })).toEqual({
      ids: [],
      totalCount: 0,
    });
  });

  it('pages by cursor and refuses a cursor from elsewhere as bad input', async () => {
    const first = await as.admin<{
      trainers: { pageInfo: { endCursor: string; hasNextPage: boolean } };
    }>(`{ trainers(first: 2) { pageInfo { endCursor hasNextPage } } }`);
    expect(first.data!.trainers.pageInfo.hasNextPage).toBe(true);
    const rest = await as.admin<{
      trainers: { edges: unknown[]; pageInfo: { hasNextPage: boolean } };
    }>(
      `query($after: String) { trainers(first: 2, after: $after) { edges { cursor } pageInfo { hasNextPage } } }`,
      { after: first.data!.trainers.pageInfo.endCursor },
    );
    expect(rest.data!.trainers.edges).toHaveLength(1);
    expect(rest.data!.trainers.pageInfo.hasNextPage).toBe(false);
    const bad = await as.admin(`{ trainers(first: 2, after: "nonsense") { totalCount } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('needs a sign-in', async () => {
    const { errors } = await server.graphql(`{ trainers(first: 1) { totalCount } }`);
    expect(errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('me.teacher and me.trainer', () => {
  const query = `{ me { teacher { id name } trainer { id name } } }`;

  it('give a teacher their teacher record and a trainer their trainer record', async () => {
    const teacher = await as.teacher<{
      me: { teacher: { id: string } | null; trainer: unknown };
    }>(query);
    expect(teacher.data!.me.teacher?.id).toBe(g('Teacher', ids.teacher));
    expect(teacher.data!.me.trainer).toBeNull();
    const trainer = await as.trainer<{
      me: { teacher: unknown; trainer: { id: string } | null };
    }>(query);
    expect(trainer.data!.me.trainer?.id).toBe(g('Trainer', ids.trainer));
    expect(trainer.data!.me.teacher).toBeNull();
  });

  it('are null for accounts without such records', async () => {
    const { data, errors } = await as.school<{ me: { teacher: unknown; trainer: unknown } }>(query);
    expect(errors).toBeUndefined();
    expect(data!.me).toEqual({ teacher: null, trainer: null });
  });
});

describe('enrollments', () => {
  async function enrollmentIds(caller: Caller, filter: Record<string, unknown>, first = 50) {
    const { data, errors } = await caller<{
      enrollments: { totalCount: number; edges: Array<{ node: { id: string } }> };
    }>(
      `query($filter: EnrollmentFilter, $first: Int) { enrollments(first: $first, filter: $filter) { totalCount edges { node { id } } } }`,
      { filter, first },
    );
    expect(errors).toBeUndefined();
    return {
      ids: data!.enrollments.edges.map((e) => e.node.id),
      totalCount: data!.enrollments.totalCount,
    };
  }

  it('gives a school its queue awaiting a decision across activities, oldest first', async () => {
    expect(
      await enrollmentIds(as.school, {
        schoolId: g('Organization', ids.school),
        status: ['REGISTERED'],
      }),
    ).toEqual({
      ids: [g('Enrollment', ids.registered), g('Enrollment', ids.secondRegistered)],
      totalCount: 2,
    });
    expect(
      (
        await enrollmentIds(as.school, {
          status: ['REGISTERED'],
          activityId: g('Activity', ids.secondActivity),
        })
      ).ids,
    ).toEqual([g('Enrollment', ids.secondRegistered)]);
  });

  it('never shows another school’s enrollments, even when asked for by school', async () => {
    expect(
      await enrollmentIds(as.school, { schoolId: g('Organization', ids.otherSchool) }),
    ).toEqual({ ids: [], totalCount: 0 });
    expect((await enrollmentIds(as.otherSchool, {})).ids).toEqual([
      g('Enrollment', ids.otherRegistered),
    ]);
    expect((await enrollmentIds(as.teacher, {})).totalCount).toBe(2);
    expect((await enrollmentIds(as.otherOffice, {})).totalCount).toBe(0);
  });

  it('pages forward by cursor', async () => {
    const first = await as.admin<{
      enrollments: { pageInfo: { endCursor: string; hasNextPage: boolean } };
    }>(`{ enrollments(first: 3) { pageInfo { endCursor hasNextPage } } }`);
    expect(first.data!.enrollments.pageInfo.hasNextPage).toBe(true);
    const rest = await as.admin<{ enrollments: { edges: Array<{ node: { id: string } }> } }>(
      `query($after: String) { enrollments(first: 3, after: $after) { edges { node { id } } } }`,
      { after: first.data!.enrollments.pageInfo.endCursor },
    );
    expect(rest.data!.enrollments.edges.map((e) => e.node.id)).toEqual([
      g('Enrollment', ids.secondRegistered),
    ]);
    const bad = await as.admin(`{ enrollments(first: 2, after: "nonsense") { totalCount } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
