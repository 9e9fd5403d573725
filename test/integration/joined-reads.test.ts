import {
  everybody,
  findActivitiesWithProvidersByIds,
  findCreditEntriesByTeacherIds,
  findCreditEntriesWithActivitiesByTeacherIds,
  findOrganizationsByIds,
  findSessionsByActivityIds,
  findSessionsWithTrainersByActivityIds,
  findTrainersBySessionIds,
  findTeachersWithSchoolsByIds,
  nobody,
  type Visibility,
} from '@registry/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';

/**
 * The loaders read an activity with its provider and a teacher with their school in one
 * statement, and hand the joined organization to the organization loader. The organization
 * they hand over must be the one a read of its own returns, field for field, or a screen would
 * show different schools depending on which path loaded them first.
 */
let database: TestDatabase;
let fx: Fixtures;
let world: Awaited<ReturnType<Fixtures['world']>>;
let ruralSchool: { id: number };
let otherTeacher: { id: number; school_id: number };

beforeAll(async () => {
  database = await createTestDatabase();
  fx = new Fixtures(database.db);
  world = await fx.world();
  ruralSchool = await fx.organization('school', world.district, {
    isRural: true,
    stages: ['primary', 'junior'],
  });
  otherTeacher = await fx.teacher(ruralSchool);
});
afterAll(async () => {
  await database?.close();
});

const ownSchool = (schoolId: number): Visibility => ({ ...nobody, schoolIds: [schoolId] });

describe('teachers with their schools', () => {
  it('hands over each teacher’s school as a read of the organization returns it', async () => {
    const ids = [world.teacher.id, otherTeacher.id];
    const rows = await findTeachersWithSchoolsByIds(database.db, everybody, ids);
    expect(rows.map((r) => r.teacher.id).sort()).toEqual([...ids].sort());
    const schools = await findOrganizationsByIds(database.db, [world.school.id, ruralSchool.id]);
    for (const { teacher, school } of rows) {
      expect(school.id).toBe(teacher.schoolId);
      expect(school).toEqual(schools.find((s) => s.id === teacher.schoolId));
    }
    // Both shapes of school are covered: the rural one with two stages, the other not rural.
    expect(rows.map((r) => r.school.isRural).sort()).toEqual([false, true]);
  });

  it('reads one id, a few and none through the same mapping', async () => {
    const [one] = await findTeachersWithSchoolsByIds(database.db, everybody, [otherTeacher.id]);
    expect(one?.school).toEqual((await findOrganizationsByIds(database.db, [ruralSchool.id]))[0]);
    expect(await findTeachersWithSchoolsByIds(database.db, everybody, [])).toEqual([]);
  });

  it('brings no school for a teacher the caller may not see', async () => {
    const rows = await findTeachersWithSchoolsByIds(database.db, ownSchool(ruralSchool.id), [
      world.teacher.id,
      otherTeacher.id,
    ]);
    expect(rows.map((r) => [r.teacher.id, r.school.id])).toEqual([
      [otherTeacher.id, ruralSchool.id],
    ]);
  });
});

describe('activities with their providers', () => {
  it('hands over the provider as a read of the organization returns it', async () => {
    const [row] = await findActivitiesWithProvidersByIds(database.db, everybody, [
      world.activity.id,
    ]);
    const [provider] = await findOrganizationsByIds(database.db, [world.institution.id]);
    expect(row?.provider).toEqual(provider);
    expect(row?.activity.providerId).toBe(world.institution.id);
  });
});

describe('sessions with their trainers', () => {
  it('reads each session’s trainers as the trainers read lists them, in the same order', async () => {
    const activity = await fx.activity(world.institution);
    const first = await fx.session(activity, { sequence: 1 });
    const second = await fx.session(activity, { sequence: 2 });
    const bare = await fx.session(activity, { sequence: 3 });
    const [lead, assistant, tutor] = [
      await fx.trainer(world.institution),
      await fx.trainer(),
      await fx.trainer(world.institution),
    ];
    // Roles out of id order, so the order (lead, assistant, tutor; then id) is tested.
    await database.db
      .insertInto('session_trainers')
      .values([
        { session_id: first.id, trainer_id: tutor!.id, role: 'tutor' },
        { session_id: first.id, trainer_id: assistant!.id, role: 'assistant' },
        { session_id: first.id, trainer_id: lead!.id, role: 'lead' },
        { session_id: second.id, trainer_id: assistant!.id, role: 'lead' },
      ])
      .execute();
    await database.db
      .updateTable('trainers')
      .set({ title: '高级讲师', teacher_id: world.teacher.id })
      .where('id', '=', lead!.id)
      .execute();

    const joined = await findSessionsWithTrainersByActivityIds(database.db, everybody, [
      activity.id,
    ]);
    const sessions = await findSessionsByActivityIds(database.db, everybody, [activity.id]);
    expect(joined.map((row) => row.session)).toEqual(sessions);
    const separately = await findTrainersBySessionIds(
      database.db,
      sessions.map((s) => s.id),
    );
    for (const { session, trainers } of joined) {
      expect(trainers).toEqual(
        separately
          .filter((t) => t.sessionId === session.id)
          .map(({ sessionId: _, ...trainer }) => trainer),
      );
    }
    expect(joined.map((row) => row.trainers.length)).toEqual([3, 1, 0]);
    expect(joined[0]!.trainers[0]).toMatchObject({
      id: lead!.id,
      title: '高级讲师',
      teacherId: world.teacher.id,
      organizationId: world.institution.id,
    });
    expect(joined.find((row) => row.session.id === bare.id)?.trainers).toEqual([]);
  });

  it('reads no session the caller may not see', async () => {
    expect(
      await findSessionsWithTrainersByActivityIds(database.db, nobody, [world.activity.id]),
    ).toEqual([]);
  });
});

describe('credit entries with their activities', () => {
  /**
   * One teacher's ledger: an award in an approved activity with rules and a capacity, an
   * adjustment tied to an activity in another district that the teacher's school may not see,
   * and an adjustment tied to none.
   */
  async function ledgerOfOneTeacher() {
    const teacher = await fx.teacher(world.school);
    const shown = await fx.activity(world.institution, {
      capacity: 40,
      eligibilityRules: { stages: ['primary'] },
    });
    const approver = await fx.account('platform_admin', null);
    await database.db
      .updateTable('activities')
      .set({
        status: 'credited',
        approved_at: new Date('2026-02-01T08:00:00Z'),
        approved_by: approver.id,
      })
      .where('id', '=', shown.id)
      .execute();
    const elsewhere = await fx.region(world.city);
    const hidden = await fx.activity(await fx.organization('training_institution', elsewhere));
    const enrollment = await fx.enrollment(shown, teacher);
    const entry = (values: Record<string, unknown>) =>
      database.db
        .insertInto('credit_ledger')
        .values({ teacher_id: teacher.id, category: 'professional', ...values } as never)
        .execute();
    await entry({
      kind: 'award',
      activity_id: shown.id,
      enrollment_id: enrollment.id,
      hours: 6,
      earned_on: '2026-03-02',
    });
    await entry({
      kind: 'adjustment',
      activity_id: hidden.id,
      hours: 2,
      earned_on: '2026-03-05',
      reason: '补录',
    });
    await entry({ kind: 'adjustment', hours: 1.5, earned_on: '2026-03-09', reason: '校本研修' });
    return { teacher, shown, hidden };
  }

  it('reads the ledger as the ledger read does, each activity as the activity loader reads it', async () => {
    const { teacher, shown, hidden } = await ledgerOfOneTeacher();
    const joined = await findCreditEntriesWithActivitiesByTeacherIds(database.db, everybody, [
      teacher.id,
    ]);
    expect(joined.map((row) => row.entry)).toEqual(
      await findCreditEntriesByTeacherIds(database.db, everybody, [teacher.id]),
    );
    const read = await findActivitiesWithProvidersByIds(database.db, everybody, [
      shown.id,
      hidden.id,
    ]);
    for (const { entry, activity, provider } of joined) {
      const alone = read.find((row) => row.activity.id === entry.activityId);
      expect(activity).toEqual(alone?.activity ?? null);
      expect(provider).toEqual(alone?.provider ?? null);
    }
    // Every column is carried over: the approved activity's rules, capacity and approval too.
    const award = joined.find((row) => row.entry.kind === 'award')!;
    expect(award.activity).toMatchObject({
      capacity: 40,
      status: 'credited',
      version: expect.any(Number),
    });
    expect(award.activity?.eligibilityRules).toEqual(
      read.find((r) => r.activity.id === shown.id)?.activity.eligibilityRules,
    );
    expect(joined.map((row) => row.activity?.id ?? null)).toEqual([shown.id, hidden.id, null]);
  });

  it('brings no activity the caller may not see, and still every entry the caller may', async () => {
    const { teacher, shown, hidden } = await ledgerOfOneTeacher();
    const school = ownSchool(world.school.id);
    expect(await findActivitiesWithProvidersByIds(database.db, school, [hidden.id])).toEqual([]);
    const joined = await findCreditEntriesWithActivitiesByTeacherIds(database.db, school, [
      teacher.id,
    ]);
    expect(joined.map((row) => [row.entry.activityId, row.activity?.id ?? null])).toEqual([
      [shown.id, shown.id],
      [hidden.id, null],
      [null, null],
    ]);
    expect(joined.every((row) => (row.provider === null) === (row.activity === null))).toBe(true);
  });

  it('reads one teacher, a few and none through the same mapping, and no ledger it may not', async () => {
    const a = await ledgerOfOneTeacher();
    const b = await ledgerOfOneTeacher();
    const both = await findCreditEntriesWithActivitiesByTeacherIds(database.db, everybody, [
      a.teacher.id,
      b.teacher.id,
    ]);
    expect(both.map((row) => row.entry)).toEqual(
      await findCreditEntriesByTeacherIds(database.db, everybody, [a.teacher.id, b.teacher.id]),
    );
    expect(await findCreditEntriesWithActivitiesByTeacherIds(database.db, everybody, [])).toEqual(
      [],
    );
    expect(
      await findCreditEntriesWithActivitiesByTeacherIds(database.db, ownSchool(ruralSchool.id), [
        a.teacher.id,
      ]),
    ).toEqual([]);
  });
});
