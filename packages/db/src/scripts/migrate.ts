/** `pnpm db:migrate`: migrates DATABASE_URL, or the embedded database when it is unset. */
import { fileURLToPath } from 'node:url';
import { migrateToLatest } from '../migrate';
import { openDatabase } from '../database';

const dataDir =
  process.env.DATA_DIR ?? fileURLToPath(new URL('../../../../.data/pglite', import.meta.url));
const { db, engine, close } = await openDatabase({
  url: process.env.DATABASE_URL || undefined,
  dataDir,
});
try {
  const result = await migrateToLatest(db);
  const applied = result.results?.map((r) => r.migrationName) ?? [];
  console.log(`${engine}: ${applied.length ? `applied ${applied.join(', ')}` : 'already current'}`);
} finally {
  await close();
}
