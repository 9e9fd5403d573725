import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema } from './printed-schema';

describe('the committed schema file', () => {
  it('matches the code (run `pnpm generate` after changing the schema and review the diff)', () => {
    const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    // A failing diff here is the visible record of a schema change, breaking or not.
    expect(printedSchema()).toBe(committed);
  });
});
