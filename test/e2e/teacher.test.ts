import { seedDemoData, demoPassword } from '@registry/db/seed';
import { sql } from 'kysely';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../testkit/browser';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { startTestServer } from '../testkit/server';
import { seriousViolations, signIn } from './people-axe';

/**
 * The teacher's screens in Chromium against the real gateway over seeded PostgreSQL: progress
 * numbers match the API's, check-in with the code the trainer's screen shows, a rating that
 * sticks, certificate PDFs, and the public verification form.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
type Caller = Awaited<ReturnType<typeof server.as>>;
let asTeacher: Caller;
let asTrainer: Caller;
const hours = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
// The demo city is in China; the screens show local days and times.
const pageOptions = { locale: 'en-US', timezoneId: 'Asia/Shanghai' };

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { teachers: 150 });
  server = await startTestServer(database);
  browser = await launchBrowser();
  asTeacher = await server.as({ username: 'teacher', password: demoPassword });
  asTrainer = await server.as({ username: 'trainer', password: demoPassword });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.close();
});

const localId = (globalId: string) =>
  Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);

describe('teacher screens', () => {
  it('shows progress whose numbers are the API’s, total and per category', async () => {
    const answer = await asTeacher<{
      teachers: {
        edges: Array<{
          node: {
            progress: {
              total: { counted: number; required: number; remaining: number };
              categories: Array<{ code: string; counted: number; required: number }>;
            };
          };
        }>;
      };
    }>(`{ teachers(first: 1) { edges { node { progress {
          total { counted required remaining } categories { code counted required } } } } } }`);
    const progress = answer.data!.teachers.edges[0]!.node.progress;
    expect(progress.total.counted).toBeGreaterThan(0);

    const page = await browser.newPage(pageOptions);
    await signIn(page, server.url, 'teacher', '/me/progress');
    await page.getByRole('heading', { name: 'My progress' }).waitFor();
    expect(await page.getByTestId('total-counted').textContent()).toBe(
      hours.format(progress.total.counted),
    );
    expect(await page.getByTestId('total-required').textContent()).toBe(
      hours.format(progress.total.required),
    );
    expect(await page.getByTestId('total-remaining').textContent()).toBe(
      hours.format(progress.total.remaining),
    );
    for (const line of progress.categories) {
      const text = await page
        .locator(`[data-category="${line.code}"] .progress-numbers`)
        .textContent();
      expect(text).toContain(hours.format(line.counted));
      if (line.required > 0) expect(text).toContain(hours.format(line.required));
    }
    // Plain SVG bars, one per line.
    expect(await page.locator('.progress-figure svg').count()).toBe(progress.categories.length + 1);
    await screenshot(page, 'teacher-progress');
    expect(await seriousViolations(page, 'teacher-progress')).toEqual([]);

    await page.getByRole('link', { name: 'Transcript' }).click();
    await page.getByRole('heading', { name: 'Transcript' }).waitFor();
    await page.locator('table.list tbody tr').first().waitFor();
    await screenshot(page, 'teacher-transcript');
    expect(await seriousViolations(page, 'teacher-transcript')).toEqual([]);

    // The same numbers in Simplified Chinese, formatted for that locale.
    await page.getByRole('link', { name: 'My progress' }).click();
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('heading', { name: '我的学时' }).waitFor();
    expect(await page.getByTestId('total-counted').textContent()).toBe(
      new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 }).format(progress.total.counted),
    );
    await screenshot(page, 'teacher-progress-zh');
    expect(await seriousViolations(page, 'teacher-progress-zh')).toEqual([]);
    await page.close();
  });

  it('checks in with the code on the trainer’s screen and rates a finished activity once', async () => {
    // A session of an activity the teacher takes part in and the demo trainer teaches, moved
    // to now so that check-in is open whatever the hour this test runs at.
    const taught = await asTrainer<{
      activities: {
        edges: Array<{ node: { id: string; sessions: Array<{ id: string; startsAt: string }> } }>;
      };
    }>(
      `{ activities(first: 50, filter: { status: [IN_PROGRESS] }) { edges { node { id sessions { id startsAt } } } } }`,
    );
    const mine = await asTeacher<{
      teachers: {
        edges: Array<{
          node: {
            enrollments: {
              edges: Array<{ node: { id: string; status: string; activity: { id: string } } }>;
            };
          };
        }>;
      };
    }>(
      `{ teachers(first: 1) { edges { node { enrollments(first: 100) { edges { node { id status activity { id } } } } } } } }`,
    );
    const enrolledIn = new Set(
      mine.data!.teachers.edges[0]!.node.enrollments.edges.map((e) => e.node.activity.id),
    );
    const activity = taught.data!.activities.edges.find(
      (e) => enrolledIn.has(e.node.id) && e.node.sessions.length > 0,
    )!.node;
    const session = activity.sessions.at(-1)!;
    await sql`update sessions set starts_at = now() - interval '5 minutes',
      ends_at = now() + interval '55 minutes' where id = ${localId(session.id)}`.execute(
      database.db,
    );

    const page = await browser.newPage(pageOptions);
    await signIn(page, server.url, 'teacher', '/me/activities');
    await page.getByRole('heading', { name: 'My activities' }).waitFor();
    const code = await asTrainer<{ node: { checkinCode: { code: string } } }>(
      `query ($id: ID!) { node(id: $id) { ... on Session { checkinCode { code } } } }`,
      { id: session.id },
    );
    // The form is named by its heading, which stays when the code field gives way to the result.
    const form = page.locator(`form[aria-labelledby="checkin-${session.id}-title"]`);
    // A wrong code is refused next to the field, and what was typed stays.
    await form.getByLabel('Code on the trainer’s screen').fill('ZZZZZZ');
    await form.getByRole('button', { name: 'Check in' }).click();
    await form.locator('.field-issue, .alert').first().waitFor();
    expect(await form.getByLabel('Code on the trainer’s screen').inputValue()).toBe('ZZZZZZ');
    await screenshot(page, 'teacher-checkin-refused');

    await form
      .getByLabel('Code on the trainer’s screen')
      .fill(code.data!.node.checkinCode.code.toLowerCase());
    await form.getByRole('button', { name: 'Check in' }).click();
    await form.getByText(/Checked in: (Present|Late)/).waitFor();
    const recorded = await asTrainer<{
      node: {
        attendance: {
          edges: Array<{ node: { source: string; teacher: { name: string } | null } }>;
        };
      };
    }>(
      `query ($id: ID!) { node(id: $id) { ... on Session { attendance(first: 100) { edges { node { source teacher { name } } } } } } }`,
      {
        id: session.id,
      },
    );
    expect(recorded.data!.node.attendance.edges.map((e) => e.node.source)).toContain('SIGN_IN');

    // Rate the first finished activity that has no rating yet.
    const enrollmentId = (await page
      .locator('li[data-enrollment]', { has: page.locator('.rate-form') })
      .first()
      .getAttribute('data-enrollment'))!;
    const item = page.locator(`li[data-enrollment="${enrollmentId}"]`);
    const rateForm = item.locator('.rate-form');
    await rateForm.getByLabel('4 of 5').check();
    await rateForm.getByLabel('Comment (optional)').fill('Practical and well paced.');
    await screenshot(page, 'teacher-activities');
    expect(await seriousViolations(page, 'teacher-activities')).toEqual([]);
    await rateForm.getByRole('button', { name: 'Send rating' }).click();
    await item.getByText(/You rated it 4 of 5/).waitFor();
    const rated = await asTeacher<{ node: { evaluation: { rating: number; comment: string } } }>(
      `query ($id: ID!) { node(id: $id) { ... on Enrollment { evaluation { rating comment } } } }`,
      { id: enrollmentId },
    );
    expect(rated.data!.node.evaluation).toEqual({
      rating: 4,
      comment: 'Practical and well paced.',
    });
    // Once: after a reload the form is gone and the rating is shown.
    await page.reload();
    await page
      .locator(`li[data-enrollment="${enrollmentId}"]`)
      .getByText(/You rated it 4 of 5/)
      .waitFor();
    expect(await page.locator(`li[data-enrollment="${enrollmentId}"] .rate-form`).count()).toBe(0);
    await page.close();
  });

  it('lists certificates with PDFs, and anyone verifies a code at /verify', async () => {
    const page = await browser.newPage(pageOptions);
    await signIn(page, server.url, 'teacher', '/me/certificates');
    await page.getByRole('heading', { name: 'My certificates' }).waitFor();
    const firstRow = page.locator('table.list tbody tr').first();
    await firstRow.waitFor();
    const verificationCode = (await firstRow.locator('td.code').textContent())!;
    const pdfHref = (await firstRow.getByRole('link', { name: /^PDF of/ }).getAttribute('href'))!;
    const pdf = await page.request.get(`${server.url}${pdfHref}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await screenshot(page, 'teacher-certificates');
    expect(await seriousViolations(page, 'teacher-certificates')).toEqual([]);
    await page.close();

    // Signed out: a fresh browser context has no session cookie.
    const context = await browser.newContext(pageOptions);
    const anonymous = await context.newPage();
    await anonymous.goto(`${server.url}/verify`);
    await anonymous.getByRole('heading', { name: 'Verify a certificate' }).waitFor();
    expect(await anonymous.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
    await anonymous.getByLabel('Verification code').fill('no');
    await anonymous.getByRole('button', { name: 'Verify' }).click();
    await anonymous.locator('#verification-code-issue').waitFor();
    await anonymous.getByLabel('Verification code').fill(verificationCode.toLowerCase());
    await anonymous.getByRole('button', { name: 'Verify' }).click();
    await anonymous.getByRole('heading', { name: 'Valid certificate' }).waitFor();
    const facts = await anonymous.locator('.facts').textContent();
    const official = await server.graphql<{
      verifyCertificate: { teacherName: string; creditHours: number };
    }>(`query ($code: String!) { verifyCertificate(code: $code) { teacherName creditHours } }`, {
      code: verificationCode,
    });
    expect(facts).toContain(official.data!.verifyCertificate.teacherName);
    expect(facts).toContain(hours.format(official.data!.verifyCertificate.creditHours));
    expect(new URL(anonymous.url()).searchParams.get('code')).toBe(verificationCode.toLowerCase());
    await screenshot(anonymous, 'public-verify');
    expect(await seriousViolations(anonymous, 'public-verify')).toEqual([]);
    await context.close();
  });
});
