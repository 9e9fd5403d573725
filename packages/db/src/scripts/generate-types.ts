/**
 * Writes src/generated/database.ts: Kysely table types read from the schema that the
 * migrations build, on an in-memory PGlite. `pnpm generate` runs it; a test fails when the
 * committed file differs from what this produces.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDatabaseTypes } from '../introspect';

const target = fileURLToPath(new URL('../generated/database.ts', import.meta.url));
writeFileSync(target, await renderDatabaseTypes());
console.log(`wrote ${target}`);
