import { createLogger, startIdempotencyPurge } from '@registry/api';
import { purgeIdempotencyKeys } from '@registry/db';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { Fixtures } from '../testkit/fixtures';

/**
 * Idempotency keys past their retention are deleted, in batches, oldest first; keys a client can
 * still resend with are kept (docs/reliability.md, section 4).
 */
let database: TestDatabase;
let accountId: number;
const hour = 3_600_000;
/** A fixed clock, so "older than the retention" does not depend on when the test runs. */
const now = Date.parse('2026-12-05T12:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  accountId = (await new Fixtures(database.db).account('platform_admin', null)).id;
});
afterAll(async () => {
  await database?.close();
});
beforeEach(async () => {
  await database.db.deleteFrom('idempotency_keys').execute();
});

/** Keys claimed this many hours before `now`, one each. */
async function keysClaimed(hoursAgo: number[]) {
  await database.db
    .insertInto('idempotency_keys')
    .values(
      hoursAgo.map((hours, i) => ({
        account_id: accountId,
        key: `purge-test:${i}:${hours}`,
        request_hash: 'a'.repeat(64),
        claim_token: randomUUID(),
        created_at: new Date(now - hours * hour),
      })),
    )
    .execute();
}

/** A logger whose lines the test can read (as the testkit's server logs to its sink). */
function capturingLogger() {
  const lines: string[] = [];
  const log = createLogger(
    { LOG_LEVEL: 'info' },
    { write: (line: string) => void lines.push(line) },
  );
  return { log, lines };
}

const remaining = async () =>
  (await database.db.selectFrom('idempotency_keys').select('key').orderBy('key').execute()).map(
    (row) => row.key,
  );

describe('purgeIdempotencyKeys', () => {
  it('deletes at most a batch of the keys claimed before the cut, oldest first', async () => {
    await keysClaimed([500, 400, 300, 200, 1]);
    const cut = new Date(now - 168 * hour);
    expect(await purgeIdempotencyKeys(database.db, cut, 2)).toBe(2);
    expect(await remaining()).toEqual(['purge-test:2:300', 'purge-test:3:200', 'purge-test:4:1']);
    expect(await purgeIdempotencyKeys(database.db, cut, 2)).toBe(2);
    expect(await purgeIdempotencyKeys(database.db, cut, 2)).toBe(0);
    expect(await remaining()).toEqual(['purge-test:4:1']);
  });
});

describe('startIdempotencyPurge', () => {
  it('deletes every key past the retention in one pass, batch by batch, and says so in the log', async () => {
    await keysClaimed([1000, 900, 800, 700, 600, 170, 167, 0]);
    const { log, lines } = capturingLogger();
    const purge = startIdempotencyPurge({
      db: database.db,
      retentionHours: 168,
      log,
      batchSize: 2,
      intervalMs: 3_600_000,
      now: () => now,
    });
    try {
      // The first pass starts on its own; another asked for while it runs is the same pass.
      const [first, same] = [purge.runOnce(), purge.runOnce()];
      expect(first).toBe(same);
      const deleted = (await first) + (await purge.runOnce());
      expect(deleted).toBe(6);
      expect(await remaining()).toEqual(['purge-test:6:167', 'purge-test:7:0']);
      expect(lines.some((line) => line.includes('purged idempotency keys'))).toBe(true);
    } finally {
      await purge.stop();
      await purge.stop();
    }
  });

  it('keeps running after a failed pass, logging it', async () => {
    const { log, lines } = capturingLogger();
    // A database that refuses every statement: the pass fails, the purge does not throw.
    const refusing = database.db.withPlugin({
      transformQuery: () => {
        throw new Error('database refused');
      },
      transformResult: async ({ result }) => result,
    });
    const purge = startIdempotencyPurge({
      db: refusing,
      retentionHours: 168,
      log,
      intervalMs: 3_600_000,
    });
    await expect(purge.runOnce()).rejects.toThrow('database refused');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lines.some((line) => line.includes('purging idempotency keys failed'))).toBe(true);
    await purge.stop();
  });
});

describe('startIdempotencyPurge options', () => {
  it.each([0, -1, 1.5, Number.POSITIVE_INFINITY, Number.NaN])(
    'refuses a retention of %s hours',
    (hours) => {
      expect(() =>
        startIdempotencyPurge({
          db: database.db,
          retentionHours: hours,
          log: createLogger({ LOG_LEVEL: 'silent' }),
        }),
      ).toThrow(RangeError);
    },
  );
});
