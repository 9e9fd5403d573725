import { purgeIdempotencyKeys, type DB } from '@registry/db';
import type { Kysely } from 'kysely';
import type { Logger } from './logger';

export interface IdempotencyPurgeOptions {
  db: Kysely<DB>;
  /** Keys claimed longer ago than this are deleted. */
  retentionHours: number;
  log: Logger;
  /** Time between passes. */
  intervalMs?: number;
  /** Keys deleted per statement. */
  batchSize?: number;
  now?: () => number;
}

export interface IdempotencyPurge {
  /** One pass: deletes every key past the retention, batch by batch; answers how many. */
  runOnce(): Promise<number>;
  /** Stops the timer and waits for a pass under way. */
  stop(): Promise<void>;
}

/**
 * Deletes idempotency keys past their retention (IDEMPOTENCY_KEY_RETENTION_HOURS), so the table
 * holds the keys a client can still resend with rather than one row per keyed write forever.
 * Every process runs its own passes: two deleting at once delete different rows or nothing, and
 * a key's claim and its purge never meet, since a request holds its key for seconds and the
 * retention is at least an hour. A failed pass is logged and tried again at the next interval.
 */
export function startIdempotencyPurge(options: IdempotencyPurgeOptions): IdempotencyPurge {
  // Zero means "keep forever" in the configuration, which starts no purge at all.
  if (!Number.isInteger(options.retentionHours) || options.retentionHours < 1) {
    throw new RangeError(
      `retentionHours must be a whole number of at least 1, not ${options.retentionHours}`,
    );
  }
  const intervalMs = options.intervalMs ?? 10 * 60_000;
  const batchSize = options.batchSize ?? 5_000;
  const now = options.now ?? Date.now;
  let running: Promise<number> | null = null;
  let stopped = false;

  async function pass(): Promise<number> {
    const claimedBefore = new Date(now() - options.retentionHours * 3_600_000);
    let deleted = 0;
    for (;;) {
      const batch = await purgeIdempotencyKeys(options.db, claimedBefore, batchSize);
      deleted += batch;
      if (batch < batchSize || stopped) break;
    }
    if (deleted > 0) options.log.info({ deleted, claimedBefore }, 'purged idempotency keys');
    return deleted;
  }

  function runOnce(): Promise<number> {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  }

  const tick = () => {
    runOnce().catch((error: unknown) =>
      options.log.warn({ err: error }, 'purging idempotency keys failed; trying again later'),
    );
  };
  const first = setTimeout(tick, 0);
  const timer = setInterval(tick, intervalMs);
  // Neither keeps the process alive: stopping the server is what ends it.
  first.unref();
  timer.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
