import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { demoPassword } from '@registry/db/seed';
import type { Page } from 'playwright-core';

/**
 * axe-core run inside the page, for the people-area browser tests. The engine's source is
 * injected as a script (no network, no bundler), then axe.run() checks the whole document
 * against WCAG 2.x A and AA rules.
 */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof axe !== "undefined"'))) {
    await page.addScriptTag({ content: axeSource });
  }
  // A string, so this file needs no DOM types: it runs in the page, where axe now exists.
  return page.evaluate<AxeViolation[]>(`(async () => {
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
  })()`);
}

const reportDir = new URL('../../test-results/axe/', import.meta.url).pathname;

/**
 * The violations a screen must not have: serious and critical ones. Every finding, minor and
 * moderate ones too, is kept in test-results/axe/<name>.json, so they are seen without failing
 * the run.
 */
export async function seriousViolations(page: Page, name: string): Promise<AxeViolation[]> {
  const all = await axeViolations(page);
  mkdirSync(reportDir, { recursive: true });
  writeFileSync(
    `${reportDir}${name}.json`,
    JSON.stringify({ path: new URL(page.url()).pathname, violations: all }, null, 2),
  );
  return all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Signs a demo account in through the login form, starting at a deep link. */
export async function signIn(page: Page, baseUrl: string, username: string, path: string) {
  await page.goto(`${baseUrl}${path}`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(demoPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
