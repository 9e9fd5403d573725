import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as initialModel from './migrations/2026-11-22T1000-initial-model';
import * as loginFailures from './migrations/2026-11-22T1100-login-failures';
import * as confirmationAndAwards from './migrations/2026-11-22T1300-confirmation-and-awards';
import * as tamperEvidence from './migrations/2026-11-22T1400-tamper-evidence';
import * as idempotencyKeys from './migrations/2026-11-22T1500-idempotency-keys';
import * as sealAuditPerTransaction from './migrations/2026-12-01T1000-seal-audit-per-transaction';
import * as sessionChangeNotifications from './migrations/2026-12-02T1000-session-change-notifications';
import * as referenceChangeNotifications from './migrations/2026-12-05T0800-reference-change-notifications';

/**
 * Forward-only: migrations are listed here in order and never edited once landed.
 * A static list (not a folder scan) works the same under tsx, vitest and a bundler.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-22T1000-initial-model': initialModel,
  '2026-11-22T1100-login-failures': loginFailures,
  '2026-11-22T1300-confirmation-and-awards': confirmationAndAwards,
  '2026-11-22T1400-tamper-evidence': tamperEvidence,
  '2026-11-22T1500-idempotency-keys': idempotencyKeys,
  '2026-12-01T1000-seal-audit-per-transaction': sealAuditPerTransaction,
  '2026-12-02T1000-session-change-notifications': sessionChangeNotifications,
  '2026-12-05T0800-reference-change-notifications': referenceChangeNotifications,
};

export const latestMigration = Object.keys(migrations).at(-1)!;

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`migration ${failed ?? '(unknown)'} failed`, { cause: result.error });
  }
  return result;
}

/** True when every migration this code knows about has run. Used by /readyz. */
export async function migrationsAreCurrent(db: Kysely<any>): Promise<boolean> {
  const result = await sql<{ name: string }>`select name from kysely_migration order by name`
    .execute(db)
    .catch(() => ({ rows: [] as { name: string }[] }));
  const applied = new Set(result.rows.map((r) => r.name));
  return Object.keys(migrations).every((name) => applied.has(name));
}
