import { seedDemoData, demoPassword } from '@registry/db/seed';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../testkit/browser';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { startTestServer } from '../testkit/server';
import { seriousViolations, signIn } from './people-axe';

/**
 * The trainer's day in Chromium against the real gateway over seeded PostgreSQL: today's
 * sessions, the rotating check-in code with its QR code, and a roster marked from the keyboard,
 * saved with recordAttendance and still there after a reload.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
let asTrainer: Awaited<ReturnType<typeof server.as>>;
// The demo city is in China: "today" is the day there.
const pageOptions = { locale: 'en-US', timezoneId: 'Asia/Shanghai' };

interface TaughtSession {
  id: string;
  title: string;
  startsAt: string;
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { teachers: 150 });
  server = await startTestServer(database);
  browser = await launchBrowser();
  asTrainer = await server.as({ username: 'trainer', password: demoPassword });
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.close();
});

/** The demo trainer's sessions of running activities that fall on today's date in China. */
async function todaysSessions(): Promise<Array<TaughtSession & { activityId: string }>> {
  const answer = await asTrainer<{
    activities: { edges: Array<{ node: { id: string; sessions: TaughtSession[] } }> };
  }>(`{ activities(first: 100, filter: { status: [OPEN, IN_PROGRESS] }) {
        edges { node { id sessions { id title startsAt } } } } }`);
  const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });
  return answer
    .data!.activities.edges.flatMap(({ node }) =>
      node.sessions.map((session) => ({ ...session, activityId: node.id })),
    )
    .filter(
      (s) =>
        new Date(s.startsAt).toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' }) === today,
    );
}

describe('trainer screens', () => {
  it('lists today’s sessions and puts the live check-in code and its QR code on screen', async () => {
    const today = await todaysSessions();
    expect(today.length).toBeGreaterThan(0);
    const page = await browser.newPage(pageOptions);
    await signIn(page, server.url, 'trainer', '/sessions/today');
    await page.getByRole('heading', { name: 'Today’s sessions' }).waitFor();
    const firstTable = page.locator('table.list').first();
    await firstTable.waitFor();
    expect(await firstTable.locator('tbody tr').count()).toBe(today.length);
    await screenshot(page, 'trainer-today');
    expect(await seriousViolations(page, 'trainer-today')).toEqual([]);

    const session = today[0]!;
    await page.getByRole('link', { name: `Check-in code for ${session.title}` }).click();
    const shown = page.locator('.big-code');
    await shown.waitFor();
    // The code rotates each minute: compare with what the API says right after reading it,
    // reading again if the minute turned in between.
    await expect
      .poll(async () => {
        const onScreen = await shown.textContent();
        const api = await asTrainer<{ node: { checkinCode: { code: string } } }>(
          `query ($id: ID!) { node(id: $id) { ... on Session { checkinCode { code } } } }`,
          { id: session.id },
        );
        return onScreen === api.data!.node.checkinCode.code;
      })
      .toBe(true);
    const qr = page.getByRole('img', { name: /QR code carrying check-in code/ });
    expect(
      await qr.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).toBeGreaterThan(0);
    await screenshot(page, 'trainer-checkin-code');
    expect(await seriousViolations(page, 'trainer-checkin-code')).toEqual([]);
    await page.close();
  });

  it('marks a roster from the keyboard, saves it, and a reload shows it', async () => {
    // A session of today whose roster has at least four participants and no confirmation yet.
    const candidates = await todaysSessions();
    const page = await browser.newPage(pageOptions);
    await signIn(page, server.url, 'trainer', '/sessions/today');
    await page.getByRole('heading', { name: 'Today’s sessions' }).waitFor();
    let session: (typeof candidates)[number] | undefined;
    for (const candidate of candidates) {
      await page.goto(`${server.url}/sessions/${encodeURIComponent(candidate.id)}/attendance`);
      await page.getByRole('grid').waitFor();
      const editable = await page.locator('table.grid tbody tr:not(.locked)').count();
      if (editable >= 4) {
        session = candidate;
        break;
      }
    }
    expect(session).toBeDefined();
    const rows = page.locator('table.grid tbody tr');
    const status = (i: number) => rows.nth(i).getByRole('gridcell').first();
    const minutes = (i: number) => rows.nth(i).locator('input.minutes');

    // P, L, A, E on the first four teachers: each key marks and moves down a row.
    await status(0).click();
    for (const key of ['p', 'l', 'a', 'e']) await page.keyboard.press(key);
    expect(
      await page.evaluate(() =>
        (
          globalThis as unknown as {
            document: {
              activeElement: { closest(s: string): { getAttribute(n: string): string } };
            };
          }
        ).document.activeElement
          .closest('tr')
          .getAttribute('data-enrollment'),
      ),
    ).toBe(await rows.nth(4).getAttribute('data-enrollment'));
    // Back up to the late teacher, across to minutes, and type how long they stayed.
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('95');
    expect(await minutes(1).inputValue()).toBe('95');
    expect(await status(0).getAttribute('data-status')).toBe('PRESENT');
    expect(await status(1).getAttribute('data-status')).toBe('LATE');
    expect(await status(2).getAttribute('data-status')).toBe('ABSENT');
    expect(await status(3).getAttribute('data-status')).toBe('EXCUSED');
    const fullLength = await minutes(0).inputValue();
    expect(Number(fullLength)).toBeGreaterThan(95);
    expect(await minutes(2).inputValue()).toBe('0');
    await screenshot(page, 'trainer-attendance-grid');
    expect(await seriousViolations(page, 'trainer-attendance-grid')).toEqual([]);

    await page.getByRole('button', { name: 'Save attendance' }).click();
    await page.getByText('Saved 4 records.').waitFor();

    const ids = await Promise.all(
      [0, 1, 2, 3].map((i) => rows.nth(i).getAttribute('data-enrollment')),
    );
    const saved = await asTrainer<{
      node: {
        attendance: {
          edges: Array<{
            node: { status: string; minutes: number; source: string; enrollment: { id: string } };
          }>;
        };
      };
    }>(
      `query ($id: ID!) { node(id: $id) { ... on Session { attendance(first: 100) {
         edges { node { status minutes source enrollment { id } } } } } } }`,
      { id: session!.id },
    );
    const byEnrollment = new Map(
      saved.data!.node.attendance.edges.map(({ node }) => [node.enrollment.id, node]),
    );
    expect(ids.map((id) => byEnrollment.get(id!)?.status)).toEqual([
      'PRESENT',
      'LATE',
      'ABSENT',
      'EXCUSED',
    ]);
    expect(byEnrollment.get(ids[1]!)?.minutes).toBe(95);
    expect(byEnrollment.get(ids[0]!)?.source).toBe('TRAINER');

    await page.reload();
    await page.getByRole('grid').waitFor();
    await expect.poll(() => status(1).getAttribute('data-status')).toBe('LATE');
    expect(await minutes(1).inputValue()).toBe('95');
    expect(await status(0).getAttribute('data-status')).toBe('PRESENT');
    expect(await status(3).getAttribute('data-status')).toBe('EXCUSED');

    // "Mark all present" marks the rest; saving writes the whole roster.
    await page.getByRole('button', { name: 'Mark all present' }).click();
    const editable = await page.locator('table.grid tbody tr:not(.locked)').count();
    await page.getByRole('button', { name: 'Save attendance' }).click();
    await page.getByText(`Saved ${editable} records.`).waitFor();

    // The network fails while saving: the marks stay on screen and a retry sends them.
    await page.route('**/graphql', (route) =>
      route.request().postData()?.includes('RecordAttendance') ? route.abort() : route.fallback(),
    );
    await status(2).click();
    await page.keyboard.press('l');
    await page.getByRole('button', { name: 'Save attendance' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'cannot be reached' });
    await alert.waitFor();
    expect(await status(2).getAttribute('data-status')).toBe('LATE');
    await screenshot(page, 'trainer-attendance-offline');
    await page.unroute('**/graphql');
    await alert.getByRole('button', { name: 'Try again' }).click();
    await page.getByText(`Saved ${editable} records.`).waitFor();
    await expect.poll(() => status(2).getAttribute('data-status')).toBe('LATE');
    await page.close();
  });
});
