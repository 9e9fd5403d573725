import { demoPassword, seedDemoData } from '@registry/db/seed';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { startTestServer } from '../testkit/server';

/**
 * What the eligibility engine tells a school administrator about real-looking teachers: the
 * demo city's induction course for new teachers, explained for the first three teachers of the
 * demo school, in English and Chinese. The printed lines are the sample quoted in issue notes;
 * the assertions pin what must hold whatever the generator draws.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
const g = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { now: new Date('2026-11-22T02:00:00Z') });
  server = await startTestServer(database);
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

const explain = /* GraphQL */ `
  query ($activityId: ID!, $teacherId: ID!) {
    eligibility(activityId: $activityId, teacherId: $teacherId) {
      eligible
      teacher {
        name
        yearsOfService
      }
      reasons {
        code
        message
      }
    }
  }
`;

interface Explained {
  eligibility: {
    eligible: boolean;
    teacher: { name: string; yearsOfService: number };
    reasons: Array<{ code: string; message: string }>;
  } | null;
}

describe('eligibility of three demo teachers for the induction course', () => {
  it('gives every refusal a reason in English and in Chinese', async () => {
    const activity = await database.db
      .selectFrom('activities')
      .select(['id', 'title'])
      .where('title', 'like', '%新入职教师岗前培训')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    const school = await database.db
      .selectFrom('user_accounts as a')
      .innerJoin('memberships as m', 'm.user_id', 'a.id')
      .select('m.organization_id')
      .where('a.username', '=', 'school')
      .executeTakeFirstOrThrow();
    const teachers = await database.db
      .selectFrom('teachers')
      .select('id')
      .where('school_id', '=', school.organization_id)
      .orderBy('years_of_service')
      .orderBy('id')
      .execute();
    // The two newest teachers and the most senior: both sides of the years-of-service rule.
    const sample = [teachers[0]!, teachers[1]!, teachers.at(-1)!];
    const schoolAdmin = await server.as({ username: 'school', password: demoPassword });

    const lines: string[] = [`${activity.title}:`];
    for (const teacher of sample) {
      const variables = {
        activityId: g('Activity', activity.id),
        teacherId: g('Teacher', teacher.id),
      };
      const en = await schoolAdmin<Explained>(explain, variables, { 'accept-language': 'en' });
      const zh = await schoolAdmin<Explained>(explain, variables, { 'accept-language': 'zh-CN' });
      const english = en.data!.eligibility!;
      const chinese = zh.data!.eligibility!;
      expect(english.eligible).toBe(chinese.eligible);
      expect(english.reasons.map((r) => r.code)).toEqual(chinese.reasons.map((r) => r.code));
      // Refused means at least one reason; every reason is a sentence in each language.
      expect(english.eligible).toBe(english.reasons.length === 0);
      for (const [index, reason] of english.reasons.entries()) {
        expect(reason.message).toMatch(/[a-z]{3}/);
        expect(chinese.reasons[index]!.message).toMatch(/[\u4e00-\u9fff]/);
      }
      lines.push(
        `  ${english.teacher.name} (${english.teacher.yearsOfService} years): ${
          english.eligible ? 'eligible' : 'not eligible'
        }`,
        ...english.reasons.map(
          (reason, index) =>
            `    ${reason.code}: ${reason.message} / ${chinese.reasons[index]!.message}`,
        ),
      );
    }
    console.log(lines.join('\n'));
  });
});
