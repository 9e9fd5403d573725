import type { Account, ChannelListener, LiveSession } from '@registry/db';
import type { FeedLines } from '../change-feed';

/** The channel migration 2026-12-02T1000-session-change-notifications announces changes on. */
export const sessionChangeChannel = 'registry_sessions';

export interface SessionCacheOptions {
  /** Longest an entry is served; 0 turns the cache off. */
  ttlMs: number;
  /** Entries kept at most; the oldest goes first. */
  maxEntries: number;
  now?: () => number;
}

interface Entry {
  account: Account;
  /** Served until then: the earlier of the TTL and the session's own end. */
  until: number;
}

/**
 * Signed-in callers' sessions, kept per token hash for a few seconds so that a request of a
 * caller already seen costs no session lookup (issue 6, decision 0017). Correctness rests on the
 * change feed (`ChannelListener`): migration 2026-12-02T1000 announces every change to sessions,
 * accounts, memberships and organizations when it commits.
 *
 * Invariants:
 * - Entries are served only while the feed is listening. Until it first listens, and from the
 *   moment it is lost until it listens again, every request looks its session up, and the cache
 *   is emptied whenever listening (re)starts, since changes made meanwhile went unheard.
 * - A notification evicts the users it names, '*' everyone, before any later lookup can be
 *   answered from the cache.
 * - A lookup in flight while anything was evicted is not stored: it may have read the session
 *   before the change committed (the epoch check in `lookup`).
 * - An entry lives at most `ttlMs` — the bound on a notification lost without the connection
 *   noticing — and never past the session's own expiry.
 * What remains is the time between a change's COMMIT and its notification reaching this
 * process (under a millisecond on one machine): a request arriving then is answered as if it
 * had come a moment earlier, before the change.
 *
 * Entries hold the account object itself, shared by every request that finds it: it is frozen
 * when stored, so a caller that tried to change it would fail loudly instead of changing what
 * the next request sees.
 */
export class SessionCache implements ChannelListener {
  readonly #entries = new Map<string, Entry>();
  readonly #byUser = new Map<number, Set<string>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  #listening = false;
  /** Bumped by every eviction; a lookup that saw it move does not store what it read. */
  #epoch = 0;

  constructor(options: SessionCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Whether entries are being served (the feed is listening and the cache is on). */
  get serving(): boolean {
    return this.#listening && this.#ttlMs > 0 && this.#maxEntries > 0;
  }

  /** The account behind a token hash: from the cache when it may be, otherwise from `load`. */
  async lookup(
    tokenHash: string,
    load: () => Promise<LiveSession | null>,
  ): Promise<Account | null> {
    if (this.serving) {
      const entry = this.#entries.get(tokenHash);
      if (entry) {
        if (entry.until > this.#now()) return entry.account;
        this.#remove(tokenHash);
      }
    }
    const epoch = this.#epoch;
    const session = await load();
    if (session && this.serving && epoch === this.#epoch) {
      this.#store(tokenHash, session);
    }
    return session?.account ?? null;
  }

  /** This process ended the session (logout): no need to wait for the notification. */
  forget(tokenHash: string): void {
    this.#epoch++;
    this.#remove(tokenHash);
  }

  message(payload: string): void {
    this.#epoch++;
    if (payload === '*') {
      this.#clear();
      return;
    }
    for (const part of payload.split(',')) {
      const userId = Number(part);
      if (!Number.isSafeInteger(userId)) {
        // Not a payload we send: someone else's NOTIFY on our channel. Safer to forget all.
        this.#clear();
        return;
      }
      const keys = this.#byUser.get(userId);
      if (!keys) continue;
      for (const key of keys) this.#entries.delete(key);
      this.#byUser.delete(userId);
    }
  }

  listening(): void {
    this.#epoch++;
    this.#clear();
    this.#listening = true;
  }

  lost(): void {
    this.#epoch++;
    this.#listening = false;
    this.#clear();
  }

  #store(tokenHash: string, session: LiveSession) {
    const until = Math.min(this.#now() + this.#ttlMs, session.expiresAt.getTime());
    const userId = session.account.id;
    this.#remove(tokenHash);
    while (this.#entries.size >= this.#maxEntries) {
      this.#remove(this.#entries.keys().next().value!);
    }
    this.#entries.set(tokenHash, { account: frozen(session.account), until });
    let keys = this.#byUser.get(userId);
    if (!keys) this.#byUser.set(userId, (keys = new Set()));
    keys.add(tokenHash);
  }

  #remove(tokenHash: string) {
    const entry = this.#entries.get(tokenHash);
    if (!entry) return;
    this.#entries.delete(tokenHash);
    const userId = entry.account.id;
    const keys = this.#byUser.get(userId);
    if (!keys) return;
    keys.delete(tokenHash);
    if (keys.size === 0) this.#byUser.delete(userId);
  }

  #clear() {
    this.#entries.clear();
    this.#byUser.clear();
  }
}

function frozen(account: Account): Account {
  for (const membership of account.memberships) Object.freeze(membership);
  Object.freeze(account.memberships);
  return Object.freeze(account);
}

/** What the log says about the session change feed (see `reportingFeed`). */
export const sessionFeedLines: FeedLines = {
  lost: 'session change feed lost: every request looks its session up until it reconnects',
  back: 'session change feed listening again; sessions cached again',
};
