/**
 * Calendar dates as the database returns them ('YYYY-MM-DD', see docs/architecture.md: dates
 * are strings on both engines). Ledger entries and cycles are whole days with no time zone, so
 * they are compared as day numbers, never as instants.
 */

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a valid 'YYYY-MM-DD'; throws on anything else (a caller's bug). */
export function dayNumber(date: string): number {
  const match = datePattern.exec(date);
  if (!match) throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`);
  }
  return ms / 86_400_000;
}

/** The 'YYYY-MM-DD' of a day number. */
export function dateOfDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export function yearOf(date: string): number {
  dayNumber(date);
  return Number(date.slice(0, 4));
}

/** Today in China (UTC+8, no daylight saving), the registry's calendar. */
export function todayInChina(now = Date.now()): string {
  return new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
}
