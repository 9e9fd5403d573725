import { seedDemoData, demoPassword } from '@registry/db/seed';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../testkit/browser';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { startTestServer } from '../testkit/server';

/**
 * The built admin app, served by the real gateway over a seeded PostgreSQL database, driven in
 * Debian's Chromium: sign in, browse and filter activities, open one, switch language, sign out.
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDemoData(database.db, { teachers: 60 });
  server = await startTestServer(database);
  browser = await launchBrowser();
});
afterAll(async () => {
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

describe('admin app', () => {
  it('shows a wrong password next to the form and changes nothing', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(server.url);
    await page.getByLabel('Username').fill('institution');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/username or password/i);
    await screenshot(page, 'login-refused');
    await page.close();
  });

  it('lets an institution administrator browse, filter and open its activities', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, 'institution');
    const rows = page.locator('table.list tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(0);
    const countText = await page.locator('.count').textContent();
    expect(countText).toMatch(/\d+ activities/);
    await screenshot(page, 'institution-activities');

    // Filters are in the URL, so a filtered list is a deep link.
    await page.getByLabel('Status').selectOption('DRAFT');
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('DRAFT');

    await page.getByLabel('Status').selectOption('');
    const firstTitle = (await rows.first().locator('a').textContent())!;
    await rows.first().locator('a').click();
    await page
      .getByRole('heading', { level: 1, name: new RegExp(escapeRegExp(firstTitle)) })
      .waitFor();
    await page.getByRole('heading', { name: 'Sessions' }).waitFor();
    await screenshot(page, 'institution-activity-detail');

    // A reload of the deep link lands on the same activity.
    await page.reload();
    await page
      .getByRole('heading', { level: 1, name: new RegExp(escapeRegExp(firstTitle)) })
      .waitFor();
    await page.close();
  });

  it('switches to Simplified Chinese and remembers the choice', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, 'office');
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('heading', { name: '培训项目' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: '培训项目' }).waitFor();
    expect(await page.getByRole('button', { name: '退出登录' }).isVisible()).toBe(true);
    await screenshot(page, 'office-activities-zh');
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await page.close();
  });

  it('searches titles in Chinese', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await signIn(page, 'admin');
    const title = (await page.locator('table.list tbody tr a').first().textContent())!;
    // Two Chinese characters of a real title: digits would also match activity codes.
    const fragment = /[\u4e00-\u9fff]{2}/.exec(title)![0];
    await page.getByLabel('Search titles and codes').fill(fragment);
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe(fragment);
    // The list follows the URL once the answer arrives: wait for it rather than racing it.
    await expect
      .poll(async () => {
        const titles = await page.locator('table.list tbody tr a').allTextContents();
        return titles.length > 0 && titles.every((shown) => shown.includes(fragment));
      })
      .toBe(true);
    await page.close();
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
