import { seedDemoData, demoPassword } from '@registry/db/seed';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../testkit/browser';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { startTestServer } from '../testkit/server';
import { seriousViolations, signIn } from './people-axe';

/**
 * The school administrator's screens in Chromium against the real gateway over seeded
 * PostgreSQL: eligibility decisions with the engine's reasons, a rejection that needs a
 * reason, a substitute, the attendance confirmation, and the staff's credit status.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
let asSchool: Awaited<ReturnType<typeof server.as>>;
const pageOptions = { locale: 'en-US', timezoneId: 'Asia/Shanghai' };
const hours = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { teachers: 150 });
  server = await startTestServer(database);
  browser = await launchBrowser();
  asSchool = await server.as({ username: 'school', password: demoPassword });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.close();
});

async function enrollmentStatus(id: string): Promise<string> {
  const answer = await asSchool<{ node: { status: string } }>(
    `query ($id: ID!) { node(id: $id) { ... on Enrollment { status } } }`,
    { id },
  );
  return answer.data!.node.status;
}

describe('school screens', () => {
  it('confirms, rejects with a reason and substitutes participants, row by row', async () => {
    const page = await browser.newPage(pageOptions);
    await signIn(page, server.url, 'school', '/school/eligibility');
    await page.getByRole('heading', { name: 'Eligibility confirmation' }).waitFor();
    // An activity with at least two participants awaiting the school.
    const panel = page
      .locator('section.panel')
      .filter({ has: page.locator('tr[data-status="REGISTERED"] + tr[data-status="REGISTERED"]') })
      .first();
    await panel.waitFor();
    const activityId = (await panel.getAttribute('aria-labelledby'))!.replace(/^activity-/, '');
    // The engine's verdict is shown for every awaiting participant.
    await expect
      .poll(() =>
        panel.locator('tr[data-status="REGISTERED"] td:nth-of-type(2) [role="status"]').count(),
      )
      .toBe(0);
    const verdicts = await panel
      .locator('tr[data-status="REGISTERED"] td:nth-of-type(2)')
      .allTextContents();
    expect(verdicts.every((text) => text.length > 0)).toBe(true);
    await screenshot(page, 'school-eligibility');
    expect(await seriousViolations(page, 'school-eligibility')).toEqual([]);

    const pending = panel.locator('tr[data-status="REGISTERED"]');
    const first = pending.nth(0);
    const firstId = (await first.getAttribute('data-enrollment'))!;
    const secondId = (await pending.nth(1).getAttribute('data-enrollment'))!;
    const firstName = (
      await first.locator('th').evaluate((th) => th.firstChild!.textContent!)
    ).trim();
    const secondName = (
      await pending
        .nth(1)
        .locator('th')
        .evaluate((th) => th.firstChild!.textContent!)
    ).trim();

    await first.getByRole('button', { name: `Confirm eligibility of ${firstName}` }).click();
    const firstRow = page.locator(`tr[data-enrollment="${firstId}"]`);
    await expect.poll(() => firstRow.getAttribute('data-status')).toBe('ELIGIBILITY_CONFIRMED');
    // Focus stays on the row, now showing its new state.
    await expect
      .poll(() => page.evaluate('document.activeElement?.closest("tr")?.dataset.enrollment'))
      .toBe(firstId);
    expect(await enrollmentStatus(firstId)).toBe('ELIGIBILITY_CONFIRMED');

    // A rejection without a reason is refused at the reason field; nothing changes.
    const secondRow = page.locator(`tr[data-enrollment="${secondId}"]`);
    await secondRow.getByRole('button', { name: `Reject ${secondName}` }).click();
    await secondRow.getByRole('button', { name: 'Reject', exact: true }).click();
    const reasonIssue = secondRow.locator(`[id="decide-${secondId}-reason-issue"]`);
    await reasonIssue.waitFor();
    expect(
      await secondRow.getByLabel('Reason for rejecting').getAttribute('aria-describedby'),
    ).toBe(`decide-${secondId}-reason-issue`);
    expect(await enrollmentStatus(secondId)).toBe('REGISTERED');
    await secondRow.getByLabel('Reason for rejecting').fill('On maternity leave this term.');
    await secondRow.getByRole('button', { name: 'Reject', exact: true }).click();
    await expect.poll(() => secondRow.getAttribute('data-status')).toBe('ELIGIBILITY_REJECTED');
    await secondRow.getByText('On maternity leave this term.').waitFor();
    expect(await enrollmentStatus(secondId)).toBe('ELIGIBILITY_REJECTED');

    // Substitute: a colleague already on the roster is refused with the engine's reason at the
    // choice; an eligible colleague takes the seat.
    const select = secondRow.getByLabel(`Substitute ${secondName} with`);
    const firstTeacherId = await enrolledTeacherOf(firstId);
    await select.selectOption(firstTeacherId);
    await secondRow.getByRole('button', { name: 'Substitute' }).click();
    await secondRow.locator(`[id="substitute-${secondId}-teacher-issue"]`).waitFor();
    expect(await enrollmentStatus(secondId)).toBe('ELIGIBILITY_REJECTED');

    const substitute = await eligibleColleague(activityId);
    await select.selectOption(substitute.id);
    await secondRow.getByRole('button', { name: 'Substitute' }).click();
    await expect.poll(() => secondRow.getAttribute('data-status')).toBe('SUBSTITUTED');
    const newRow = panel.locator('tr', { hasText: substitute.name });
    await expect.poll(() => newRow.getAttribute('data-status')).toBe('ELIGIBILITY_CONFIRMED');
    expect(await enrollmentStatus(secondId)).toBe('SUBSTITUTED');
    await screenshot(page, 'school-eligibility-decided');
    await page.close();
  });

  it('confirms its teachers’ attendance for an activity', async () => {
    const page = await browser.newPage(pageOptions);
    await signIn(page, server.url, 'school', '/school/attendance');
    await page.getByRole('heading', { name: 'Attendance to confirm' }).waitFor();
    const panel = page.locator('section.panel[data-activity]').first();
    await panel.waitFor();
    const activityId = (await panel.getAttribute('data-activity'))!;
    await panel.getByRole('button', { name: 'Review attendance' }).click();
    await panel.locator('table.review tbody tr').first().waitFor();
    await screenshot(page, 'school-attendance');
    expect(await seriousViolations(page, 'school-attendance')).toEqual([]);

    await panel
      .getByLabel('Note for the record (optional)')
      .fill('Checked against the sign-in sheet.');
    await panel.getByRole('button', { name: 'Confirm our teachers’ attendance' }).click();
    // The activity leaves the queue and shows among the confirmed ones.
    await page.locator(`table.list tr[data-activity="${activityId}"]`).waitFor();
    expect(await page.locator(`section.panel[data-activity="${activityId}"]`).count()).toBe(0);
    const chain = await asSchool<{
      me: { memberships: Array<{ organization: { id: string } }> };
      node: {
        confirmations: Array<{
          level: string;
          note: string;
          supersededAt: string | null;
          organization: { id: string };
        }>;
      };
    }>(
      `query ($id: ID!) { me { memberships { organization { id } } }
         node(id: $id) { ... on Activity { confirmations { level note supersededAt organization { id } } } } }`,
      { id: activityId },
    );
    const school = chain.data!.me.memberships[0]!.organization.id;
    expect(
      chain.data!.node.confirmations.filter(
        (c) => c.level === 'SCHOOL' && c.organization.id === school && c.supersededAt === null,
      ),
    ).toEqual([expect.objectContaining({ note: 'Checked against the sign-in sheet.' })]);
    await page.close();
  });

  it('lists its teachers with their credit status against the requirement', async () => {
    const answer = await asSchool<{
      teachers: {
        totalCount: number;
        edges: Array<{
          node: { id: string; progress: { total: { counted: number; status: string } } | null };
        }>;
      };
    }>(
      `{ teachers(first: 100) { totalCount edges { node { id progress { total { counted status } } } } } }`,
    );
    const teachers = answer.data!.teachers;
    const page = await browser.newPage(pageOptions);
    await signIn(page, server.url, 'school', '/school/teachers');
    await page.getByRole('heading', { name: 'Our teachers’ credit hours' }).waitFor();
    await page.locator('table.list tbody tr').first().waitFor();
    expect(await page.locator('table.list tbody tr').count()).toBe(teachers.totalCount);
    for (const { node } of teachers.edges.slice(0, 5)) {
      const row = page.locator(`tr[data-teacher="${node.id}"]`);
      expect(await row.locator('td.number').first().textContent()).toBe(
        hours.format(node.progress!.total.counted),
      );
    }
    await screenshot(page, 'school-teachers');
    expect(await seriousViolations(page, 'school-teachers')).toEqual([]);

    await page.getByLabel('Only teachers behind').check();
    const behind = teachers.edges.filter(
      ({ node }) => node.progress?.total.status === 'BEHIND',
    ).length;
    await expect.poll(() => page.locator('table.list tbody tr').count()).toBe(behind);
    await page.close();
  });
});

async function enrolledTeacherOf(enrollmentId: string): Promise<string> {
  const answer = await asSchool<{ node: { teacher: { id: string } } }>(
    `query ($id: ID!) { node(id: $id) { ... on Enrollment { teacher { id } } } }`,
    { id: enrollmentId },
  );
  return answer.data!.node.teacher.id;
}

/** A teacher of the school whom the eligibility engine lets into the activity. */
async function eligibleColleague(activityId: string): Promise<{ id: string; name: string }> {
  const staff = await asSchool<{
    teachers: { edges: Array<{ node: { id: string; name: string } }> };
  }>(`{ teachers(first: 100) { edges { node { id name } } } }`);
  for (const { node } of staff.data!.teachers.edges) {
    const verdict = await asSchool<{ eligibility: { eligible: boolean } | null }>(
      `query ($a: ID!, $t: ID!) { eligibility(activityId: $a, teacherId: $t) { eligible } }`,
      { a: activityId, t: node.id },
    );
    if (verdict.data!.eligibility?.eligible) return node;
  }
  throw new Error('no teacher of the demo school may join the activity');
}
