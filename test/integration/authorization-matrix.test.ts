import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Role } from '@registry/domain';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';
import {
  g,
  roles,
  succeeded,
  type Caller,
  type MatrixArea,
  type MatrixEnv,
  type Operation,
  type Target,
  type TargetIds,
} from './matrix/matrix-kit';

// Every area's rows live in matrix/<area>.rows.ts; all of them are loaded here.
const areaDirectory = join(dirname(fileURLToPath(import.meta.url)), 'matrix');
const areas = await Promise.all(
  readdirSync(areaDirectory)
    .filter((file) => file.endsWith('.rows.ts'))
    .sort()
    .map(async (file) => ((await import(join(areaDirectory, file))) as { area: MatrixArea }).area),
);

/**
 * Every operation × every role × own versus other organization → allow or deny.
 * Two districts, A and B, each with an office, an institution, a school, a teacher and a
 * trainer. Callers act for district A; "own" targets belong to what their role reaches in A,
 * "other" targets belong to B. A failing cell names operation, role and target.
 */

// prettier-ignore
const coreRows: MatrixArea['rows'] = {
  //                 platform_admin       office_officer       institution_admin    trainer              school_admin         teacher
  'query activities':    { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'query node(Activity)':{ platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'query node(Session)': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'query teachers':      { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'query node(Teacher)': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'query node(Enrollment)': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'query Session.attendance': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'query Teacher.creditEntries': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'query organizations': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'allow'], institution_admin: ['allow', 'allow'], trainer: ['allow', 'allow'], school_admin: ['allow', 'allow'], teacher: ['allow', 'allow'] },
  'query regions':       { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'allow'], institution_admin: ['allow', 'allow'], trainer: ['allow', 'allow'], school_admin: ['allow', 'allow'], teacher: ['allow', 'allow'] },
  'query creditCategories': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'allow'], institution_admin: ['allow', 'allow'], trainer: ['allow', 'allow'], school_admin: ['allow', 'allow'], teacher: ['allow', 'allow'] },
  'query requirementPolicies': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'allow'], institution_admin: ['allow', 'allow'], trainer: ['allow', 'allow'], school_admin: ['allow', 'allow'], teacher: ['allow', 'allow'] },
  'query creditReport':  { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'query Activity.confirmations': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'query me':            { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'allow'], institution_admin: ['allow', 'allow'], trainer: ['allow', 'allow'], school_admin: ['allow', 'allow'], teacher: ['allow', 'allow'] },
  'mutation createActivity': { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'mutation updateActivity': { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'mutation addSession':     { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'mutation removeSession':  { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'query Teacher.progress': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['allow', 'deny'] },
  'query CreditReport.activityFigures': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'query CreditReport.teachersBehind': { platform_admin: ['allow', 'allow'], office_officer: ['allow', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'mutation rateActivity':   { platform_admin: ['deny', 'deny'], office_officer: ['deny', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['deny', 'deny'], teacher: ['allow', 'deny'] },
  'mutation transitionActivity': { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['deny', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
};

let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
const callers = {} as Record<Role, Caller>;
/** Per role, the database ids its own and the other targets use. */
const targets = {} as Record<Role, Record<Target, TargetIds>>;

let fx: Fixtures;

async function district(fx: Fixtures, city: { id: number; path: string }) {
  const region = await fx.region(city);
  const office = await fx.organization('education_office', region);
  const institution = await fx.organization('training_institution', region);
  const school = await fx.organization('school', region);
  const teacher = await fx.teacher(school);
  const trainer = await fx.trainer(institution);
  const draft = await fx.activity(institution);
  const open = await fx.activity(institution);
  await sql`update activities set status = 'open' where id = ${open.id}`.execute(fx.db);
  const openSession = await fx.session(open, { sequence: 1 });
  const draftSession = await fx.session(draft, { sequence: 1 });
  await fx.db
    .insertInto('session_trainers')
    .values({ session_id: openSession.id, trainer_id: trainer.id })
    .execute();
  const enrollment = await fx.enrollment(open, teacher);
  await fx.db
    .insertInto('attendance')
    .values({
      activity_id: open.id,
      session_id: openSession.id,
      enrollment_id: enrollment.id,
      status: 'present',
      minutes: 120,
      source: 'trainer',
    })
    .execute();
  const category = await fx.category();
  await fx.db
    .insertInto('credit_ledger')
    .values({
      teacher_id: teacher.id,
      kind: 'award',
      activity_id: open.id,
      enrollment_id: enrollment.id,
      category: category.code,
      hours: 12,
      earned_on: '2026-06-30',
    })
    .execute();
  await fx.db
    .insertInto('requirement_policies')
    .values({
      region_id: region.id,
      name: `继续教育学分管理办法 ${region.id}`,
      cycle_starts_on: '2026-01-01',
      cycle_ends_on: '2030-12-31',
      total_hours: 360,
    })
    .execute();
  await fx.db
    .insertInto('confirmations')
    .values({ activity_id: open.id, level: 'school', organization_id: school.id })
    .execute();
  const schoolDraft = await fx.activity(school, { deliveryMode: 'school_based' });
  const schoolSession = await fx.session(schoolDraft, { sequence: 1 });
  return {
    region,
    office,
    institution,
    school,
    teacher,
    trainer,
    draft,
    open,
    openSession,
    draftSession,
    enrollment,
    schoolDraft,
    schoolSession,
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  fx = new Fixtures(database.db);
  const province = await fx.region();
  const city = await fx.region(province);
  const a = await district(fx, city);
  const b = await district(fx, city);
  server = await startTestServer(database);
  const accounts: Record<Role, Parameters<typeof server.as>[0]> = {
    platform_admin: await fx.account('platform_admin', null),
    office_officer: await fx.account('office_officer', a.office),
    institution_admin: await fx.account('institution_admin', a.institution),
    trainer: await fx.account('trainer', a.institution, { trainerId: a.trainer.id }),
    school_admin: await fx.account('school_admin', a.school),
    teacher: await fx.account('teacher', a.school, { teacherId: a.teacher.id }),
  };
  for (const role of roles) callers[role] = (await server.as(accounts[role])) as Caller;
  const readOwn = (d: typeof a, which: 'draft' | 'open') => ({
    activity: d[which].id,
    session: which === 'draft' ? d.draftSession.id : d.openSession.id,
  });
  for (const role of roles) {
    const ownRead = ['trainer', 'school_admin', 'teacher'].includes(role)
      ? readOwn(a, 'open')
      : readOwn(a, 'draft');
    const ownWrite =
      role === 'school_admin'
        ? { provider: a.school.id, draft: a.schoolDraft.id }
        : { provider: a.institution.id, draft: a.draft.id };
    const people = (d: typeof a) => ({
      region: d.region.id,
      city: city.id,
      confirmedActivity: d.open.id,
      teacher: d.teacher.id,
      enrollment: d.enrollment.id,
      attendedSession: d.openSession.id,
      office: d.office.id,
      institution: d.institution.id,
      school: d.school.id,
      trainer: d.trainer.id,
    });
    targets[role] = {
      own: { ...ownRead, ...ownWrite, ...people(a) },
      other: {
        activity: b.draft.id,
        session: b.draftSession.id,
        provider: b.institution.id,
        draft: b.draft.id,
        ...people(b),
      },
    };
  }
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

let codes = 0;

/** Runs one operation for one caller against one target and says whether it was allowed. */
const coreOperations: Record<string, Operation> = {
  'query organizations': async (caller, t) => {
    const { data } = await caller<{ organizations: { edges: Array<{ node: { id: string } }> } }>(
      `query($region: ID!) { organizations(first: 100, filter: { regionId: $region }) { edges { node { id } } } }`,
      { region: g('Region', t.region) },
    );
    return data?.organizations.edges.some((e) => e.node.id === g('Organization', t.provider))
      ? 'allow'
      : 'deny';
  },
  'query regions': async (caller, t) => {
    const { data } = await caller<{ regions: Array<{ id: string }> }>(
      `query($parent: ID!) { regions(parentId: $parent) { id } }`,
      { parent: g('Region', t.city) },
    );
    return data?.regions.some((r) => r.id === g('Region', t.region)) ? 'allow' : 'deny';
  },
  'query creditCategories': async (caller) => {
    const { data } = await caller<{ creditCategories: unknown[] }>(
      `{ creditCategories { code nameZh } }`,
    );
    return (data?.creditCategories.length ?? 0) > 0 ? 'allow' : 'deny';
  },
  'query requirementPolicies': async (caller, t) => {
    const { data } = await caller<{ requirementPolicies: unknown[] }>(
      `query($region: ID!) { requirementPolicies(regionId: $region) { name totalHours } }`,
      { region: g('Region', t.region) },
    );
    return (data?.requirementPolicies.length ?? 0) > 0 ? 'allow' : 'deny';
  },
  'query creditReport': async (caller, t) => {
    const { data } = await caller<{
      creditReport: { hoursByCategory: Array<{ hours: number }> } | null;
    }>(
      `query($region: ID!) { creditReport(from: "2026-01-01", to: "2026-12-31", regionId: $region) { hoursByCategory { hours } } }`,
      { region: g('Region', t.region) },
    );
    return (data?.creditReport?.hoursByCategory.some((c) => c.hours > 0) ?? false)
      ? 'allow'
      : 'deny';
  },
  'query Activity.confirmations': async (caller, t) => {
    const { data } = await caller<{ node: { confirmations: unknown[] } | null }>(
      `query($id: ID!) { node(id: $id) { ... on Activity { confirmations { level revision } } } }`,
      { id: g('Activity', t.confirmedActivity) },
    );
    return (data?.node?.confirmations.length ?? 0) > 0 ? 'allow' : 'deny';
  },
  'query teachers': async (caller, t) => {
    const { data } = await caller<{ teachers: { edges: Array<{ node: { id: string } }> } }>(
      `{ teachers(first: 100) { edges { node { id } } } }`,
    );
    return data?.teachers.edges.some((e) => e.node.id === g('Teacher', t.teacher))
      ? 'allow'
      : 'deny';
  },
  'query node(Teacher)': async (caller, t) => {
    const { data } = await caller<{ node: { id: string } | null }>(
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: g('Teacher', t.teacher) },
    );
    return data?.node ? 'allow' : 'deny';
  },
  'query node(Enrollment)': async (caller, t) => {
    const { data } = await caller<{ node: { id: string } | null }>(
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: g('Enrollment', t.enrollment) },
    );
    return data?.node ? 'allow' : 'deny';
  },
  // Through the activity as platform admin would reach it: rows hide even when the parent shows.
  'query Session.attendance': async (caller, t) => {
    const { data } = await caller<{
      activities: {
        edges: Array<{
          node: { sessions: Array<{ id: string; attendance: { totalCount: number } }> };
        }>;
      };
      node: { attendance: { edges: unknown[] } } | null;
    }>(
      `query($id: ID!) { node(id: $id) { ... on Session { attendance(first: 10) { edges { node { minutes } } } } } }`,
      { id: g('Session', t.attendedSession) },
    );
    return (data?.node?.attendance.edges.length ?? 0) > 0 ? 'allow' : 'deny';
  },
  'query Teacher.creditEntries': async (caller, t) => {
    const { data } = await caller<{ node: { creditEntries: { totalCount: number } } | null }>(
      `query($id: ID!) { node(id: $id) { ... on Teacher { creditEntries { totalCount } } } }`,
      { id: g('Teacher', t.teacher) },
    );
    return (data?.node?.creditEntries.totalCount ?? 0) > 0 ? 'allow' : 'deny';
  },
  'query activities': async (caller, t) => {
    const { data } = await caller<{ activities: { edges: Array<{ node: { id: string } }> } }>(
      `{ activities(first: 100) { edges { node { id } } } }`,
    );
    return data?.activities.edges.some((e) => e.node.id === g('Activity', t.activity))
      ? 'allow'
      : 'deny';
  },
  'query node(Activity)': async (caller, t) => {
    const { data } = await caller<{ node: { id: string } | null }>(
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: g('Activity', t.activity) },
    );
    return data?.node ? 'allow' : 'deny';
  },
  'query node(Session)': async (caller, t) => {
    const { data } = await caller<{ node: { id: string } | null }>(
      `query($id: ID!) { node(id: $id) { id } }`,
      { id: g('Session', t.session) },
    );
    return data?.node ? 'allow' : 'deny';
  },
  'query me': async (caller) => {
    const { data } = await caller<{ me: { username: string } | null }>(`{ me { username } }`);
    return data?.me ? 'allow' : 'deny';
  },
  'mutation createActivity': async (caller, t) => {
    codes += 1;
    const { data } = await caller<{ createActivity: { __typename: string } | null }>(
      `mutation($input: CreateActivityInput!) { createActivity(input: $input) { __typename } }`,
      {
        input: {
          providerId: g('Organization', t.provider),
          code: `MX-${codes}`,
          title: '矩阵',
          category: 'professional',
          level: 'DISTRICT',
          deliveryMode: 'CENTRALIZED',
          creditHours: 3,
          startsOn: '2026-06-01',
          endsOn: '2026-06-01',
        },
      },
    );
    return succeeded(data?.createActivity) ? 'allow' : 'deny';
  },
  'mutation updateActivity': async (caller, t) => {
    const { version } = await database.db
      .selectFrom('activities')
      .select('version')
      .where('id', '=', t.draft)
      .executeTakeFirstOrThrow();
    const { data } = await caller<{ updateActivity: { __typename: string } | null }>(
      `mutation($input: UpdateActivityInput!) { updateActivity(input: $input) { __typename } }`,
      { input: { id: g('Activity', t.draft), version, description: 'changed' } },
    );
    return succeeded(data?.updateActivity) ? 'allow' : 'deny';
  },
  'mutation addSession': async (caller, t) => {
    const { data } = await caller<{ addSession: { __typename: string } | null }>(
      `mutation($input: AddSessionInput!) { addSession(input: $input) { __typename } }`,
      {
        input: {
          activityId: g('Activity', t.draft),
          title: '加场',
          mode: 'IN_PERSON',
          startsAt: '2026-06-01T01:00:00Z',
          endsAt: '2026-06-01T02:00:00Z',
          hours: 1,
          location: '报告厅',
        },
      },
    );
    return succeeded(data?.addSession) ? 'allow' : 'deny';
  },
  'mutation removeSession': async (caller, t) => {
    // A fresh session each time, so an allowed removal never starves the next cell.
    const session = await fx.session({ id: t.draft }, { sequence: 100 + (codes += 1) });
    const { data } = await caller<{ removeSession: { __typename: string } | null }>(
      `mutation($id: ID!) { removeSession(id: $id) { __typename } }`,
      { id: g('Session', session.id) },
    );
    return succeeded(data?.removeSession) ? 'allow' : 'deny';
  },
  'query Teacher.progress': async (caller, t) => {
    const { data } = await caller<{
      node: { progress: { total: { earned: number } } | null } | null;
    }>(
      `query($id: ID!) { node(id: $id) { ... on Teacher { progress(asOf: "2026-07-01") { total { earned } } } } }`,
      { id: g('Teacher', t.teacher) },
    );
    return (data?.node?.progress?.total.earned ?? 0) > 0 ? 'allow' : 'deny';
  },
  'query CreditReport.activityFigures': async (caller, t) => {
    const { data } = await caller<{
      creditReport: { activityFigures: Array<{ participants: number }> } | null;
    }>(
      `query($region: ID!) { creditReport(from: "2026-01-01", to: "2026-12-31", regionId: $region) { activityFigures(by: REGION) { participants } } }`,
      { region: g('Region', t.region) },
    );
    return (data?.creditReport?.activityFigures.some((r) => r.participants > 0) ?? false)
      ? 'allow'
      : 'deny';
  },
  'query CreditReport.teachersBehind': async (caller, t) => {
    const { data } = await caller<{
      creditReport: {
        teachersBehind: { edges: Array<{ node: { teacher: { id: string } | null } }> } | null;
      } | null;
    }>(
      `query($region: ID!) { creditReport(from: "2026-01-01", to: "2026-12-31", regionId: $region) { teachersBehind(asOf: "2026-12-31") { edges { node { teacher { id } } } } } }`,
      { region: g('Region', t.region) },
    );
    return data?.creditReport?.teachersBehind?.edges.some(
      (e) => e.node.teacher?.id === g('Teacher', t.teacher),
    )
      ? 'allow'
      : 'deny';
  },
  'mutation rateActivity': async (caller, t) => {
    // A fresh closed activity each time: an allowed rating never makes the next cell conflict.
    const provider = await fx.db
      .selectFrom('organizations')
      .select(['id', 'region_id'])
      .where('id', '=', t.provider)
      .executeTakeFirstOrThrow();
    const activity = await fx.activity({ id: provider.id, regionId: provider.region_id });
    await sql`update activities set status = 'closed' where id = ${activity.id}`.execute(fx.db);
    const teacher = await fx.db
      .selectFrom('teachers')
      .select(['id', 'school_id'])
      .where('id', '=', t.teacher)
      .executeTakeFirstOrThrow();
    const enrollment = await fx.enrollment(activity, teacher);
    const { data } = await caller<{ rateActivity: { __typename: string } | null }>(
      `mutation($input: RateActivityInput!) { rateActivity(input: $input) { __typename } }`,
      { input: { enrollmentId: g('Enrollment', enrollment.id), rating: 4 } },
    );
    return succeeded(data?.rateActivity) ? 'allow' : 'deny';
  },
  'mutation transitionActivity': async (caller, t) => {
    // Submitting the draft (it has a session); put back to draft so every cell starts alike.
    const { data } = await caller<{ transitionActivity: { __typename: string } | null }>(
      `mutation($input: TransitionActivityInput!) { transitionActivity(input: $input) { __typename } }`,
      { input: { activityId: g('Activity', t.draft), action: 'SUBMIT' } },
    );
    await sql`update activities set status = 'draft' where id = ${t.draft}`.execute(fx.db);
    return succeeded(data?.transitionActivity) ? 'allow' : 'deny';
  },
};

const matrix: MatrixArea['rows'] = Object.assign({}, coreRows, ...areas.map((a) => a.rows));
const operations: Record<string, Operation> = Object.assign(
  {},
  coreOperations,
  ...areas.map((a) => a.operations),
);
const env: MatrixEnv = {
  get db() {
    return database.db;
  },
  get fx() {
    return fx;
  },
  nextCode: () => (codes += 1),
};

const cells = Object.entries(matrix).flatMap(([operation, byRole]) =>
  roles.flatMap((role) =>
    (['own', 'other'] as const).map((target, i) => ({
      operation,
      role,
      target,
      expected: byRole[role][i]!,
    })),
  ),
);

describe('authorization matrix', () => {
  it('covers every operation the schema has', async () => {
    const { data } = await callers.platform_admin<{
      __schema: {
        queryType: { fields: Array<{ name: string }> };
        mutationType: { fields: Array<{ name: string }> };
      };
    }>(`{ __schema { queryType { fields { name } } mutationType { fields { name } } } }`);
    const covered = new Set(
      Object.keys(matrix).map((k) => k.replace(/^(query|mutation) /, '').replace(/\(.*\)$/, '')),
    );
    // Nested rows (Type.field) are extra: they prove visibility reaches below the root fields.
    // Public or sign-in plumbing, covered by auth.test.ts.
    const exempt = new Set(['login', 'logout']);
    const missing = [...data!.__schema.queryType.fields, ...data!.__schema.mutationType.fields]
      .map((f) => f.name)
      .filter((name) => !covered.has(name) && !exempt.has(name));
    expect(missing, 'operations without rows in the matrix').toEqual([]);
  });

  it.each(cells)(
    '$operation × $role × $target → $expected',
    async ({ operation, role, target, expected }) => {
      const outcome = await operations[operation]!(callers[role], targets[role][target], env);
      expect(outcome, `${operation} as ${role} on ${target} target`).toBe(expected);
    },
  );
});

it('reports its size', () => {
  console.info(
    `authorization matrix: ${Object.keys(matrix).length} operations × ${roles.length} roles × 2 targets = ${cells.length} cells`,
  );
});
