import type { ChannelListener } from '@registry/db';
import type { Logger } from './logger';

/** What the log says when a change feed's listening is lost and when it is back. */
export interface FeedLines {
  lost: string;
  back: string;
}

/**
 * A cache as its change feed's listener, saying in the log when it stops and starts serving:
 * a lost feed costs the database a read per request until it is back, and an operator should
 * see why. The first `listening` is the start, not a return, and says nothing.
 */
export function reportingFeed(
  cache: ChannelListener,
  log: Logger,
  lines: FeedLines,
): ChannelListener {
  let listenedBefore = false;
  return {
    message: (payload) => cache.message(payload),
    listening: () => {
      cache.listening();
      if (listenedBefore) log.info(lines.back);
      listenedBefore = true;
    },
    lost: (error) => {
      cache.lost(error);
      log.warn({ err: error }, lines.lost);
    },
  };
}
