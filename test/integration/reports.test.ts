import type { Role } from '@registry/domain';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * Issue 4 point 9: activity figures by region, provider, category, level and period, and the
 * teachers behind their requirement, through GraphQL and as CSV, each under the caller's
 * visibility. Two districts: A's institution runs X1 (credited, homework) and X2 (under way);
 * B's institution runs Y1 (credited). Teachers of A take part in Y1 and a teacher of B in X1.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
type Caller = Awaited<ReturnType<typeof server.as>>;
const callers = {} as Record<
  'admin' | 'officeA' | 'officeB' | 'schoolA' | 'schoolB' | 'institutionA' | 'teacher',
  Caller
>;
const tokens = {} as Record<'officeA' | 'teacher' | 'institutionA' | 'schoolB', string>;
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
const ids = {} as {
  districtA: number;
  districtB: number;
  institutionA: number;
  institutionB: number;
};

interface Figures {
  key: string;
  label: string;
  activities: number;
  participants: number;
  teachers: number;
  completed: number;
  decided: number;
  completionRate: number | null;
  hoursAwarded: number;
  homeworkDue: number;
  homeworkOnTime: number;
  homeworkOnTimeRate: number | null;
  ratings: number;
  averageRating: number | null;
}

const figuresQuery = `
  query($by: ReportDimension!, $regionId: ID) {
    creditReport(from: "2026-01-01", to: "2026-12-31", regionId: $regionId) {
      activityFigures(by: $by) {
        key label activities participants teachers completed decided completionRate hoursAwarded
        homeworkDue homeworkOnTime homeworkOnTimeRate ratings averageRating
      }
    }
  }
`;

async function figures(
  caller: Caller,
  by: string,
  extra: Record<string, unknown> = {},
  headers = {},
) {
  const { data, errors } = await caller<{ creditReport: { activityFigures: Figures[] } }>(
    figuresQuery,
    { by, ...extra },
    headers,
  );
  expect(errors).toBeUndefined();
  return data!.creditReport.activityFigures;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  const fx = new Fixtures(db);
  const province = await fx.region();
  const city = await fx.region(province);
  const districtA = await fx.region(city);
  const districtB = await fx.region(city);
  ids.districtA = districtA.id;
  ids.districtB = districtB.id;
  const officeA = await fx.organization('education_office', districtA);
  const officeB = await fx.organization('education_office', districtB);
  const institutionA = await fx.organization('training_institution', districtA);
  const institutionB = await fx.organization('training_institution', districtB);
  ids.institutionA = institutionA.id;
  ids.institutionB = institutionB.id;
  const schoolA = await fx.organization('school', districtA);
  const schoolB = await fx.organization('school', districtB);
  const zhang = await fx.teacher(schoolA, { name: '张三' });
  const wang = await fx.teacher(schoolA, { name: '王, "小" 明' });
  const li = await fx.teacher(schoolA, { name: '李四' });
  const zhao = await fx.teacher(schoolB, { name: '赵六' });
  await db
    .insertInto('credit_categories')
    .values({ code: 'ethics', name_en: 'Professional ethics', name_zh: '师德师风' })
    .execute();
  await fx.category('professional');
  await db
    .insertInto('requirement_policies')
    .values({
      region_id: city.id,
      name: '市继续教育学分办法',
      cycle_starts_on: '2026-01-01',
      cycle_ends_on: '2030-12-31',
      total_hours: 100,
    })
    .execute();

  const setStatus = (id: number, status: string) =>
    sql`update activities set status = ${status} where id = ${id}`.execute(db);
  const enroll = async (
    activity: { id: number },
    teacher: { id: number; school_id: number },
    status: string,
    rating?: number,
  ) => {
    const e = await fx.enrollment(activity, teacher);
    await db
      .updateTable('enrollments')
      .set({
        status,
        ...(status === 'eligibility_rejected' ? { rejection_reason: '名额已满' } : {}),
      })
      .where('id', '=', e.id)
      .execute();
    if (rating)
      await db.insertInto('evaluations').values({ enrollment_id: e.id, rating }).execute();
    return e;
  };
  const award = (
    activity: { id: number; category: string; endsOn: string },
    teacher: { id: number },
    enrollment: { id: number },
    hours: number,
  ) =>
    db
      .insertInto('credit_ledger')
      .values({
        teacher_id: teacher.id,
        kind: 'award',
        activity_id: activity.id,
        enrollment_id: enrollment.id,
        category: activity.category,
        hours,
        earned_on: activity.endsOn,
      })
      .execute();

  const x1 = await fx.activity(institutionA, {
    category: 'ethics',
    level: 'district',
    startsOn: '2026-03-09',
    endsOn: '2026-03-10',
  });
  await setStatus(x1.id, 'credited');
  const homework = await db
    .insertInto('assignments')
    .values([
      { activity_id: x1.id, title: '作业一', due_at: '2026-03-10T10:00:00Z' },
      { activity_id: x1.id, title: '作业二', due_at: '2026-03-10T12:00:00Z' },
    ])
    .returning('id')
    .execute();
  const submit = (enrollment: { id: number }, assignment: number, onTime: boolean) =>
    db
      .insertInto('submissions')
      .values({
        activity_id: x1.id,
        assignment_id: assignment,
        enrollment_id: enrollment.id,
        submitted_at: '2026-03-10T09:00:00Z',
        on_time: onTime,
      })
      .execute();
  const x1Zhang = await enroll(x1, zhang, 'completed', 5);
  const x1Wang = await enroll(x1, wang, 'not_completed', 3);
  const x1Zhao = await enroll(x1, zhao, 'completed');
  await enroll(x1, li, 'eligibility_rejected');
  await submit(x1Zhang, homework[0]!.id, true);
  await submit(x1Zhang, homework[1]!.id, true);
  await submit(x1Wang, homework[0]!.id, true);
  await submit(x1Zhao, homework[0]!.id, false);
  await award(x1, zhang, x1Zhang, 6);
  await award(x1, zhao, x1Zhao, 6);

  const x2 = await fx.activity(institutionA, {
    category: 'professional',
    level: 'municipal',
    startsOn: '2026-05-01',
    endsOn: '2026-05-20',
  });
  await setStatus(x2.id, 'in_progress');
  await enroll(x2, zhang, 'eligibility_confirmed');

  const y1 = await fx.activity(institutionB, {
    category: 'ethics',
    level: 'district',
    startsOn: '2026-04-01',
    endsOn: '2026-04-01',
  });
  await setStatus(y1.id, 'credited');
  await award(y1, zhao, await enroll(y1, zhao, 'completed', 4), 4);
  await award(y1, zhang, await enroll(y1, zhang, 'completed'), 4);

  // 李四 is well ahead of pace; 张三 (10 h), 王 (0 h) and 赵六 (10 h) are behind on 2026-12-31.
  await db
    .insertInto('credit_ledger')
    .values({
      teacher_id: li.id,
      kind: 'adjustment',
      category: 'professional',
      hours: 30,
      earned_on: '2026-06-01',
      reason: '学历提升折算',
    })
    .execute();

  server = await startTestServer(database);
  const accounts = {
    admin: await fx.account('platform_admin', null),
    officeA: await fx.account('office_officer', officeA),
    officeB: await fx.account('office_officer', officeB),
    schoolA: await fx.account('school_admin', schoolA),
    schoolB: await fx.account('school_admin', schoolB),
    institutionA: await fx.account('institution_admin', institutionA),
    teacher: await fx.account('teacher' as Role, schoolA, { teacherId: zhang.id }),
  };
  for (const [name, account] of Object.entries(accounts)) {
    callers[name as keyof typeof callers] = await server.as(account);
  }
  for (const name of ['officeA', 'teacher', 'institutionA', 'schoolB'] as const) {
    const login = await server.graphql<{ login: { data?: { token: string } } }>(
      `mutation($input: LoginInput!) { login(input: $input) { ... on MutationLoginSuccess { data { token } } } }`,
      {
        input: {
          username: accounts[name].username,
          password: accounts[name].password,
          issueToken: true,
        },
      },
    );
    tokens[name] = login.data!.login.data!.token;
  }
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

describe('activity figures', () => {
  it('sums an office’s region in one row per region', async () => {
    expect(await figures(callers.officeA, 'REGION')).toEqual([
      {
        key: String(ids.districtA),
        label: expect.any(String),
        activities: 2,
        // X1: 张三, 王 and 赵六 (李四 was rejected); X2: 张三.
        participants: 4,
        teachers: 3,
        completed: 2,
        decided: 3,
        completionRate: 0.6667,
        // Both awards of X1, 赵六's too: the office sees X1's roster, so it sees its awards.
        hoursAwarded: 12,
        homeworkDue: 6,
        homeworkOnTime: 3,
        homeworkOnTimeRate: 0.5,
        ratings: 2,
        averageRating: 4,
      },
    ]);
  });

  it('groups by category, level and month, with names in the caller’s language', async () => {
    const zh = { 'accept-language': 'zh-CN' };
    const byCategory = await figures(callers.officeA, 'CATEGORY', {}, zh);
    expect(byCategory.map((r) => [r.key, r.label, r.participants])).toEqual([
      ['ethics', '师德师风', 3],
      ['professional', 'professional', 1],
    ]);
    const byLevel = await figures(callers.officeA, 'LEVEL', {}, zh);
    expect(byLevel.map((r) => [r.key, r.label, r.completionRate])).toEqual([
      ['district', '区县级', 0.6667],
      ['municipal', '市级', null],
    ]);
    const byMonth = await figures(callers.officeA, 'MONTH');
    expect(byMonth.map((r) => [r.key, r.activities, r.homeworkOnTimeRate])).toEqual([
      ['2026-03', 1, 0.5],
      ['2026-05', 1, null],
    ]);
    const byYear = await figures(callers.officeA, 'YEAR');
    expect(byYear.map((r) => [r.key, r.activities, r.hoursAwarded])).toEqual([['2026', 2, 12]]);
  });

  it('shows a school only its own teachers, wherever they trained', async () => {
    const rows = await figures(callers.schoolA, 'PROVIDER');
    expect(rows.map((r) => [Number(r.key), r.activities, r.participants, r.hoursAwarded])).toEqual(
      [
        [ids.institutionA, 2, 3, 6],
        [ids.institutionB, 1, 1, 4],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it('shows an institution only its own activities', async () => {
    const rows = await figures(callers.institutionA, 'PROVIDER');
    expect(rows.map((r) => [Number(r.key), r.activities, r.participants, r.hoursAwarded])).toEqual([
      [ids.institutionA, 2, 4, 12],
    ]);
  });

  it('shows the other office only its region', async () => {
    const rows = await figures(callers.officeB, 'REGION');
    expect(rows).toMatchObject([
      {
        key: String(ids.districtB),
        activities: 1,
        participants: 2,
        hoursAwarded: 8,
        averageRating: 4,
      },
    ]);
  });

  it('narrows to the teachers of a region', async () => {
    const rows = await figures(callers.admin, 'REGION', { regionId: g('Region', ids.districtA) });
    expect(rows.map((r) => [Number(r.key), r.activities, r.participants, r.hoursAwarded])).toEqual(
      [
        [ids.districtA, 2, 3, 6],
        [ids.districtB, 1, 1, 4],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
  });

  it('refuses an unknown dimension as a validation error', async () => {
    const { errors } = await callers.officeA(figuresQuery, { by: 'TEACHER' });
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('costs the same statements whatever the number of groups', async () => {
    const count = async (by: string) => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.officeA}` },
        body: JSON.stringify({ query: figuresQuery, variables: { by } }),
      });
      return Number(response.headers.get('x-sql-statements'));
    };
    // A token's first request also looks its session up; later ones find it cached (decision 0017).
    await count('YEAR');
    expect(await count('CATEGORY')).toBe(await count('YEAR'));
  });
});

describe('teachers behind their requirement', () => {
  const query = `query($asOf: Date) { creditReport(from: "2026-01-01", to: "2026-12-31") {
    teachersBehind(asOf: $asOf, first: 10) { totalCount edges { node {
      teacher { name } policy { name } required counted expected remaining categoriesBehind } } } } }`;
  type Result = {
    creditReport: {
      teachersBehind: {
        totalCount: number;
        edges: Array<{
          node: {
            teacher: { name: string } | null;
            required: number;
            counted: number;
            expected: number;
            remaining: number;
          };
        }>;
      };
    };
  };

  it('lists an office’s teachers behind pace, by the domain’s rule', async () => {
    const { data, errors } = await callers.officeA<Result>(query, { asOf: '2026-12-31' });
    expect(errors).toBeUndefined();
    const behind = data!.creditReport.teachersBehind;
    expect(behind.edges.map((e) => e.node.teacher?.name)).toEqual(['张三', '王, "小" 明']);
    expect(behind.totalCount).toBe(2);
    // 364 of 1826 days passed: an even pace would have reached 19.93 of 100 hours.
    expect(behind.edges[0]!.node).toMatchObject({
      required: 100,
      counted: 10,
      expected: 19.93,
      remaining: 90,
    });
  });

  it('shows a school only its own staff', async () => {
    const { data } = await callers.schoolB<Result>(query, { asOf: '2026-12-31' });
    expect(data!.creditReport.teachersBehind.edges.map((e) => e.node.teacher?.name)).toEqual([
      '赵六',
    ]);
  });

  it('finds nobody behind on the first day of the cycle', async () => {
    const { data } = await callers.officeA<Result>(query, { asOf: '2026-01-01' });
    expect(data!.creditReport.teachersBehind.totalCount).toBe(0);
  });

  it('is refused to an institution', async () => {
    const { data, errors } = await callers.institutionA<Result>(query, { asOf: '2026-12-31' });
    expect(data?.creditReport?.teachersBehind ?? null).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('CSV exports', () => {
  const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, {
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    });

  it('exports activity figures as UTF-8 with a BOM and a Chinese header', async () => {
    const response = await get(
      '/reports/activities.csv?from=2026-01-01&to=2026-12-31&by=category',
      tokens.officeA,
      { 'accept-language': 'zh-CN' },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).toBe(
      '学分类别,活动数,参训人次,参训人数,完成人次,已认定人次,完成率（%）,登记学时,应交作业,按时提交作业,作业按时提交率（%）,评价数,平均满意度（1–5）',
    );
    expect(lines[1]).toBe('师德师风,1,3,3,2,3,66.7,12,6,3,50,2,4');
    expect(lines[2]).toBe('professional,1,1,1,0,0,,0,0,0,,0,');
    expect(lines[3]).toBe('');
  });

  it('exports the teachers behind, quoting names with commas and quotes', async () => {
    const response = await get('/reports/teachers-behind.csv?asOf=2026-12-31', tokens.officeA);
    expect(response.status).toBe(200);
    const text = (await response.text()).replace(/^\uFEFF/, '');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      'National teacher ID,Name,School,Requirement policy,Hours required,Hours counted,Hours expected by now,Hours remaining,Categories behind',
    );
    expect(lines[1]).toMatch(/^T00\d+,张三,机构\d+,市继续教育学分办法,100,10,19\.93,90,$/);
    expect(lines[2]).toMatch(/^T00\d+,"王, ""小"" 明",/);
    expect(lines).toHaveLength(4);
  });

  it.each([
    [
      'no session',
      undefined,
      '/reports/activities.csv?from=2026-01-01&to=2026-12-31',
      401,
      'UNAUTHENTICATED',
    ],
    [
      'a teacher',
      'teacher',
      '/reports/activities.csv?from=2026-01-01&to=2026-12-31',
      403,
      'FORBIDDEN',
    ],
    [
      'an institution asking for teachers',
      'institutionA',
      '/reports/teachers-behind.csv',
      403,
      'FORBIDDEN',
    ],
  ] as const)('answers %s with %i', async (_who, who, path, status, code) => {
    const response = await get(path, who ? tokens[who] : undefined);
    expect(response.status).toBe(status);
    expect(
      ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!
        .extensions.code,
    ).toBe(code);
  });

  it.each([
    ['an unknown dimension', '?from=2026-01-01&to=2026-12-31&by=teacher', 'by'],
    ['a missing date', '?to=2026-12-31', 'from'],
    ['an impossible date', '?from=2026-02-30&to=2026-12-31', 'from'],
    ['to before from', '?from=2026-12-31&to=2026-01-01', 'to'],
    ['more than three years', '?from=2020-01-01&to=2026-12-31', 'to'],
  ])('refuses %s with 400 naming the field', async (_what, search, field) => {
    const response = await get(`/reports/activities.csv${search}`, tokens.officeA);
    expect(response.status).toBe(400);
    const body = (await response.json()) as {
      errors: Array<{ extensions: { code: string; field: string } }>;
    };
    expect(body.errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
  });
});
