import { sql, type Kysely } from 'kysely';
import { hashPassword } from '../accounts/password';
import type { DB } from '../generated/database';
import { demoLogins, demoPassword, seedAccounts } from './accounts';
import { insertActivities, insertApprovalAudit, planActivities } from './activities';
import { Calendar } from './calendar';
import { seedAdjustments, seedConfirmations, seedCredits } from './credits';
import { seedEnrollments, seedOutcomes } from './participation';
import { demoTeacherOf, seedTeachers, seedTrainers } from './people';
import { Random } from './random';
import { seedCreditCategories, seedOrganizations, seedPolicies, seedRegions } from './regions';
import type { SeedContext } from './world';

export { demoLogins, demoPassword };
export { historyScaleFor, seedHistory, type HistoryOptions } from './history';

export interface SeedOptions {
  /** Number of teachers; everything else scales with it. Default 300, at least 150. */
  teachers?: number;
  /** Seed of the pseudo-random generator. Same options, same rows. */
  seed?: number;
  /**
   * The moment the data is built around; only its calendar day (in China) matters. Defaults to
   * the real clock, so past credited activities and upcoming open ones exist whenever it runs.
   */
  now?: Date;
}

export interface SeedReport {
  /** Rows per table after seeding. */
  rows: Record<string, number>;
  elapsedMs: number;
  /** The day (YYYY-MM-DD, China) the data was built around. */
  today: string;
  seed: number;
  teachers: number;
}

export const defaultSeedOptions = { teachers: 300, seed: 20261122 } as const;

/** Below this the staff rooms of 24 schools cannot hold a principal, a mentor and new teachers. */
const minimumTeachers = 150;

/**
 * Fills an empty, migrated database with a believable city: regions, offices, institutions,
 * schools, teachers and trainers; activities in every delivery mode and lifecycle status with
 * sessions, rosters, attendance, homework, confirmations; credits, certificates and evaluations;
 * and the six demo logins. One transaction: it all lands or nothing does.
 */
export async function seedDemoData(db: Kysely<DB>, options: SeedOptions = {}): Promise<SeedReport> {
  const started = performance.now();
  const teacherCount = Math.max(
    minimumTeachers,
    Math.floor(options.teachers ?? defaultSeedOptions.teachers),
  );
  const seed = Math.floor(options.seed ?? defaultSeedOptions.seed);
  const calendar = new Calendar(options.now ?? new Date());
  // argon2id runs on libuv's thread pool: let it hash while the first tables are written.
  const passwordHash = hashPassword(demoPassword);

  await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{
      used: boolean;
    }>`select exists (select 1 from regions) as used`.execute(trx);
    if (rows[0]?.used) throw new Error('refusing to seed: the database already has data');
    const ctx: SeedContext = { db: trx, random: new Random(seed), seed, calendar, teacherCount };

    const regions = await seedRegions(ctx);
    await seedCreditCategories(ctx);
    const policies = await seedPolicies(ctx, regions);
    const orgs = await seedOrganizations(ctx, regions);
    const teachers = await seedTeachers(ctx, orgs);
    const trainers = await seedTrainers(ctx, orgs, teachers);
    const accounts = await seedAccounts(
      ctx,
      orgs,
      trainers,
      demoTeacherOf(orgs),
      await passwordHash,
    );

    const plans = planActivities(ctx, regions, orgs, teachers, trainers, accounts);
    await insertActivities(ctx, plans);
    await insertApprovalAudit(ctx, plans);
    const { weakEnrollmentIds } = await seedEnrollments(ctx, regions, plans, accounts);
    await seedOutcomes(ctx, accounts, weakEnrollmentIds);
    await seedConfirmations(ctx);
    await seedCredits(ctx, regions);
    await seedAdjustments(ctx, accounts, policies.current);
  });
  const elapsedMs = Math.round(performance.now() - started);
  return {
    rows: await countRows(db),
    elapsedMs,
    today: calendar.today,
    seed,
    teachers: teacherCount,
  };
}

const seededTables = [
  'regions',
  'credit_categories',
  'requirement_policies',
  'organizations',
  'teachers',
  'trainers',
  'user_accounts',
  'memberships',
  'activities',
  'sessions',
  'session_trainers',
  'assignments',
  'enrollments',
  'attendance',
  'submissions',
  'confirmations',
  'credit_ledger',
  'certificates',
  'evaluations',
  'audit_log',
] as const satisfies readonly (keyof DB)[];

/** Row counts per table, in one round trip. */
export async function countRows(db: Kysely<DB>): Promise<Record<string, number>> {
  const { rows } = await sql<Record<string, string | number>>`select ${sql.join(
    seededTables.map(
      (table) => sql`(select count(*) from ${sql.table(table)}) as ${sql.ref(table)}`,
    ),
  )}`.execute(db);
  const row = rows[0] ?? {};
  return Object.fromEntries(seededTables.map((table) => [table, Number(row[table] ?? 0)]));
}
