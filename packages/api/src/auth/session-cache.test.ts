import type { Account, LiveSession } from '@registry/db';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { reportingFeed } from '../change-feed';
import { SessionCache, sessionFeedLines } from './session-cache';

function account(id: number): Account {
  return {
    id,
    username: `user${id}`,
    displayName: `User ${id}`,
    teacherId: null,
    trainerId: null,
    memberships: [],
  };
}

/** A cache on a hand-moved clock, listening, with a loader that counts its calls. */
function setUp(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 1_000_000;
  const cache = new SessionCache({
    ttlMs: options.ttlMs ?? 10_000,
    maxEntries: options.maxEntries ?? 100,
    now: () => now,
  });
  cache.listening();
  const sessions = new Map<string, LiveSession>();
  let loads = 0;
  const open = (hash: string, userId: number, expiresInMs = 3_600_000) =>
    sessions.set(hash, { account: account(userId), expiresAt: new Date(now + expiresInMs) });
  const lookup = (hash: string) =>
    cache.lookup(hash, async () => {
      loads++;
      return sessions.get(hash) ?? null;
    });
  return {
    cache,
    sessions,
    open,
    lookup,
    loads: () => loads,
    advance: (ms: number) => void (now += ms),
  };
}

describe('SessionCache', () => {
  it('answers a token seen before from memory, with an account nobody can change', async () => {
    const t = setUp();
    t.open('a', 1);
    expect((await t.lookup('a'))?.id).toBe(1);
    const cached = await t.lookup('a');
    expect(cached?.id).toBe(1);
    expect(t.loads()).toBe(1);
    expect(Object.isFrozen(cached)).toBe(true);
    expect(Object.isFrozen(cached!.memberships)).toBe(true);
  });

  it('never keeps an unknown, revoked or expired token (no negative entries)', async () => {
    const t = setUp();
    expect(await t.lookup('x')).toBeNull();
    t.open('x', 7);
    expect((await t.lookup('x'))?.id).toBe(7);
    expect(t.loads()).toBe(2);
  });

  it.each([
    { case: 'the TTL passes first', ttlMs: 5_000, expiresInMs: 60_000, servedUntil: 5_000 },
    { case: 'the session ends first', ttlMs: 10_000, expiresInMs: 3_000, servedUntil: 3_000 },
  ])('serves an entry until $case', async ({ ttlMs, expiresInMs, servedUntil }) => {
    const t = setUp({ ttlMs });
    t.open('a', 1, expiresInMs);
    await t.lookup('a');
    t.advance(servedUntil - 1);
    await t.lookup('a');
    expect(t.loads()).toBe(1);
    t.advance(1);
    t.sessions.delete('a'); // the session ended: the database no longer finds it
    expect(await t.lookup('a')).toBeNull();
    expect(t.loads()).toBe(2);
  });

  it.each([
    { payload: '1', evicted: ['a', 'b'], kept: ['c'] },
    { payload: '3,1', evicted: ['a', 'b'], kept: ['c'] },
    { payload: '2', evicted: ['c'], kept: ['a', 'b'] },
    { payload: '99', evicted: [], kept: ['a', 'b', 'c'] },
    { payload: '*', evicted: ['a', 'b', 'c'], kept: [] },
    { payload: 'not ours', evicted: ['a', 'b', 'c'], kept: [] },
  ])('a notification "$payload" evicts $evicted', async ({ payload, evicted, kept }) => {
    const t = setUp();
    t.open('a', 1);
    t.open('b', 1);
    t.open('c', 2);
    for (const hash of ['a', 'b', 'c']) await t.lookup(hash);
    t.cache.message(payload);
    const before = t.loads();
    for (const hash of [...evicted, ...kept]) await t.lookup(hash);
    expect(t.loads() - before).toBe(evicted.length);
  });

  it('does not store a lookup that was in flight when a change arrived', async () => {
    const t = setUp();
    t.open('a', 1);
    // The lookup read the session before the change committed; the notice came before the
    // answer. What it read may be stale, so it is used for this request only.
    const account = await t.cache.lookup('a', async () => {
      const read = t.sessions.get('a')!;
      t.cache.message('1');
      return read;
    });
    expect(account?.id).toBe(1);
    expect(t.cache.size).toBe(0);
  });

  it('forgets a session this process ended, and a lookup in flight is not stored', async () => {
    const t = setUp();
    t.open('a', 1);
    await t.lookup('a');
    t.cache.forget('a');
    expect(t.cache.size).toBe(0);
    await t.cache.lookup('a', async () => {
      const read = t.sessions.get('a')!;
      t.cache.forget('a');
      return read;
    });
    expect(t.cache.size).toBe(0);
  });

  it('serves nothing until listening, nor after the feed is lost, and starts empty again', async () => {
    const cache = new SessionCache({ ttlMs: 10_000, maxEntries: 10 });
    const session = { account: account(1), expiresAt: new Date(Date.now() + 60_000) };
    let loads = 0;
    const load = async () => (loads++, session);
    await cache.lookup('a', load);
    await cache.lookup('a', load);
    expect(loads).toBe(2);
    expect(cache.size).toBe(0);

    cache.listening();
    await cache.lookup('a', load);
    await cache.lookup('a', load);
    expect(loads).toBe(3);

    cache.lost();
    expect(cache.serving).toBe(false);
    expect(cache.size).toBe(0);
    await cache.lookup('a', load);
    expect(loads).toBe(4);

    cache.listening();
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the oldest', async () => {
    const t = setUp({ maxEntries: 2 });
    t.open('a', 1);
    t.open('b', 2);
    t.open('c', 3);
    for (const hash of ['a', 'b', 'c']) await t.lookup(hash);
    expect(t.cache.size).toBe(2);
    const before = t.loads();
    await t.lookup('c');
    await t.lookup('b');
    expect(t.loads()).toBe(before);
    await t.lookup('a');
    expect(t.loads()).toBe(before + 1);
    // A user's eviction still finds their remaining entries after others were dropped.
    t.cache.message('3');
    expect(t.cache.size).toBe(1);
  });

  it('is off with a TTL of 0', async () => {
    const t = setUp({ ttlMs: 0 });
    t.open('a', 1);
    await t.lookup('a');
    await t.lookup('a');
    expect(t.loads()).toBe(2);
    expect(t.cache.serving).toBe(false);
  });
});

describe('reportingFeed', () => {
  it('logs when the feed is lost and when it listens again, and forwards to the cache', () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const log = createLogger(
      { LOG_LEVEL: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line)) },
    );
    const cache = new SessionCache({ ttlMs: 10_000, maxEntries: 10 });
    const feed = reportingFeed(cache, log, sessionFeedLines);
    feed.listening();
    expect(cache.serving).toBe(true);
    expect(lines).toEqual([]);
    feed.lost(new Error('connection terminated'));
    expect(cache.serving).toBe(false);
    feed.listening();
    expect(cache.serving).toBe(true);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [40, 'session change feed lost: every request looks its session up until it reconnects'],
      [30, 'session change feed listening again; sessions cached again'],
    ]);
  });
});
