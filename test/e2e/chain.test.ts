import { seedDemoData, demoPassword } from '@registry/db/seed';
import { sql } from 'kysely';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, launchBrowser, screenshot } from '../testkit/browser';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { startTestServer } from '../testkit/server';

/**
 * The whole chain, from a draft to a verified certificate, in the built app served by the real
 * gateway over seeded PostgreSQL. Each step is taken by the role that takes it in real life,
 * through that role's screens, in its own browser context (its own session cookie):
 *
 *   institution registers and submits → city office approves → institution opens enrollment and
 *   enrolls a teacher → school confirms eligibility → institution starts → trainer marks
 *   attendance → institution closes → school confirms attendance → office confirms the roster
 *   (credits) → teacher sees the credit and downloads the certificate → anyone verifies it.
 *
 * Nothing is written to the database directly: the session is placed today (the trainer's
 * "today" list and the real clock agree), and recording attendance does not wait for the session
 * to have happened. Every screen visited is screenshotted (chain-NN-…) and checked with axe.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;
const axeResults: string[] = [];
// The demo city is in China: dates typed in the editor and "today" are days there.
const contextOptions = { locale: 'en-US', timezoneId: 'Asia/Shanghai' };
const hours = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { teachers: 60 });
  server = await startTestServer(database);
  browser = await launchBrowser();
});
afterAll(async () => {
  console.log(`axe (chain):\n${axeResults.join('\n')}`);
  await browser?.close();
  await server?.stop();
  await database?.close();
});

/** One browser context per role, signed in through the login form at a deep link. */
async function signedIn(
  username: string,
  path: string,
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext(contextOptions);
  const page = await ctx.newPage();
  await page.goto(`${server.url}${path}`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(demoPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { ctx, page };
}

async function check(page: Page, step: string) {
  await screenshot(page, step);
  axeResults.push(await expectAccessible(page, step));
}

async function row<T>(query: ReturnType<typeof sql<T>>): Promise<T> {
  const { rows } = await query.execute(database.db);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('the whole chain in the browser', () => {
  it('goes from a draft activity to a certificate anyone can verify', async () => {
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Asia/Shanghai' });
    const title = '链路测试：单元整体教学设计';
    const sessionTitle = '第一讲：大单元备课';
    const teacher = await row(sql<{
      id: number;
      national_id: string;
      name: string;
      stage: string;
      subjects: string[];
    }>`select t.id, t.national_id, t.name, t.stage, t.subjects from teachers t
       join user_accounts u on u.teacher_id = t.id where u.username = 'teacher'`);
    // A teacher of another school stage, whom the engine refuses with its reason.
    const outsider = await row(sql<{ national_id: string }>`
      select national_id from teachers where stage <> ${teacher.stage} order by id limit 1`);
    const trainer = await row(sql<{ name: string }>`
      select tr.name from trainers tr join user_accounts u on u.trainer_id = tr.id
      where u.username = 'trainer'`);
    const asTeacher = await server.as({ username: 'teacher', password: demoPassword });
    const progressQuery = `{ teachers(first: 1) { edges { node { progress { total { counted } } } } } }`;
    type Progress = {
      teachers: { edges: Array<{ node: { progress: { total: { counted: number } } } }> };
    };
    const countedBefore = (await asTeacher<Progress>(progressQuery)).data!.teachers.edges[0]!.node
      .progress.total.counted;

    // 1. The institution registers the activity: details, who may take part, completion rule,
    //    a session with the demo trainer; then submits it.
    const institution = await signedIn('institution', '/institution/activities/new');
    const page = institution.page;
    await page.getByRole('heading', { name: 'New training activity' }).waitFor();
    await page.getByLabel('Code', { exact: true }).fill('CHAIN-1');
    await page.getByLabel('Title', { exact: true }).fill(title);
    const category = page.getByLabel('Credit category');
    await category.selectOption((await category.locator('option').nth(1).getAttribute('value'))!);
    await page.getByLabel('First day').fill(today);
    await page.getByLabel('Last day').fill(today);
    await page.getByLabel('Credit hours', { exact: true }).fill('2');
    const stageLabel = {
      primary: 'Primary',
      junior: 'Junior secondary',
      senior: 'Senior secondary',
    }[teacher.stage]!;
    await page.getByLabel(stageLabel, { exact: true }).check();
    await page.getByLabel('Subjects', { exact: true }).fill(teacher.subjects[0]!);
    await page.getByLabel('Attendance, at least (% of session hours)').fill('80');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByText('Draft created.').waitFor();
    const activityId = decodeURIComponent(
      /\/institution\/activities\/([^/]+)\/edit/.exec(page.url())![1]!,
    );
    const localActivityId = Number(Buffer.from(activityId, 'base64').toString().split(':')[1]);

    await page.getByLabel('Session title').fill(sessionTitle);
    await page.getByLabel('Starts', { exact: true }).fill(`${today}T19:00`);
    await page.getByLabel('Ends', { exact: true }).fill(`${today}T21:00`);
    await page.getByLabel('Study hours').fill('2');
    await page.getByLabel('Location').fill('教师发展中心 302');
    await page
      .getByRole('group', { name: 'Trainers' })
      .getByLabel(new RegExp(`^${trainer.name}`))
      .check();
    await page.getByRole('button', { name: 'Add session' }).click();
    await page.getByText('Session 1 added.').waitFor();
    await check(page, 'chain-01-institution-editor');
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await page.getByText('Status is now: Submitted.').waitFor();
    await check(page, 'chain-02-institution-submitted');
    const submitted = await row(sql<{
      status: string;
      credit_hours: number;
      eligibility_rules: { stages?: string[]; subjects?: string[] };
      completion_rules: { minAttendanceRatio?: number };
      trainers: number;
    }>`select a.status, a.credit_hours::float as credit_hours, a.eligibility_rules,
         a.completion_rules,
         (select count(*)::int from session_trainers st join sessions s on s.id = st.session_id
           where s.activity_id = a.id) as trainers
       from activities a where a.id = ${localActivityId}`);
    expect(submitted).toMatchObject({ status: 'submitted', credit_hours: 2, trainers: 1 });
    expect(submitted.eligibility_rules.stages).toEqual([teacher.stage]);
    expect(submitted.eligibility_rules.subjects).toEqual([teacher.subjects[0]]);
    expect(submitted.completion_rules.minAttendanceRatio).toBe(0.8);

    // 2. The city's education office approves it from its queue (the district office 'office'
    //    covers a district only; the centre's activities belong to the city).
    const office = await signedIn('office.city', '/office/approvals');
    await office.page
      .getByRole('heading', { level: 1, name: 'Activities awaiting approval' })
      .waitFor();
    const card = office.page.getByRole('article', { name: title });
    await card.waitFor();
    await check(office.page, 'chain-03-office-approval-queue');
    await card.getByRole('button', { name: /^Approve/ }).click();
    await office.page.getByText(`“${title}” approved.`).waitFor();
    expect(await activityStatus(localActivityId)).toBe('approved');

    //    The institution opens it for enrollment and enrolls the demo teacher, with a teacher
    //    the engine refuses listed beside the reason.
    await page.goto(
      `${server.url}/institution/activities/${encodeURIComponent(activityId)}/roster`,
    );
    await page.getByRole('heading', { level: 1, name: /Roster/ }).waitFor();
    await page.getByRole('button', { name: 'Open enrollment' }).click();
    await page.getByText('Status is now: Open for enrollment.').waitFor();
    expect(await activityStatus(localActivityId)).toBe('open');

    // 3. Enrollment on the provider's roster screen (the school's screens decide on enrollments
    //    but do not create them).
    await page
      .getByLabel('Teacher IDs', { exact: true })
      .fill(`${teacher.national_id}\n${outsider.national_id}`);
    await page.getByRole('button', { name: 'Enroll', exact: true }).click();
    await page.getByText('Enrolled: 1. Refused: 1.').waitFor();
    const refused = page.locator('ul.refused li');
    await expect.poll(() => refused.count()).toBe(1);
    expect(await refused.textContent()).toContain(outsider.national_id);
    expect(await page.getByLabel('Teacher IDs', { exact: true }).inputValue()).toBe(
      outsider.national_id,
    );
    await expect
      .poll(() => page.locator('table.list').textContent())
      .toContain(teacher.national_id);
    await check(page, 'chain-04-institution-enrolled');
    expect(await enrollmentStatus(localActivityId, teacher.id)).toBe('registered');

    //    The school confirms eligibility in its queue, beside the engine's verdict.
    const school = await signedIn('school', '/school/eligibility');
    await school.page.getByRole('heading', { name: 'Eligibility confirmation' }).waitFor();
    const panel = school.page.locator(`section[aria-labelledby="activity-${activityId}"]`);
    const pending = panel.locator('tr[data-status="REGISTERED"]', { hasText: teacher.name });
    await pending.waitFor();
    const enrollmentId = (await pending.getAttribute('data-enrollment'))!;
    await pending.getByText('Meets every condition').waitFor();
    await check(school.page, 'chain-05-school-eligibility');
    await pending.getByRole('button', { name: `Confirm eligibility of ${teacher.name}` }).click();
    const decided = school.page.locator(`tr[data-enrollment="${enrollmentId}"]`);
    await expect.poll(() => decided.getAttribute('data-status')).toBe('ELIGIBILITY_CONFIRMED');
    await check(school.page, 'chain-06-school-eligibility-confirmed');
    expect(await enrollmentStatus(localActivityId, teacher.id)).toBe('eligibility_confirmed');

    //    The institution starts the activity.
    await page.reload();
    await page.getByRole('button', { name: 'Start the activity' }).click();
    await page.getByText('Status is now: In progress.').waitFor();
    expect(await activityStatus(localActivityId)).toBe('in_progress');

    // 4. The trainer opens today's session and marks the roster from the keyboard.
    const trainerUi = await signedIn('trainer', '/sessions/today');
    await trainerUi.page.getByRole('heading', { name: 'Today’s sessions' }).waitFor();
    await check(trainerUi.page, 'chain-07-trainer-today');
    await trainerUi.page.getByRole('link', { name: `Attendance for ${sessionTitle}` }).click();
    await trainerUi.page.getByRole('grid').waitFor();
    const gridRow = trainerUi.page.locator(
      `table.grid tbody tr[data-enrollment="${enrollmentId}"]`,
    );
    const statusCell = gridRow.getByRole('gridcell').first();
    await statusCell.click();
    await trainerUi.page.keyboard.press('p');
    expect(await statusCell.getAttribute('data-status')).toBe('PRESENT');
    expect(await gridRow.locator('input.minutes').inputValue()).toBe('120');
    await check(trainerUi.page, 'chain-08-trainer-attendance');
    await trainerUi.page.getByRole('button', { name: 'Save attendance' }).click();
    await trainerUi.page.getByText(/^Saved 1 record/).waitFor();
    expect(
      await row(sql<{ status: string; minutes: number; source: string }>`
        select a.status, a.minutes, a.source from attendance a
        join enrollments e on e.id = a.enrollment_id
        where e.activity_id = ${localActivityId} and e.teacher_id = ${teacher.id}`),
    ).toEqual({ status: 'present', minutes: 120, source: 'trainer' });

    // 5. The institution closes the activity; the school confirms its teachers' attendance;
    //    the office confirms the roster, which credits it.
    await page.reload();
    await page.getByRole('button', { name: 'Close the activity' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close the activity' });
    await dialog.getByRole('button', { name: 'Close the activity' }).click();
    await page.getByText('Status is now: Closed.').waitFor();
    expect(await activityStatus(localActivityId)).toBe('closed');

    await school.page.goto(`${server.url}/school/attendance`);
    await school.page.getByRole('heading', { name: 'Attendance to confirm' }).waitFor();
    const toConfirm = school.page.locator(`section.panel[data-activity="${activityId}"]`);
    await toConfirm.getByRole('button', { name: 'Review attendance' }).click();
    await toConfirm.locator('table.review tbody tr', { hasText: teacher.name }).waitFor();
    await check(school.page, 'chain-09-school-attendance');
    await toConfirm.getByLabel('Note for the record (optional)').fill('与签到表核对无误。');
    await toConfirm.getByRole('button', { name: 'Confirm our teachers’ attendance' }).click();
    await school.page.locator(`table.list tr[data-activity="${activityId}"]`).waitFor();
    await check(school.page, 'chain-10-school-attendance-confirmed');

    await office.page.getByRole('link', { name: 'Roster confirmations' }).click();
    await office.page
      .getByRole('heading', { level: 1, name: 'Rosters awaiting the office' })
      .waitFor();
    const roster = office.page.locator('.roster-queue > li').filter({ hasText: title });
    await roster.waitFor();
    expect(await roster.textContent()).toContain('Schools confirmed: 1');
    await check(office.page, 'chain-11-office-roster-queue');
    await roster.getByRole('button', { name: /^Confirm and credit/ }).click();
    await office.page.getByText(`“${title}” credited: 1 awards written`).waitFor();
    await check(office.page, 'chain-12-office-credited');
    expect(await activityStatus(localActivityId)).toBe('credited');
    expect(await enrollmentStatus(localActivityId, teacher.id)).toBe('completed');
    const award = await row(sql<{ hours: number; certificates: number }>`
      select l.hours::float as hours,
        (select count(*)::int from certificates c where c.ledger_entry_id = l.id) as certificates
      from credit_ledger l
      where l.activity_id = ${localActivityId} and l.teacher_id = ${teacher.id}
        and l.kind = 'award'`);
    // Crediting writes the award; the certificate waits for the teacher to ask (decision 0007).
    expect(award.certificates).toBe(0);
    expect(award.hours).toBeGreaterThan(0);

    // 6. The teacher sees the credit in progress and transcript, and downloads the certificate.
    const teacherUi = await signedIn('teacher', '/me/progress');
    await teacherUi.page.getByRole('heading', { name: 'My progress' }).waitFor();
    const countedAfter = (await asTeacher<Progress>(progressQuery)).data!.teachers.edges[0]!.node
      .progress.total.counted;
    expect(countedAfter).toBeCloseTo(countedBefore + award.hours, 5);
    expect(await teacherUi.page.getByTestId('total-counted').textContent()).toBe(
      hours.format(countedAfter),
    );
    await check(teacherUi.page, 'chain-13-teacher-progress');
    await teacherUi.page.getByRole('link', { name: 'Transcript' }).click();
    await teacherUi.page.getByRole('heading', { name: 'Transcript' }).waitFor();
    await teacherUi.page.locator('table.list tbody tr', { hasText: title }).waitFor();
    await check(teacherUi.page, 'chain-14-teacher-transcript');
    await teacherUi.page.goto(`${server.url}/me/certificates`);
    await teacherUi.page.getByRole('heading', { name: 'My certificates' }).waitFor();
    await teacherUi.page.getByRole('button', { name: `Get the certificate of ${title}` }).click();
    const issued = teacherUi.page.getByText(/Certificate [A-Za-z0-9-]+ is in the list above\./);
    await issued.waitFor();
    const code = /Certificate ([A-Za-z0-9-]+) is/.exec((await issued.textContent())!)![1]!;
    expect(
      await row(sql<{ code: string }>`
        select c.verification_code as code from certificates c
        join credit_ledger l on l.id = c.ledger_entry_id
        where l.activity_id = ${localActivityId} and l.teacher_id = ${teacher.id}`),
    ).toEqual({ code });
    const certificate = teacherUi.page.locator('table.list tbody tr', { hasText: code });
    await certificate.waitFor();
    const pdfHref = (await certificate
      .getByRole('link', { name: /^PDF of/ })
      .getAttribute('href'))!;
    const pdf = await teacherUi.page.request.get(`${server.url}${pdfHref}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await check(teacherUi.page, 'chain-15-teacher-certificates');

    //    Anyone, signed out, verifies the code.
    const anonymous = await browser.newContext(contextOptions);
    const verify = await anonymous.newPage();
    await verify.goto(`${server.url}/verify`);
    await verify.getByRole('heading', { name: 'Verify a certificate' }).waitFor();
    expect(await verify.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    await verify.getByLabel('Verification code').fill(code);
    await verify.getByRole('button', { name: 'Verify' }).click();
    await verify.getByRole('heading', { name: 'Valid certificate' }).waitFor();
    const facts = (await verify.locator('.facts').textContent())!;
    expect(facts).toContain(teacher.name);
    expect(facts).toContain(hours.format(award.hours));
    await check(verify, 'chain-16-public-verify');

    for (const ctx of [institution.ctx, office.ctx, school.ctx, trainerUi.ctx, teacherUi.ctx])
      await ctx.close();
    await anonymous.close();
  }, 120_000);
});

async function activityStatus(id: number): Promise<string> {
  return (await row(sql<{ status: string }>`select status from activities where id = ${id}`))
    .status;
}

async function enrollmentStatus(activityId: number, teacherId: number): Promise<string> {
  return (
    await row(sql<{ status: string }>`
      select status from enrollments where activity_id = ${activityId} and teacher_id = ${teacherId}`)
  ).status;
}
