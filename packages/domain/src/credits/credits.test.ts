import { describe, expect, it } from 'vitest';
import type { DeliveryMode, LedgerEntryKind } from '../vocabulary/vocabulary';
import { dateOfDay, dayNumber, todayInChina } from './calendar-date';
import {
  convertCreditHours,
  countsToward,
  cycleContaining,
  ledgerProgress,
  policyForDate,
  progressAgainstRequirement,
  transcriptTotals,
  type CycleScheme,
  type LedgerEntry,
  type ProgressStatus,
  type RequirementPolicy,
} from './credits';

describe('convertCreditHours', () => {
  it.each<[number, DeliveryMode, Record<string, number>, number]>([
    [10, 'centralized', {}, 10],
    [10, 'online', { online: 0.5 }, 5],
    [10, 'centralized', { online: 0.5 }, 10],
    [3, 'observation', { online: 0.5, observation: 0.5 }, 1.5],
    [1.5, 'mentoring', { mentoring: 2 }, 3],
    // 7 × 0.333 = 2.331 → 2.33
    [7, 'online', { online: 0.333 }, 2.33],
    // 0.25 × 0.5 = 0.125 → 0.13: halves go up, as PostgreSQL's round(numeric, 2).
    [0.25, 'online', { online: 0.5 }, 0.13],
    // 0.01 × 0.5 = 0.005 → 0.01
    [0.01, 'online', { online: 0.5 }, 0.01],
    // 0.01 × 0.4 = 0.004 → 0
    [0.01, 'online', { online: 0.4 }, 0],
    // 1.15 is 1.1499999999999999 in binary; still exactly 1.15 × 1.
    [1.15, 'blended', {}, 1.15],
    [0.7, 'school_based', { school_based: 3 }, 2.1],
    [1000, 'online', { online: 10 }, 10000],
    [33.33, 'online', { online: 0.6 }, 20],
  ])('%d h %s with %j → %d h', (hours, mode, factors, expected) => {
    expect(convertCreditHours(hours, mode, factors)).toBe(expected);
  });
});

const policy = (overrides: Partial<RequirementPolicy> = {}): RequirementPolicy => ({
  id: 1,
  cycleStartsOn: '2021-01-01',
  cycleEndsOn: '2025-12-31',
  totalHours: 360,
  categoryMinimums: { school_based: 120 },
  categoryCaps: {},
  yearlyCap: null,
  conversionFactors: { online: 0.5 },
  ...overrides,
});

describe('policyForDate', () => {
  const cycles = [
    policy({ id: 2, cycleStartsOn: '2026-01-01', cycleEndsOn: '2030-12-31' }),
    policy({ id: 1 }),
  ];
  it.each<[string, number | null]>([
    ['2020-12-31', null],
    ['2021-01-01', 1],
    ['2023-06-15', 1],
    ['2025-12-31', 1],
    ['2026-01-01', 2],
    ['2030-12-31', 2],
    ['2031-01-01', null],
  ])('%s → policy %j', (date, id) => {
    expect(policyForDate(cycles, date)?.id ?? null).toBe(id);
  });

  it('picks the earliest-starting cycle when two overlap', () => {
    const overlapping = [policy({ id: 5, cycleStartsOn: '2023-01-01' }), policy({ id: 4 })];
    expect(policyForDate(overlapping, '2024-01-01')?.id).toBe(4);
  });

  it('rejects a malformed date', () => {
    expect(() => policyForDate(cycles, '2024-02-30')).toThrow(RangeError);
    expect(() => policyForDate(cycles, '2024/01/01')).toThrow(RangeError);
  });
});

describe('cycleContaining', () => {
  const fiveYears: CycleScheme = { firstYear: 2021, lengthYears: 5 };
  const schoolYear: CycleScheme = { firstYear: 2020, lengthYears: 3, startsOn: '09-01' };
  it.each<[string, CycleScheme, [number, string, string] | null]>([
    ['2020-12-31', fiveYears, null],
    ['2021-01-01', fiveYears, [0, '2021-01-01', '2025-12-31']],
    ['2025-12-31', fiveYears, [0, '2021-01-01', '2025-12-31']],
    ['2026-01-01', fiveYears, [1, '2026-01-01', '2030-12-31']],
    ['2052-07-01', fiveYears, [6, '2051-01-01', '2055-12-31']],
    ['2020-08-31', schoolYear, null],
    ['2020-09-01', schoolYear, [0, '2020-09-01', '2023-08-31']],
    ['2023-08-31', schoolYear, [0, '2020-09-01', '2023-08-31']],
    ['2023-09-01', schoolYear, [1, '2023-09-01', '2026-08-31']],
    ['2026-01-15', schoolYear, [1, '2023-09-01', '2026-08-31']],
    ['2024-02-29', { firstYear: 2024, lengthYears: 1 }, [0, '2024-01-01', '2024-12-31']],
  ])('%s in %j → %j', (date, scheme, expected) => {
    const cycle = cycleContaining(date, scheme);
    expect(cycle && [cycle.index, cycle.startsOn, cycle.endsOn]).toEqual(expected);
  });

  it('refuses a cycle of zero years', () => {
    expect(() => cycleContaining('2024-01-01', { firstYear: 2020, lengthYears: 0 })).toThrow();
  });
});

const entry = (
  kind: LedgerEntryKind,
  hours: number,
  category: string,
  earnedOn: string,
  policyId: number | null = 1,
): LedgerEntry => ({ kind, hours, category, earnedOn, policyId });

describe('transcriptTotals', () => {
  it('is empty for an empty ledger', () => {
    expect(transcriptTotals([])).toEqual([]);
  });

  it.each<[string, LedgerEntry[], number, Record<string, number>]>([
    ['one award', [entry('award', 24, 'professional', '2022-05-01')], 24, { professional: 24 }],
    [
      'awards in two categories',
      [
        entry('award', 24, 'professional', '2022-05-01'),
        entry('award', 4, 'school_based', '2022-06-01'),
      ],
      28,
      { professional: 24, school_based: 4 },
    ],
    [
      'a revocation cancels its award',
      [
        entry('award', 12, 'professional', '2022-05-01'),
        entry('revocation', -12, 'professional', '2022-05-01'),
      ],
      0,
      { professional: 0 },
    ],
    [
      'a negative adjustment takes hours back',
      [entry('award', 6, 'online', '2022-05-01'), entry('adjustment', -2, 'online', '2022-05-01')],
      4,
      { online: 4 },
    ],
    [
      'hundredths add up exactly',
      [entry('award', 0.1, 'a', '2022-01-01'), entry('award', 0.2, 'a', '2022-01-02')],
      0.3,
      { a: 0.3 },
    ],
    [
      'many small entries do not drift',
      Array.from({ length: 1000 }, (_, i) =>
        entry('award', 0.01, 'a', dateOfDay(dayNumber('2022-01-01') + (i % 300))),
      ),
      10,
      { a: 10 },
    ],
  ])('%s', (_name, entries, total, categories) => {
    const [cycle] = transcriptTotals(entries);
    expect(cycle?.totalHours).toBe(total);
    expect(Object.fromEntries(cycle?.categories.map((c) => [c.category, c.hours]) ?? [])).toEqual(
      categories,
    );
  });

  it('splits by cycle, kind and year; entries outside any cycle come last', () => {
    const totals = transcriptTotals([
      entry('award', 8, 'school_based', '2025-03-01', null),
      entry('award', 24, 'professional', '2022-05-01', 1),
      entry('adjustment', 4, 'school_based', '2023-05-01', 1),
      entry('award', 10, 'professional', '2026-02-01', 2),
      entry('revocation', -10, 'professional', '2026-02-01', 2),
      entry('award', 6, 'professional', '2023-01-01', 1),
    ]);
    expect(totals).toEqual([
      {
        policyId: 1,
        totalHours: 34,
        byKind: { award: 30, adjustment: 4, revocation: 0 },
        categories: [
          { category: 'professional', hours: 30 },
          { category: 'school_based', hours: 4 },
        ],
        cells: [
          { category: 'professional', year: 2022, hours: 24 },
          { category: 'professional', year: 2023, hours: 6 },
          { category: 'school_based', year: 2023, hours: 4 },
        ],
      },
      {
        policyId: 2,
        totalHours: 0,
        byKind: { award: 10, adjustment: 0, revocation: -10 },
        categories: [{ category: 'professional', hours: 0 }],
        cells: [{ category: 'professional', year: 2026, hours: 0 }],
      },
      {
        policyId: null,
        totalHours: 8,
        byKind: { award: 8, adjustment: 0, revocation: 0 },
        categories: [{ category: 'school_based', hours: 8 }],
        cells: [{ category: 'school_based', year: 2025, hours: 8 }],
      },
    ]);
  });
});

describe('progressAgainstRequirement: status by date', () => {
  // 360 hours over 2021-01-01..2025-12-31 (1826 days); school-based minimum 120.
  it.each<[string, number, number, ProgressStatus, ProgressStatus, number]>([
    // asOf, professional hours, school-based hours → total status, school-based status, remaining
    ['2021-01-01', 0, 0, 'on_track', 'on_track', 360],
    ['2021-01-02', 0, 0, 'behind', 'behind', 360],
    ['2021-01-02', 0.2, 0, 'on_track', 'behind', 359.8],
    ['2023-07-02', 180, 0, 'on_track', 'behind', 180],
    ['2023-07-03', 179.9, 0, 'behind', 'behind', 180.1],
    ['2023-07-02', 120, 60, 'on_track', 'on_track', 180],
    // The last day still counts as pace (days before it), so 0.01 h short is on track ...
    ['2025-12-31', 359.99, 0, 'on_track', 'behind', 0.01],
    // ... and behind once the cycle is over.
    ['2026-01-01', 359.99, 0, 'behind', 'behind', 0.01],
    ['2025-12-31', 240, 120, 'met', 'met', 0],
    ['2024-01-01', 300, 120, 'met', 'met', 0],
    ['2027-06-01', 200, 120, 'behind', 'met', 40],
    ['2020-06-01', 0, 0, 'on_track', 'on_track', 360],
  ])(
    '%s with %d + %d school-based h → %s / %s, %d h remaining',
    (asOf, professional, schoolBased, total, category, remaining) => {
      const [totals] = transcriptTotals([
        entry('award', professional, 'professional', '2021-06-01'),
        entry('award', schoolBased, 'school_based', '2021-06-01'),
      ]);
      const progress = progressAgainstRequirement(totals!, policy(), asOf);
      expect(progress.total.status).toBe(total);
      expect(progress.total.remaining).toBe(remaining);
      expect(progress.categories.find((c) => c.category === 'school_based')?.status).toBe(category);
    },
  );

  it('reports elapsed days, clamped to the cycle', () => {
    const [totals] = transcriptTotals([entry('award', 1, 'a', '2021-02-01')]);
    expect(progressAgainstRequirement(totals!, policy(), '2021-01-01')).toMatchObject({
      elapsedDays: 0,
      cycleDays: 1826,
    });
    expect(progressAgainstRequirement(totals!, policy(), '2021-01-31')).toMatchObject({
      elapsedDays: 30,
    });
    expect(progressAgainstRequirement(totals!, policy(), '2030-01-01')).toMatchObject({
      elapsedDays: 1826,
    });
    expect(progressAgainstRequirement(totals!, policy(), '2019-01-01')).toMatchObject({
      elapsedDays: 0,
    });
  });
});

describe('progressAgainstRequirement: caps', () => {
  it.each<[string, LedgerEntry[], Partial<RequirementPolicy>, number, number]>([
    // name, entries, policy overrides → total earned, total counted
    ['no caps', [entry('award', 100, 'online', '2022-01-01')], {}, 100, 100],
    [
      'category cap binds',
      [entry('award', 100, 'online', '2022-01-01')],
      { categoryCaps: { online: 60 } },
      100,
      60,
    ],
    [
      'category cap exactly reached',
      [entry('award', 60, 'online', '2022-01-01')],
      { categoryCaps: { online: 60 } },
      60,
      60,
    ],
    [
      'yearly cap binds per calendar year',
      [entry('award', 100, 'a', '2022-01-01'), entry('award', 50, 'a', '2023-01-01')],
      { yearlyCap: 72 },
      150,
      122,
    ],
    [
      'yearly cap at exactly the cap',
      [entry('award', 72, 'a', '2022-01-01'), entry('award', 72, 'b', '2023-12-31')],
      { yearlyCap: 72 },
      144,
      144,
    ],
    [
      // Category a capped at 2 (all in 2022); b has 10 in 2023 under a yearly cap of 5:
      // 2 + 5 = 7. "Smaller of the two capped sums" would say min(12, 10) = 10.
      'caps binding in different places',
      [entry('award', 10, 'a', '2022-03-01'), entry('award', 10, 'b', '2023-03-01')],
      { categoryCaps: { a: 2 }, yearlyCap: 5 },
      20,
      7,
    ],
    [
      'capped category shares a year with an uncapped one',
      [entry('award', 10, 'a', '2022-03-01'), entry('award', 10, 'b', '2022-04-01')],
      { categoryCaps: { a: 4 }, yearlyCap: 12 },
      20,
      12,
    ],
    [
      'a revocation dated in another year still takes its hours back',
      [entry('award', 30, 'a', '2022-12-30'), entry('revocation', -30, 'a', '2023-01-02')],
      { yearlyCap: 72 },
      0,
      0,
    ],
    [
      'counted never exceeds the net ledger, even when one category is negative',
      [entry('adjustment', -5, 'a', '2022-01-01'), entry('award', 10, 'b', '2022-01-01')],
      {},
      5,
      5,
    ],
    ['an empty transcript', [], {}, 0, 0],
  ])('%s', (_name, entries, overrides, earned, counted) => {
    const totals = transcriptTotals(entries)[0] ?? {
      policyId: 1,
      totalHours: 0,
      byKind: { award: 0, adjustment: 0, revocation: 0 },
      categories: [],
      cells: [],
    };
    const progress = progressAgainstRequirement(totals, policy(overrides), '2023-06-01');
    expect(progress.total.earned).toBe(earned);
    expect(progress.total.counted).toBe(counted);
  });

  it('lists categories with a minimum, a cap or hours, with what the cap cut', () => {
    const [totals] = transcriptTotals([
      entry('award', 80, 'online', '2022-01-01'),
      entry('award', 130, 'school_based', '2022-01-01'),
    ]);
    const progress = progressAgainstRequirement(
      totals!,
      policy({
        categoryMinimums: { school_based: 120, professional: 60 },
        categoryCaps: { online: 50 },
      }),
      '2023-06-01',
    );
    expect(progress.categories).toEqual([
      {
        category: 'online',
        required: 0,
        earned: 80,
        counted: 50,
        remaining: 0,
        status: 'met',
        cap: 50,
        overCap: 30,
      },
      {
        category: 'professional',
        required: 60,
        earned: 0,
        counted: 0,
        remaining: 60,
        status: 'behind',
        cap: null,
        overCap: 0,
      },
      {
        category: 'school_based',
        required: 120,
        earned: 130,
        counted: 130,
        remaining: 0,
        status: 'met',
        cap: null,
        overCap: 0,
      },
    ]);
    expect(progress.total).toEqual({
      required: 360,
      earned: 210,
      counted: 180,
      remaining: 180,
      status: 'on_track',
    });
  });
});

describe('countsToward', () => {
  // Policy 1: 2021-01-01..2025-12-31.
  it.each<[string, number | null, string, boolean]>([
    ['names the cycle', 1, '2019-06-01', true],
    ['names another cycle, though dated inside this one', 2, '2023-06-01', false],
    ['no cycle, dated inside', null, '2023-06-01', true],
    ['no cycle, on the first day', null, '2021-01-01', true],
    ['no cycle, on the last day', null, '2025-12-31', true],
    ['no cycle, the day after', null, '2026-01-01', false],
  ])('%s', (_case, policyId, earnedOn, counts) => {
    expect(countsToward({ policyId, earnedOn }, policy())).toBe(counts);
  });
});

describe('ledgerProgress', () => {
  const entry = (overrides: Partial<LedgerEntry>): LedgerEntry => ({
    kind: 'award',
    hours: 12,
    category: 'professional',
    policyId: 1,
    earnedOn: '2023-03-01',
    ...overrides,
  });

  it('sums only the entries that count toward the cycle, and holds them against the policy', () => {
    const answer = ledgerProgress(
      [
        entry({}),
        entry({ policyId: null, earnedOn: '2024-05-01', category: 'school_based', hours: 6 }),
        entry({ policyId: 2, hours: 30 }),
        entry({ policyId: null, earnedOn: '2020-12-31', hours: 30 }),
      ],
      policy(),
      '2025-12-31',
    );
    expect(answer.entryCount).toBe(2);
    expect(answer.totals).toMatchObject({ policyId: 1, totalHours: 18 });
    expect(answer.progress.total).toMatchObject({ earned: 18, counted: 18, status: 'behind' });
  });

  it('answers an empty ledger with zeros, not nothing', () => {
    const answer = ledgerProgress([], policy(), '2021-01-01');
    expect(answer.entryCount).toBe(0);
    expect(answer.totals).toEqual({
      policyId: 1,
      totalHours: 0,
      byKind: { award: 0, adjustment: 0, revocation: 0 },
      categories: [],
      cells: [],
    });
    expect(answer.progress.total).toMatchObject({ earned: 0, counted: 0, status: 'on_track' });
  });
});

describe('todayInChina', () => {
  it.each<[string, string]>([
    ['2026-12-05T15:59:59Z', '2026-12-05'],
    ['2026-12-05T16:00:00Z', '2026-12-06'],
    ['2026-12-31T23:00:00Z', '2027-01-01'],
  ])('%s is %s in China', (instant, day) => {
    expect(todayInChina(Date.parse(instant))).toBe(day);
  });
});
