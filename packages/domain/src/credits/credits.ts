import type { z } from 'zod';
import type { categoryHoursSchema, conversionFactorsSchema } from '../rules/rule-schemas';
import type { DeliveryMode, LedgerEntryKind } from '../vocabulary/vocabulary';
import { dateOfDay, dayNumber, yearOf } from './calendar-date';

/**
 * Credit arithmetic: how awarded hours convert under a region's requirement policy, which cycle
 * they count toward, what a transcript adds up to and how far a teacher is from the requirement.
 *
 * Units. Ledger hours are numeric(7,2): every figure here is computed in integer hundredths of
 * an hour ("centi-hours") and turned back into hours only in results, so sums of many entries
 * never drift (0.1 + 0.2 is 0.3).
 *
 * Rounding (the one decision the ledger depends on): converted hours are rounded to the
 * hundredth of an hour, halves away from zero, exactly like PostgreSQL's round(numeric, 2),
 * which the seed's SQL uses and the ledger column stores. Only the conversion rounds; sums and
 * progress never do.
 */

export type ConversionFactors = z.infer<typeof conversionFactorsSchema>;
export type CategoryHours = z.infer<typeof categoryHoursSchema>;

/** A requirement policy is one cycle of one region (table requirement_policies). */
export interface RequirementPolicy {
  id: number;
  /** First and last day of the cycle, both inclusive (`earned_on between starts and ends`). */
  cycleStartsOn: string;
  cycleEndsOn: string;
  totalHours: number;
  categoryMinimums: CategoryHours;
  categoryCaps: CategoryHours;
  /** Most hours that count per calendar year of the cycle; null = no cap. */
  yearlyCap: number | null;
  conversionFactors: ConversionFactors;
}

const toCenti = (hours: number) => Math.round(hours * 100);
const toHours = (centi: number) => centi / 100;

/** Factors are read to six decimals: exact for every factor a policy document would state. */
const factorScale = 1_000_000;

/** The policy's factor for a delivery mode; a mode the policy does not mention counts 1:1. */
export function conversionFactor(factors: ConversionFactors, deliveryMode: DeliveryMode): number {
  return factors[deliveryMode] ?? 1;
}

/**
 * Credit hours of an activity converted by the policy's factor for its delivery mode, e.g. a
 * 10-hour online course at factor 0.5 awards 5 hours. Rounded to 0.01 h, halves up.
 */
export function convertCreditHours(
  creditHours: number,
  deliveryMode: DeliveryMode,
  factors: ConversionFactors,
): number {
  const hours = toCenti(creditHours);
  const factor = Math.round(conversionFactor(factors, deliveryMode) * factorScale);
  // hours × factor < 1e5 × 1e7 = 1e12: well inside exact integer range.
  const product = hours * factor;
  const sign = product < 0 ? -1 : 1;
  return toHours(sign * Math.floor((Math.abs(product) + factorScale / 2) / factorScale) || 0);
}

/**
 * The policy whose cycle contains `date` (the day credit is earned: the activity's last day).
 * Cycles of one region do not overlap; if they did, the earliest-starting one wins so the
 * answer is still deterministic. Null when no cycle covers the date: the award is then
 * recorded without a cycle and shows as unassigned on the transcript.
 */
export function policyForDate<P extends RequirementPolicy>(
  policies: readonly P[],
  date: string,
): P | null {
  const day = dayNumber(date);
  const covering = policies
    .filter((p) => dayNumber(p.cycleStartsOn) <= day && day <= dayNumber(p.cycleEndsOn))
    .sort((a, b) => dayNumber(a.cycleStartsOn) - dayNumber(b.cycleStartsOn));
  return covering[0] ?? null;
}

export interface CycleScheme {
  /** Year the first cycle starts. */
  firstYear: number;
  /** Length of every cycle in whole years (e.g. 5). */
  lengthYears: number;
  /** Month and day the cycles start, 'MM-DD'; 1 January when left out. */
  startsOn?: string;
}

export interface Cycle {
  /** 0 for the first cycle. */
  index: number;
  startsOn: string;
  endsOn: string;
}

/**
 * The cycle of a repeating scheme ("every 5 years from 2021") that contains `date`, for
 * creating the next requirement policy. Null before the first cycle starts.
 */
export function cycleContaining(date: string, scheme: CycleScheme): Cycle | null {
  if (!Number.isInteger(scheme.lengthYears) || scheme.lengthYears < 1) {
    throw new RangeError('a cycle lasts a whole number of years, at least one');
  }
  const monthDay = scheme.startsOn ?? '01-01';
  const startOf = (index: number) =>
    `${String(scheme.firstYear + index * scheme.lengthYears).padStart(4, '0')}-${monthDay}`;
  const day = dayNumber(date);
  if (day < dayNumber(startOf(0))) return null;
  // Estimate by years, then step: a start of 29 February is invalid and throws in dayNumber.
  let index = Math.floor((yearOf(date) - scheme.firstYear) / scheme.lengthYears);
  while (index > 0 && dayNumber(startOf(index)) > day) index -= 1;
  while (dayNumber(startOf(index + 1)) <= day) index += 1;
  return {
    index,
    startsOn: startOf(index),
    endsOn: dateOfDay(dayNumber(startOf(index + 1)) - 1),
  };
}

// --- transcript --------------------------------------------------------------------------------

/** One row of the credit ledger as the transcript needs it. */
export interface LedgerEntry {
  kind: LedgerEntryKind;
  /** Positive for awards; negative for revocations; either sign for adjustments. */
  hours: number;
  category: string;
  /** The cycle (requirement policy) the entry counts toward; null = outside every cycle. */
  policyId: number | null;
  earnedOn: string;
}

export interface CycleTotals {
  policyId: number | null;
  /** Net hours: awards + adjustments + revocations. */
  totalHours: number;
  byKind: Record<LedgerEntryKind, number>;
  /** Net hours per category, categories in code order. */
  categories: { category: string; hours: number }[];
  /** Net hours per category and calendar year, for yearly caps. */
  cells: { category: string; year: number; hours: number }[];
}

/**
 * Sums the ledger per cycle. A transcript is always this sum, never a stored counter: every
 * figure here can be recomputed from the entries. Cycles come in policy id order, the entries
 * outside any cycle last.
 */
export function transcriptTotals(entries: readonly LedgerEntry[]): CycleTotals[] {
  interface Acc {
    total: number;
    byKind: Record<LedgerEntryKind, number>;
    categories: Map<string, number>;
    cells: Map<string, { category: string; year: number; hours: number }>;
  }
  const cycles = new Map<number | null, Acc>();
  for (const entry of entries) {
    let acc = cycles.get(entry.policyId);
    if (!acc) {
      acc = {
        total: 0,
        byKind: { award: 0, adjustment: 0, revocation: 0 },
        categories: new Map(),
        cells: new Map(),
      };
      cycles.set(entry.policyId, acc);
    }
    const centi = toCenti(entry.hours);
    const year = yearOf(entry.earnedOn);
    acc.total += centi;
    acc.byKind[entry.kind] += centi;
    acc.categories.set(entry.category, (acc.categories.get(entry.category) ?? 0) + centi);
    const key = `${entry.category}\u0000${year}`;
    const cell = acc.cells.get(key) ?? { category: entry.category, year, hours: 0 };
    cell.hours += centi;
    acc.cells.set(key, cell);
  }
  const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...cycles.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a - b))
    .map(([policyId, acc]) => ({
      policyId,
      totalHours: toHours(acc.total),
      byKind: {
        award: toHours(acc.byKind.award),
        adjustment: toHours(acc.byKind.adjustment),
        revocation: toHours(acc.byKind.revocation),
      },
      categories: [...acc.categories.entries()]
        .sort(([a], [b]) => byCode(a, b))
        .map(([category, hours]) => ({ category, hours: toHours(hours) })),
      cells: [...acc.cells.values()]
        .sort((a, b) => byCode(a.category, b.category) || a.year - b.year)
        .map((c) => ({ ...c, hours: toHours(c.hours) })),
    }));
}

// --- progress ----------------------------------------------------------------------------------

export const progressStatuses = ['behind', 'on_track', 'met'] as const;
export type ProgressStatus = (typeof progressStatuses)[number];

export interface ProgressLine {
  /** Hours the policy asks for (the category minimum, or the cycle total); 0 = none. */
  required: number;
  /** Net ledger hours. */
  earned: number;
  /** Hours that count toward the requirement after caps. */
  counted: number;
  remaining: number;
  status: ProgressStatus;
}

export interface CategoryProgress extends ProgressLine {
  category: string;
  /** Most hours of this category that count; null = no cap. */
  cap: number | null;
  /** Hours earned beyond the cap, which do not count. */
  overCap: number;
}

export interface RequirementProgress {
  policyId: number;
  asOf: string;
  /** Days of the cycle before `asOf` (0 on its first day) and days in the cycle. */
  elapsedDays: number;
  cycleDays: number;
  total: ProgressLine;
  categories: CategoryProgress[];
}

/**
 * Status of one requirement at a date. Met when the counted hours reach the requirement.
 * Otherwise on track when they keep pace with time: counted / required ≥ the share of the
 * cycle already elapsed (days before `asOf`, so nobody is behind on the first day). After the
 * cycle ends, anything short is behind. Compared in integers: counted × cycleDays ≥
 * required × elapsedDays.
 */
function statusOf(
  counted: number,
  required: number,
  elapsedDays: number,
  cycleDays: number,
): ProgressStatus {
  if (counted >= required) return 'met';
  return counted * cycleDays >= required * elapsedDays ? 'on_track' : 'behind';
}

/**
 * Maximum hours that can count under both the category caps and the yearly cap. Each hour
 * belongs to one category and one year, so this is a maximum flow: source → category (its
 * cap) → year (the hours earned in that category and year) → sink (the yearly cap). Taking the
 * smaller of "sum of capped categories" and "sum of capped years" would overcount when the
 * caps bind in different places. The graph is tiny (a few categories, at most a few years).
 */
function maxCountable(
  cells: readonly { category: string; year: number; hours: number }[],
  categoryCap: (category: string) => number | null,
  yearlyCap: number | null,
): number {
  const categories = [...new Set(cells.map((c) => c.category))];
  const years = [...new Set(cells.map((c) => c.year))];
  const total = cells.reduce((sum, c) => sum + c.hours, 0);
  const source = 0;
  const sink = 1 + categories.length + years.length;
  const size = sink + 1;
  const capacity: number[][] = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  const set = (from: number, to: number, value: number) => {
    const row = capacity[from];
    if (row) row[to] = (row[to] ?? 0) + value;
  };
  categories.forEach((category, i) => set(source, 1 + i, categoryCap(category) ?? total));
  years.forEach((_, j) => set(1 + categories.length + j, sink, yearlyCap ?? total));
  for (const cell of cells) {
    set(
      1 + categories.indexOf(cell.category),
      1 + categories.length + years.indexOf(cell.year),
      cell.hours,
    );
  }
  const at = (from: number, to: number) => capacity[from]?.[to] ?? 0;

  // Edmonds–Karp: shortest augmenting paths until none is left.
  let flow = 0;
  for (;;) {
    const previous = new Array<number>(size).fill(-1);
    previous[source] = source;
    const queue = [source];
    while (queue.length > 0 && previous[sink] === -1) {
      const node = queue.shift() ?? source;
      for (let next = 0; next < size; next += 1) {
        if (previous[next] === -1 && at(node, next) > 0) {
          previous[next] = node;
          queue.push(next);
        }
      }
    }
    if (previous[sink] === -1) return flow;
    let push = Number.POSITIVE_INFINITY;
    for (let node = sink; node !== source; node = previous[node] ?? source) {
      push = Math.min(push, at(previous[node] ?? source, node));
    }
    for (let node = sink; node !== source; node = previous[node] ?? source) {
      const from = previous[node] ?? source;
      set(from, node, -push);
      set(node, from, push);
    }
    flow += push;
  }
}

/**
 * Net negative cells (a correction dated in another year than what it corrects) are taken off
 * the same category's other years, latest year first, so a revocation is never ignored just
 * because its year had nothing else; a category whose net is negative counts nothing.
 */
function settleNegativeCells(
  cells: readonly { category: string; year: number; hours: number }[],
): { category: string; year: number; hours: number }[] {
  const byCategory = new Map<string, { category: string; year: number; hours: number }[]>();
  for (const cell of cells) {
    const list = byCategory.get(cell.category) ?? [];
    list.push({ ...cell });
    byCategory.set(cell.category, list);
  }
  const settled: { category: string; year: number; hours: number }[] = [];
  for (const list of byCategory.values()) {
    let debt = list.filter((c) => c.hours < 0).reduce((sum, c) => sum - c.hours, 0);
    const positive = list.filter((c) => c.hours > 0).sort((a, b) => b.year - a.year);
    for (const cell of positive) {
      const taken = Math.min(debt, cell.hours);
      cell.hours -= taken;
      debt -= taken;
      if (cell.hours > 0) settled.push(cell);
    }
  }
  return settled;
}

/**
 * Progress of one cycle's totals against its policy as of a date: per category (minimum and
 * cap) and for the whole cycle (total hours, with category caps and the yearly cap applied).
 * Categories listed: those with a minimum, a cap or any entry, in code order.
 * Category lines apply their own cap only; the total line applies every cap, so the category
 * lines may add up to more than the total counted.
 */
export function progressAgainstRequirement(
  totals: CycleTotals,
  policy: RequirementPolicy,
  asOf: string,
): RequirementProgress {
  const start = dayNumber(policy.cycleStartsOn);
  const cycleDays = dayNumber(policy.cycleEndsOn) - start + 1;
  const elapsedDays = Math.min(Math.max(dayNumber(asOf) - start, 0), cycleDays);

  const capOf = (category: string): number | null => {
    const cap = policy.categoryCaps[category];
    return cap === undefined ? null : toCenti(cap);
  };
  const earnedBy = new Map(totals.categories.map((c) => [c.category, toCenti(c.hours)]));
  const names = [
    ...new Set([
      ...Object.keys(policy.categoryMinimums),
      ...Object.keys(policy.categoryCaps),
      ...earnedBy.keys(),
    ]),
  ].sort();

  const line = (required: number, earned: number, counted: number): ProgressLine => ({
    required: toHours(required),
    earned: toHours(earned),
    counted: toHours(counted),
    remaining: toHours(Math.max(required - counted, 0)),
    status: statusOf(counted, required, elapsedDays, cycleDays),
  });

  const categories = names.map((category): CategoryProgress => {
    const earned = earnedBy.get(category) ?? 0;
    const cap = capOf(category);
    const usable = Math.max(earned, 0);
    const counted = cap === null ? usable : Math.min(usable, cap);
    const required = toCenti(policy.categoryMinimums[category] ?? 0);
    return {
      category,
      ...line(required, earned, counted),
      cap: cap === null ? null : toHours(cap),
      overCap: toHours(usable - counted),
    };
  });

  const cells = settleNegativeCells(totals.cells.map((c) => ({ ...c, hours: toCenti(c.hours) })));
  const yearlyCap = policy.yearlyCap === null ? null : toCenti(policy.yearlyCap);
  // A category driven negative by corrections adds nothing to the flow, but the cycle total
  // can never count more than the net ledger.
  const counted = Math.min(
    maxCountable(cells, capOf, yearlyCap),
    Math.max(toCenti(totals.totalHours), 0),
  );

  return {
    policyId: policy.id,
    asOf,
    elapsedDays,
    cycleDays,
    total: line(toCenti(policy.totalHours), toCenti(totals.totalHours), counted),
    categories,
  };
}

/** A policy's cycle as the ledger sees it: the policy's id and the cycle's days. */
export type PolicyCycle = Pick<RequirementPolicy, 'id' | 'cycleStartsOn' | 'cycleEndsOn'>;

/** Whether a day falls within the cycle (both ends inclusive). */
export function withinCycle(date: string, cycle: PolicyCycle): boolean {
  return cycle.cycleStartsOn <= date && date <= cycle.cycleEndsOn;
}

/**
 * An entry counts toward the cycle it names. One written without a cycle (no policy covered
 * its day when it was written) counts toward a cycle whose days contain it, so hours earned
 * before a region published its policy are not lost once it does.
 */
export function countsToward(
  entry: { policyId: number | null; earnedOn: string },
  cycle: PolicyCycle,
): boolean {
  return entry.policyId === null ? withinCycle(entry.earnedOn, cycle) : entry.policyId === cycle.id;
}

/** A teacher's ledger held against one cycle's policy as of a date. */
export interface LedgerProgress {
  /** Entries that count toward the cycle. */
  entryCount: number;
  totals: CycleTotals;
  progress: RequirementProgress;
}

/**
 * The entries of a teacher's ledger that count toward the policy's cycle (countsToward),
 * summed (transcriptTotals) and held against the policy (progressAgainstRequirement).
 */
export function ledgerProgress(
  entries: readonly LedgerEntry[],
  policy: RequirementPolicy,
  asOf: string,
): LedgerProgress {
  const counted = entries
    .filter((entry) => countsToward(entry, policy))
    .map((entry) => ({ ...entry, policyId: policy.id }));
  const totals = transcriptTotals(counted)[0] ?? {
    policyId: policy.id,
    totalHours: 0,
    byKind: { award: 0, adjustment: 0, revocation: 0 },
    categories: [],
    cells: [],
  };
  return {
    entryCount: counted.length,
    totals,
    progress: progressAgainstRequirement(totals, policy, asOf),
  };
}
