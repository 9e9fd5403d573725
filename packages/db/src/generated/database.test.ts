import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { renderDatabaseTypes } from '../introspect';

it('the committed database types match the migrations (run `pnpm generate` if not)', async () => {
  const committed = readFileSync(new URL('./database.ts', import.meta.url), 'utf8');
  expect(await renderDatabaseTypes()).toBe(committed);
});
