import { seedDemoData, demoPassword } from '@registry/db/seed';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, launchBrowser, screenshot } from '../testkit/browser';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { startTestServer } from '../testkit/server';

/**
 * The training institution's screens in the built app, over a seeded PostgreSQL database:
 * create an activity (a refused field shows beside its control, nothing typed is lost), add a
 * session with a trainer, submit it; open a roster; check an attendance CSV whose bad row is
 * listed before anything is written. Each main screen is screenshotted and checked with axe.
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
  console.log(`axe (institution):\n${axeResults.join('\n')}`);
  await browser?.close();
  await server?.stop();
  await database?.close();
});

const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

async function signIn(page: Page, username: string) {
  await page.goto(`${server.url}/activities`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(demoPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Training activities' }).waitFor();
}

/** A running activity of the demo institution with a confirmed participant and a session 1. */
async function runningActivity(): Promise<{ id: number; nationalId: string }> {
  const { rows } = await sql<{ id: number; national_id: string }>`
    select a.id, t.national_id
    from activities a
    join memberships m on m.organization_id = a.provider_id and m.role = 'institution_admin'
    join user_accounts u on u.id = m.user_id and u.username = 'institution'
    join enrollments e on e.activity_id = a.id and e.status = 'eligibility_confirmed'
    join teachers t on t.id = e.teacher_id
    where a.status = 'in_progress'
      and exists (select 1 from sessions s where s.activity_id = a.id and s.sequence = 1)
    order by a.id, t.national_id
    limit 1
  `.execute(database.db);
  if (!rows[0]) throw new Error('the demo data has no running activity of the institution');
  return { id: rows[0].id, nationalId: rows[0].national_id };
}

describe('institution screens', () => {
  it('has an accessibility check that does catch a serious violation', async () => {
    // Guards the "no violations" below from meaning "axe never ran".
    const page = await browser.newPage();
    await page.setContent('<main><h1>x</h1><input type="text"><img src="data:,"></main>');
    await expect(expectAccessible(page, 'broken page')).rejects.toThrow(/label|image-alt/);
    await page.close();
  });

  it('creates an activity, shows a refused field beside its control, adds a session with a trainer and submits it', async () => {
    const page = await browser.newPage({ locale: 'en-US', timezoneId: 'Asia/Shanghai' });
    await signIn(page, 'institution');
    axeResults.push(await expectAccessible(page, 'activity list'));

    await page.getByRole('link', { name: 'New activity' }).click();
    await page.getByRole('heading', { name: 'New training activity' }).waitFor();

    // Live validation: a code too short is flagged as soon as the field is left.
    const code = page.getByLabel('Code', { exact: true });
    await code.fill('x');
    await code.blur();
    await expect
      .poll(() => page.getByText('Use 2 to 40 letters, digits, - or _.').isVisible())
      .toBe(true);
    await code.fill('E2E-CREATE-1');

    await page.getByLabel('Title', { exact: true }).fill('端到端测试：课堂提问设计');
    const category = page.getByLabel('Credit category');
    const firstCategory = await category.locator('option').nth(1).getAttribute('value');
    await category.selectOption(firstCategory!);
    await page.getByLabel('First day').fill('2027-03-01');
    await page.getByLabel('Last day').fill('2027-03-05');
    // Too many hours: the browser accepts any positive number, the API names the field.
    await page.getByLabel('Credit hours', { exact: true }).fill('5000');
    await page.getByLabel('Primary').check();
    await page.getByRole('button', { name: 'Create draft' }).click();

    const hours = page.getByLabel('Credit hours', { exact: true });
    await expect.poll(() => hours.getAttribute('aria-invalid')).toBe('true');
    const issueId = (await hours.getAttribute('aria-describedby'))!;
    expect(await page.locator(`[id="${issueId.split(' ').at(-1)}"]`).textContent()).toMatch(
      /at most 1000/,
    );
    // Focus moves to the refused field; what was typed elsewhere is still there.
    await expect
      .poll(() => hours.evaluate((el) => el === el.ownerDocument.activeElement))
      .toBe(true);
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(
      '端到端测试：课堂提问设计',
    );
    expect(await page.getByLabel('Primary').isChecked()).toBe(true);
    await screenshot(page, 'institution-editor-field-error');
    axeResults.push(await expectAccessible(page, 'activity editor (field error)'));

    await hours.fill('12');
    // A lost connection keeps everything typed and offers to send it again.
    await page.route('**/graphql', (route) => route.abort('internetdisconnected'));
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByText('The registry cannot be reached').waitFor();
    expect(await page.getByLabel('Title', { exact: true }).inputValue()).toBe(
      '端到端测试：课堂提问设计',
    );
    expect(await hours.inputValue()).toBe('12');
    await page.unroute('**/graphql');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByText('Draft created.').waitFor();
    expect(page.url()).toMatch(/\/institution\/activities\/[^/]+\/edit/);

    // A session with a trainer of the institution.
    await page.getByLabel('Session title').fill('第一讲：提问的层次');
    await page.getByLabel('Starts', { exact: true }).fill('2027-03-01T09:00');
    await page.getByLabel('Ends', { exact: true }).fill('2027-03-01T12:00');
    await page.getByLabel('Study hours').fill('3');
    await page.getByLabel('Location').fill('教师发展中心 301');
    const trainers = page.getByRole('group', { name: 'Trainers' }).getByRole('checkbox');
    await trainers.first().waitFor();
    const trainerName = (await page
      .getByRole('group', { name: 'Trainers' })
      .locator('label')
      .first()
      .textContent())!.replace(/\s*\(.*\)$/, '');
    await trainers.first().check();
    await page.getByRole('button', { name: 'Add session' }).click();
    await page.getByText('Session 1 added.').waitFor();
    const sessionItem = page.locator('.session-list li').first();
    await expect.poll(() => sessionItem.textContent()).toContain('第一讲：提问的层次');
    expect(await sessionItem.textContent()).toContain(trainerName.trim());
    await screenshot(page, 'institution-editor-session');
    axeResults.push(await expectAccessible(page, 'activity editor (sessions)'));

    // Editing the saved draft sends what changed.
    await page.getByLabel('Description').fill('围绕课堂提问的层次与追问策略。');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Changes saved.').waitFor();

    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await page.getByText('Status is now: Submitted.').waitFor();
    await screenshot(page, 'institution-activity-submitted');

    const { rows } = await sql<{
      status: string;
      description: string;
      sessions: number;
      trainers: number;
    }>`
      select a.status, a.description,
        (select count(*)::int from sessions s where s.activity_id = a.id) as sessions,
        (select count(*)::int from session_trainers st join sessions s on s.id = st.session_id
          where s.activity_id = a.id) as trainers
      from activities a where a.code = 'E2E-CREATE-1'
    `.execute(database.db);
    expect(rows).toEqual([
      {
        status: 'submitted',
        description: '围绕课堂提问的层次与追问策略。',
        sessions: 1,
        trainers: 1,
      },
    ]);
    await page.close();
  });

  it('opens a roster, previews an attendance CSV listing its bad row before writing anything, and closes the activity', async () => {
    const { id, nationalId } = await runningActivity();
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, 'institution');
    await page.goto(`${server.url}/activities/${encodeURIComponent(globalId('Activity', id))}`);
    await page.getByRole('link', { name: 'Roster and attendance' }).click();
    await page.getByRole('heading', { level: 1, name: /Roster/ }).waitFor();
    const rows = page.locator('table.list tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await page.locator('table.list').textContent()).toContain(nationalId);
    // Each session's attendance grid is one link away.
    expect(
      await page
        .getByRole('link', { name: 'Attendance of session 1' })
        .first()
        .getAttribute('href'),
    ).toMatch(/^\/sessions\/.+\/attendance$/);
    await screenshot(page, 'institution-roster');
    axeResults.push(await expectAccessible(page, 'roster'));

    const before = await attendanceCount(id);
    const csv =
      'teacher_national_id,session_sequence,status,minutes\r\n' +
      `${nationalId},1,present,60\r\n` +
      'T0000000000,1,present,60\r\n';
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({
      name: 'sign-in-sheet.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv, 'utf8'),
    });
    await page.getByRole('button', { name: 'Check the file' }).click();
    const problems = page.locator('table.problems tbody tr');
    await problems.first().waitFor();
    expect(await problems.count()).toBe(1);
    const cells = await problems.first().locator('td').allTextContents();
    expect(cells[0]).toBe('3');
    expect(cells[1]).toBe('teacherNationalId');
    expect(await page.getByText('1 of 2 rows are valid').isVisible()).toBe(true);
    // Only a clean file can be written: there is no import button, and nothing was written.
    expect(await page.getByRole('button', { name: /^Import/ }).count()).toBe(0);
    expect(await attendanceCount(id)).toBe(before);
    await screenshot(page, 'institution-import-preview');
    axeResults.push(await expectAccessible(page, 'roster (CSV preview)'));

    // The corrected file is clean, and only then can it be written.
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({
      name: 'sign-in-sheet-fixed.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        `teacher_national_id,session_sequence,status,minutes\r\n${nationalId},1,late,55\r\n`,
        'utf8',
      ),
    });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByText('Every row is valid (rows: 1).').waitFor();
    await page.getByRole('button', { name: 'Import the file (rows: 1)' }).click();
    await page.getByText('Attendance rows imported: 1.').waitFor();
    const imported = await sql<{ status: string; minutes: number; source: string }>`
      select a.status, a.minutes, a.source from attendance a
      join sessions s on s.id = a.session_id and s.sequence = 1
      join enrollments e on e.id = a.enrollment_id
      join teachers t on t.id = e.teacher_id and t.national_id = ${nationalId}
      where a.activity_id = ${id}
    `.execute(database.db);
    expect(imported.rows).toEqual([{ status: 'late', minutes: 55, source: 'import' }]);

    // Closing asks first, then shows where confirmation and crediting stand.
    await page.getByRole('button', { name: 'Close the activity' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close the activity' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Close the activity' }).click();
    await page.getByText('Status is now: Closed.').waitFor();
    await page.getByRole('heading', { name: 'Confirmation and credits' }).waitFor();
    expect(await page.getByRole('progressbar').count()).toBeGreaterThan(0);
    expect(await page.locator('.facts').textContent()).toMatch(/Not yet decided/);
    const closed = await sql<{ status: string }>`
      select status from activities where id = ${id}
    `.execute(database.db);
    expect(closed.rows[0]!.status).toBe('closed');
    await screenshot(page, 'institution-roster-closed');
    axeResults.push(await expectAccessible(page, 'roster (closed)'));
    await page.close();
  });
});

async function attendanceCount(activityId: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from attendance a join sessions s on s.id = a.session_id
    where s.activity_id = ${activityId}
  `.execute(database.db);
  return rows[0]!.n;
}
