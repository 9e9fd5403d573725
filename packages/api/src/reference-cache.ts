import type { ChannelListener, CreditCategory, RequirementPolicy } from '@registry/db';
import type { FeedLines } from './change-feed';

/** The channel migration 2026-12-05T0800-reference-change-notifications announces changes on. */
export const referenceChangeChannel = 'registry_reference';

export interface ReferenceCacheOptions {
  /** Longest an entry is served: the bound on a notification lost without the connection noticing. */
  ttlMs: number;
  /** Entries kept at most per table; past it the table's entries are dropped and read again. */
  maxEntries: number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  until: number;
}

/** One table's entries and the read that fills them. */
class Table<K, V> {
  readonly entries = new Map<K, Entry<V>>();
  constructor(readonly keyOf: (value: V) => K) {}
}

/**
 * Credit categories and requirement policies, kept by each API process so that a transcript,
 * a report or a certificate does not read them from the database on every request (issue 6,
 * decision 0023). They are a handful of rows that change when an operator, a seed or a
 * migration changes them, never through the API; migration 2026-12-05T0800 announces every
 * change to either table when it commits.
 *
 * Invariants (those of the session cache, decision 0017):
 * - Entries are served only while the feed is listening; until it first listens, and from the
 *   moment it is lost until it listens again, every read goes to the database, and the cache is
 *   emptied whenever listening (re)starts.
 * - A notification empties the table it names (anything else: both) before any later read can
 *   be answered from the cache.
 * - A read in flight while anything was emptied stores nothing: it may have read the rows
 *   before the change committed (the epoch check).
 * - An entry lives at most `ttlMs`.
 * Only rows found are kept: an id nobody has is asked for again, so a caller cannot fill the
 * cache with misses. What a row holds is frozen when stored, since every request shares it;
 * each request gets its own copy of the row itself, which the schema marks with its type (Pothos
 * brands node objects with a property).
 */
export class ReferenceCache implements ChannelListener {
  readonly #categories = new Table<string, CreditCategory>((c) => c.code);
  readonly #policies = new Table<number, RequirementPolicy>((p) => p.id);
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  #listening = false;
  /** Bumped by every emptying; a read that saw it move does not store what it read. */
  #epoch = 0;

  constructor(options: ReferenceCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  /** Whether entries are being served (the feed is listening and the cache is on). */
  get serving(): boolean {
    return this.#listening && this.#ttlMs > 0 && this.#maxEntries > 0;
  }

  /** The categories with these codes that exist, from memory where it may, else from `read`. */
  categories(
    codes: readonly string[],
    read: (codes: readonly string[]) => Promise<CreditCategory[]>,
  ): Promise<CreditCategory[]> {
    return this.#through(this.#categories, codes, read);
  }

  /** The policies with these ids that exist, from memory where it may, else from `read`. */
  policies(
    ids: readonly number[],
    read: (ids: readonly number[]) => Promise<RequirementPolicy[]>,
  ): Promise<RequirementPolicy[]> {
    return this.#through(this.#policies, ids, read);
  }

  async #through<K, V>(
    table: Table<K, V>,
    keys: readonly K[],
    read: (keys: readonly K[]) => Promise<V[]>,
  ): Promise<V[]> {
    if (!this.serving) return read(keys);
    const now = this.#now();
    const kept: V[] = [];
    const missing: K[] = [];
    for (const key of keys) {
      const entry = table.entries.get(key);
      if (entry && entry.until > now) kept.push({ ...entry.value });
      else missing.push(key);
    }
    if (missing.length === 0) return kept;
    const epoch = this.#epoch;
    const rows = await read(missing);
    if (epoch === this.#epoch && this.serving) {
      if (table.entries.size + rows.length > this.#maxEntries) table.entries.clear();
      const until = this.#now() + this.#ttlMs;
      for (const row of rows)
        table.entries.set(table.keyOf(row), { value: deepFrozen({ ...row }), until });
    }
    return [...kept, ...rows];
  }

  message(payload: string): void {
    this.#epoch += 1;
    if (payload === 'credit_categories') this.#categories.entries.clear();
    else if (payload === 'requirement_policies') this.#policies.entries.clear();
    else this.#empty();
  }

  listening(): void {
    this.#epoch += 1;
    this.#empty();
    this.#listening = true;
  }

  lost(): void {
    this.#listening = false;
    this.#epoch += 1;
    this.#empty();
  }

  #empty() {
    this.#categories.entries.clear();
    this.#policies.entries.clear();
  }
}

function deepFrozen<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFrozen(member);
    Object.freeze(value);
  }
  return value;
}

/** What the log says about the reference change feed (see `reportingFeed`). */
export const referenceFeedLines: FeedLines = {
  lost: 'reference change feed lost: categories and policies are read from the database until it reconnects',
  back: 'reference change feed listening again; reference data cached again',
};
