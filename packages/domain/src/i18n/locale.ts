import type { AssessmentResult, AttendanceStatus, RoleTag, Stage } from '../vocabulary/vocabulary';

/**
 * The two languages every explanation is written in. The gateway picks one from
 * Accept-Language; the rule engines return codes with parameters and render words only on
 * request, so the same answer can be shown to an English and a Chinese reader.
 */
export const locales = ['en', 'zh-CN'] as const;
export type Locale = (typeof locales)[number];

/** A text in every locale; a missing translation is a type error, not a runtime fallback. */
export type Localized = Record<Locale, string>;

/** Names of vocabulary values as a school administrator says them. */
export const stageNames: Record<Stage, Localized> = {
  primary: { en: 'primary school', 'zh-CN': '小学' },
  junior: { en: 'junior secondary school', 'zh-CN': '初中' },
  senior: { en: 'senior secondary school', 'zh-CN': '高中' },
};

export const roleTagNames: Record<RoleTag, Localized> = {
  new_teacher: { en: 'new teacher', 'zh-CN': '新任教师' },
  backbone_teacher: { en: 'backbone teacher', 'zh-CN': '骨干教师' },
  class_teacher: { en: 'class teacher', 'zh-CN': '班主任' },
  principal: { en: 'principal', 'zh-CN': '校长' },
};

export const attendanceStatusNames: Record<AttendanceStatus, Localized> = {
  present: { en: 'present', 'zh-CN': '出勤' },
  late: { en: 'late', 'zh-CN': '迟到' },
  absent: { en: 'absent', 'zh-CN': '缺勤' },
  excused: { en: 'excused', 'zh-CN': '请假' },
};

export const assessmentResultNames: Record<AssessmentResult, Localized> = {
  fail: { en: 'fail', 'zh-CN': '不合格' },
  qualified: { en: 'qualified', 'zh-CN': '合格' },
  excellent: { en: 'excellent', 'zh-CN': '优秀' },
};

/** Joins names the way each language lists them: "a, b or c" / "a、b 或 c". */
export function listOf(
  items: readonly string[],
  locale: Locale,
  conjunction: 'or' | 'and',
): string {
  if (items.length <= 1) return items[0] ?? '';
  const head = items.slice(0, -1);
  const last = items[items.length - 1] ?? '';
  if (locale === 'zh-CN') return `${head.join('、')}${conjunction === 'or' ? '或' : '和'}${last}`;
  return `${head.join(', ')} ${conjunction} ${last}`;
}

/**
 * Hours as people write them: no trailing zeros, at most two decimals (1.5, 2, 0.25).
 * Callers pass values that are already exact hundredths.
 */
export function formatHours(hours: number): string {
  return String(Math.round(hours * 100) / 100);
}

/**
 * A timestamp as a wall-clock "YYYY-MM-DD HH:mm" at a fixed offset from UTC. China keeps one
 * offset all year (UTC+8, no daylight saving), so a fixed offset is exact there and keeps the
 * rendering deterministic without depending on the runtime's time-zone data.
 */
export function formatDateTime(at: Date, offsetMinutes = 480): string {
  const local = new Date(at.getTime() + offsetMinutes * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`
  );
}
