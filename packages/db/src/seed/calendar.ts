/**
 * Every date of the demo data is relative to one calendar day, "today" in China (UTC+8), so
 * past activities with awarded credits and upcoming open ones exist whenever the seed runs,
 * and two runs on the same day produce the same rows.
 */
export class Calendar {
  readonly today: string;

  constructor(now: Date) {
    this.today = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  }

  /** The date `offset` days from today, as YYYY-MM-DD. */
  day(offset: number): string {
    return addDays(this.today, offset);
  }

  /** Start of today in China: sessions ending before it are in the past. */
  get startOfToday(): string {
    return timestampAt(this.today, '00:00');
  }

  /** Days from today to a date (negative in the past). */
  offsetOf(date: string): number {
    return Math.round(
      (Date.parse(`${date}T00:00:00Z`) - Date.parse(`${this.today}T00:00:00Z`)) / 86_400_000,
    );
  }
}

export function addDays(date: string, days: number): string {
  const time = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(time).toISOString().slice(0, 10);
}

/** A local (UTC+8) wall-clock time on a date, as a timestamptz literal both engines accept. */
export function timestampAt(date: string, time: string): string {
  return `${date}T${time}:00+08:00`;
}

export function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

export function monthOf(date: string): number {
  return Number(date.slice(5, 7));
}

/** '2026年秋季学期' or '2026年春季学期' for the school term a date falls in. */
export function termOf(date: string): string {
  const month = monthOf(date);
  const year = yearOf(date);
  if (month >= 8) return `${year}年秋季学期`;
  if (month <= 1) return `${year - 1}年秋季学期`;
  return `${year}年春季学期`;
}
