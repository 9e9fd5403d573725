import { seedDemoData, demoPassword } from '@registry/db/seed';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, launchBrowser, screenshot } from '../testkit/browser';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { startTestServer } from '../testkit/server';

/**
 * The education office's screens in the built app, over a seeded PostgreSQL database: approve
 * one submitted activity and reject another with a reason (in a keyboard-usable dialog),
 * confirm and credit a roster, and read the reports dashboard with its charts and CSV exports.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
const axeResults: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { teachers: 60 });
  server = await startTestServer(database);
  browser = await launchBrowser();
});
afterAll(async () => {
  console.log(`axe (office):\n${axeResults.join('\n')}`);
  await browser?.close();
  await server?.stop();
  await database?.close();
});

async function signIn(page: Page, username: string) {
  await page.goto(`${server.url}/activities`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(demoPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Training activities' }).waitFor();
}

/** Activities in the demo office's region, in a given status: the ones it may decide on. */
async function inOfficeRegion(status: string) {
  const { rows } = await sql<{ id: number; title: string }>`
    select a.id, a.title
    from activities a
    join regions ar on ar.id = a.region_id
    join user_accounts u on u.username = 'office'
    join memberships m on m.user_id = u.id and m.role = 'office_officer'
    join organizations o on o.id = m.organization_id
    join regions orr on orr.id = o.region_id
    where a.status = ${status} and ar.path like orr.path || '%'
    order by a.id
  `.execute(database.db);
  return rows;
}

async function activityRow(id: number) {
  const { rows } = await sql<{ status: string; rejection_reason: string | null }>`
    select status, rejection_reason from activities where id = ${id}
  `.execute(database.db);
  return rows[0];
}

describe('office screens', () => {
  it('approves one submitted activity and rejects another with a reason', async () => {
    const submitted = await inOfficeRegion('submitted');
    expect(submitted.length).toBeGreaterThanOrEqual(2);
    const [toApprove, toReject] = submitted as [(typeof submitted)[0], (typeof submitted)[0]];
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, 'office');
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('heading', { level: 1, name: 'Activities awaiting approval' }).waitFor();
    const approveCard = page.getByRole('article', { name: toApprove.title });
    await approveCard.waitFor();
    // The submitted details are on the card: provider, hours, rules.
    expect(await approveCard.textContent()).toMatch(/Credit hours/);
    await screenshot(page, 'office-approvals');
    axeResults.push(await expectAccessible(page, 'approval queue'));

    await approveCard.getByRole('button', { name: /^Approve/ }).click();
    await page.getByText(`“${toApprove.title}” approved.`).waitFor();
    await expect.poll(() => approveCard.count()).toBe(0);
    expect((await activityRow(toApprove.id))!.status).toBe('approved');

    // Rejecting opens a dialog: Escape closes it and gives focus back to the button.
    const rejectCard = page.getByRole('article', { name: toReject.title });
    const rejectButton = rejectCard.getByRole('button', { name: /^Reject/ });
    await rejectButton.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    const reason = dialog.getByLabel('Reason (the provider reads it)');
    await expect
      .poll(() => reason.evaluate((el) => el === el.ownerDocument.activeElement))
      .toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect
      .poll(() => rejectButton.evaluate((el) => el === el.ownerDocument.activeElement))
      .toBe(true);

    // The key goes to the button itself: on a loaded machine a late re-render of the queue can
    // land between the focus check above and a page-level key press (seen once in a full run).
    await rejectButton.press('Enter');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Reject the activity' }).click();
    await dialog.getByText('Give a reason so the provider knows what to change.').waitFor();
    expect((await activityRow(toReject.id))!.status).toBe('submitted');
    await reason.fill('学时与课次安排不符，请补充第二天的课程安排。');
    await screenshot(page, 'office-reject-dialog');
    axeResults.push(await expectAccessible(page, 'reject dialog'));
    await dialog.getByRole('button', { name: 'Reject the activity' }).click();
    await page.getByText(`“${toReject.title}” rejected.`).waitFor();
    expect(await activityRow(toReject.id)).toEqual({
      status: 'rejected',
      rejection_reason: '学时与课次安排不符，请补充第二天的课程安排。',
    });
    await page.close();
  });

  it('confirms a roster every school has confirmed, and credits it', async () => {
    const ready = await closedRosterConfirmedBySchools();
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, 'office');
    await page.getByRole('link', { name: 'Roster confirmations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Rosters awaiting the office' }).waitFor();
    const item = page.locator('.roster-queue > li').filter({ hasText: ready.title });
    await item.waitFor();
    expect(await item.textContent()).toMatch(/Schools confirmed: [1-9]/);
    await screenshot(page, 'office-rosters');
    axeResults.push(await expectAccessible(page, 'roster queue'));

    await item.getByRole('button', { name: /^Confirm and credit/ }).click();
    await page
      .getByText(new RegExp(`“${escapeRegExp(ready.title)}” credited: \\d+ awards`))
      .waitFor();
    expect((await activityRow(ready.id))!.status).toBe('credited');
    await screenshot(page, 'office-roster-credited');
    await page.close();
  });

  it('shows the reports dashboard with its charts, and a CSV export that answers text/csv', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, 'office');
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports' }).waitFor();
    const charts = page.locator('svg.chart[role="img"]');
    await expect.poll(() => charts.count()).toBe(3);
    expect(await page.locator('svg.chart rect.bar').count()).toBeGreaterThan(0);
    expect(await page.locator('svg.chart polyline').count()).toBe(2);
    await screenshot(page, 'office-reports');
    axeResults.push(await expectAccessible(page, 'reports dashboard'));

    const href = await page
      .getByRole('link', { name: 'Activities by region' })
      .getAttribute('href');
    expect(href).toMatch(/^\/reports\/activities\.csv\?/);
    // The page's own session cookie travels with the request, as it would for a click.
    const response = await page.request.get(`${server.url}${href}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toMatch(/^text\/csv/);
    expect((await response.text()).split(/\r?\n/).length).toBeGreaterThan(1);
    const behind = await page
      .getByRole('link', { name: 'Teachers behind their requirement' })
      .getAttribute('href');
    const behindResponse = await page.request.get(`${server.url}${behind}`);
    expect(behindResponse.status()).toBe(200);
    expect(behindResponse.headers()['content-type']).toMatch(/^text\/csv/);

    // The same dashboard in Simplified Chinese: every string comes from the zh-CN table.
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('heading', { level: 1, name: '统计报表' }).waitFor();
    await page.getByRole('heading', { name: '各类别学时' }).waitFor();
    await screenshot(page, 'office-reports-zh');
    axeResults.push(await expectAccessible(page, 'reports dashboard (zh-CN)'));
    await page.close();
  });
});

const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

/**
 * The demo data has no closed roster in the demo office's district, so one is made the way
 * people make it, through the API: a running activity of the district is closed, and each
 * school with participants confirms its teachers' attendance (the platform administrator may
 * confirm for any school).
 */
async function closedRosterConfirmedBySchools(): Promise<{ id: number; title: string }> {
  const running = await inOfficeRegion('in_progress');
  const { rows } = await sql<{ id: number; title: string }>`
    select a.id, a.title from activities a
    where a.id = any(${running.map((a) => a.id)}::int[])
      and exists (select 1 from enrollments e where e.activity_id = a.id
                  and e.status = 'eligibility_confirmed')
    order by a.id limit 1
  `.execute(database.db);
  const activity = rows[0];
  if (!activity) throw new Error('no running activity with participants in the office region');
  const admin = await server.as({ username: 'admin', password: demoPassword });
  const closed = await admin<{ transitionActivity: { __typename: string; message?: string } }>(
    `mutation ($input: TransitionActivityInput!) {
      transitionActivity(input: $input) { __typename ... on UserError { message } }
    }`,
    { input: { activityId: globalId('Activity', activity.id), action: 'CLOSE' } },
  );
  expect(closed.data?.transitionActivity).toEqual({
    __typename: 'MutationTransitionActivitySuccess',
  });
  const schools = await sql<{ school_id: number }>`
    select distinct school_id from enrollments
    where activity_id = ${activity.id} and status = 'eligibility_confirmed'
  `.execute(database.db);
  for (const { school_id } of schools.rows) {
    const confirmed = await admin<{ confirmSchoolAttendance: { __typename: string } }>(
      `mutation ($input: ConfirmSchoolAttendanceInput!) {
        confirmSchoolAttendance(input: $input) { __typename ... on UserError { message } }
      }`,
      {
        input: {
          activityId: globalId('Activity', activity.id),
          schoolId: globalId('Organization', school_id),
        },
      },
    );
    expect(confirmed.data?.confirmSchoolAttendance.__typename).toBe(
      'MutationConfirmSchoolAttendanceSuccess',
    );
  }
  return activity;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
