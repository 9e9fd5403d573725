import type { CreditCategory, RequirementPolicy } from '@registry/db';
import { describe, expect, it } from 'vitest';
import { ReferenceCache } from './reference-cache';

const category = (code: string, nameEn = code): CreditCategory => ({ code, nameEn, nameZh: code });
const policy = (id: number, totalHours = 360): RequirementPolicy => ({
  id,
  regionId: 1,
  name: `policy ${id}`,
  cycleStartsOn: '2026-01-01',
  cycleEndsOn: '2030-12-31',
  totalHours,
  categoryMinimums: { school_based: 120 },
  categoryCaps: {},
  yearlyCap: null,
  conversionFactors: {},
});

/** A table the cache reads through, counting what it was asked for. */
function source<K, V>(rows: Map<K, V>) {
  const asked: K[][] = [];
  return {
    asked,
    rows,
    read: async (keys: readonly K[]) => {
      asked.push([...keys]);
      return keys.flatMap((key) => (rows.has(key) ? [rows.get(key)!] : []));
    },
  };
}

function setUp(options: { ttlMs?: number; maxEntries?: number } = {}) {
  let now = 1_000;
  const cache = new ReferenceCache({
    ttlMs: options.ttlMs ?? 60_000,
    maxEntries: options.maxEntries ?? 100,
    now: () => now,
  });
  const categories = source(new Map([['general', category('general')]]));
  const policies = source(
    new Map([
      [1, policy(1)],
      [2, policy(2)],
    ]),
  );
  return {
    cache,
    categories,
    policies,
    advance: (ms: number) => (now += ms),
    readPolicies: (ids: number[]) => cache.policies(ids, policies.read),
    readCategories: (codes: string[]) => cache.categories(codes, categories.read),
  };
}

describe('ReferenceCache', () => {
  const notListening: Array<[string, (cache: ReferenceCache) => void, { ttlMs?: number }]> = [
    ['before the feed first listens', () => {}, {}],
    [
      'once the feed is lost',
      (cache) => {
        cache.listening();
        cache.lost();
      },
      {},
    ],
    ['when turned off (ttl 0)', (cache) => cache.listening(), { ttlMs: 0 }],
  ];
  it.each(notListening)('reads every time %s', async (_case, prepare, options) => {
    const { cache, policies, readPolicies } = setUp(options);
    prepare(cache);
    await readPolicies([1]);
    await readPolicies([1]);
    expect(policies.asked).toEqual([[1], [1]]);
    expect(cache.serving).toBe(false);
  });

  it('answers rows it read before from memory, and reads only the missing ones', async () => {
    const { cache, policies, readPolicies } = setUp();
    cache.listening();
    expect((await readPolicies([1])).map((p) => p.id)).toEqual([1]);
    expect((await readPolicies([1, 2])).map((p) => p.id).sort()).toEqual([1, 2]);
    expect((await readPolicies([2, 1])).map((p) => p.id).sort()).toEqual([1, 2]);
    expect(policies.asked).toEqual([[1], [2]]);
  });

  it('keeps no misses: an id nobody has is asked for again', async () => {
    const { cache, policies, readPolicies } = setUp();
    cache.listening();
    expect(await readPolicies([99])).toEqual([]);
    expect(await readPolicies([99])).toEqual([]);
    expect(policies.asked).toEqual([[99], [99]]);
  });

  it.each([
    ['requirement_policies', { policies: 2, categories: 1 }],
    ['credit_categories', { policies: 1, categories: 2 }],
    ['*', { policies: 2, categories: 2 }],
  ])('a notification about %s empties what it names', async (payload, reads) => {
    const { cache, policies, categories, readPolicies, readCategories } = setUp();
    cache.listening();
    await readPolicies([1]);
    await readCategories(['general']);
    cache.message(payload);
    await readPolicies([1]);
    await readCategories(['general']);
    expect(policies.asked).toHaveLength(reads.policies);
    expect(categories.asked).toHaveLength(reads.categories);
  });

  it('stores nothing from a read a notification overtook', async () => {
    const { cache, policies } = setUp();
    cache.listening();
    // The read sees the row as it was; the change commits and is announced before it returns.
    const stale = cache.policies([1], async (ids) => {
      const rows = await policies.read(ids);
      policies.rows.set(1, policy(1, 300));
      cache.message('requirement_policies');
      return rows;
    });
    expect((await stale)[0]!.totalHours).toBe(360);
    expect((await cache.policies([1], policies.read))[0]!.totalHours).toBe(300);
    expect(policies.asked).toEqual([[1], [1]]);
  });

  it('serves an entry for ttlMs at most', async () => {
    const { cache, policies, advance, readPolicies } = setUp({ ttlMs: 1_000 });
    cache.listening();
    await readPolicies([1]);
    advance(999);
    await readPolicies([1]);
    advance(1);
    await readPolicies([1]);
    expect(policies.asked).toEqual([[1], [1]]);
  });

  it('starts a table over when it would pass maxEntries', async () => {
    const { cache, policies, readPolicies } = setUp({ maxEntries: 1 });
    cache.listening();
    await readPolicies([1]);
    await readPolicies([2]); // 1 is dropped to make room
    await readPolicies([2]);
    await readPolicies([1]);
    expect(policies.asked).toEqual([[1], [2], [1]]);
  });

  it('hands every request its own copy of a row, whose contents no one can change', async () => {
    const { cache, readPolicies } = setUp();
    cache.listening();
    await readPolicies([1]);
    const [first] = await readPolicies([1]);
    const [second] = await readPolicies([1]);
    expect(first).not.toBe(second);
    expect(first).toEqual(second);
    // The schema brands a node with its type: the row itself must stay extensible.
    expect(Object.isExtensible(first)).toBe(true);
    expect(() => {
      (first!.categoryMinimums as Record<string, number>).school_based = 0;
    }).toThrow(TypeError);
  });
});
