import type { Locale } from '../i18n/locale';
import type { ActivityStatus, AttendanceStatus, EnrollmentStatus } from '../vocabulary/vocabulary';
import { maxSessionMinutes } from '../vocabulary/vocabulary';

/**
 * Rules for writing attendance (issue 4 point 4), shared by the trainer's roster, the teacher's
 * check-in and the imports. Pure: the caller loads the session, the enrollments and the
 * confirmations and passes what matters here.
 */

/**
 * Attendance is written while an activity runs: open (sessions may start before the roster
 * closes) or in progress. Before approval there is nothing to attend; once closed the record
 * is the basis of confirmation and credit, so changes go through an amendment instead.
 */
export const attendanceWritableStatuses: readonly ActivityStatus[] = ['open', 'in_progress'];

export function attendanceWritable(status: ActivityStatus): boolean {
  return attendanceWritableStatuses.includes(status);
}

/** Enrollments that do not take part: rejected, replaced by a substitute, or withdrawn. */
const nonParticipantStatuses: readonly EnrollmentStatus[] = [
  'eligibility_rejected',
  'substituted',
  'withdrawn',
];

export function isActiveParticipant(status: EnrollmentStatus): boolean {
  return !nonParticipantStatuses.includes(status);
}

/** Scheduled length of a session in whole minutes, never above a day (the column's range). */
export function sessionLengthMinutes(session: { startsAt: Date; endsAt: Date }): number {
  const minutes = Math.round((session.endsAt.getTime() - session.startsAt.getTime()) / 60_000);
  return Math.max(0, Math.min(maxSessionMinutes, minutes));
}

/**
 * A teacher who checks in up to this many minutes after the start is present; later, late.
 * Ten minutes is the usual allowance of teacher-training centres' sign-in rules (the queue at
 * the door, the lift); anything later is what a paper sheet would mark 迟到.
 */
export const lateAfterMinutes = 10;

/**
 * What a successful check-in at `now` records. Present (within the allowance) counts the whole
 * session: the teacher was there from the start as far as anyone can tell. Late counts from the
 * check-in to the end, so a teacher arriving an hour late into a three-hour session gets two
 * hours, and one checking in during the grace after the end gets 0 minutes but a late record
 * (they were there; the trainer corrects the minutes on the roster if needed).
 */
export function checkinAttendance(
  session: { startsAt: Date; endsAt: Date },
  now: Date,
): { status: Extract<AttendanceStatus, 'present' | 'late'>; minutes: number } {
  const length = sessionLengthMinutes(session);
  const lateFrom = session.startsAt.getTime() + lateAfterMinutes * 60_000;
  if (now.getTime() <= lateFrom) return { status: 'present', minutes: length };
  const remaining = Math.floor((session.endsAt.getTime() - now.getTime()) / 60_000);
  return { status: 'late', minutes: Math.max(0, Math.min(length, remaining)) };
}

// --- the trainer's roster ------------------------------------------------------------------------

export interface RosterEntry {
  /** Null when the ID did not decode (already reported by the caller). */
  enrollmentId: number | null;
  status: AttendanceStatus;
  minutes: number;
}

export type RosterProblem =
  | { index: number; field: 'enrollmentId'; code: 'NOT_IN_ACTIVITY' }
  | { index: number; field: 'enrollmentId'; code: 'NOT_PARTICIPANT'; status: EnrollmentStatus }
  | { index: number; field: 'enrollmentId'; code: 'DUPLICATE'; firstIndex: number }
  | { index: number; field: 'minutes'; code: 'MINUTES_OUT_OF_RANGE'; max: number };

/**
 * Every problem of a roster, not just the first: each entry's enrollment must be an active
 * participant of the session's activity and appear once; minutes are whole and within 0 and
 * the session's scheduled length (nobody attends a two-hour session for three hours).
 * `enrollments` holds the enrollments of the session's activity among those named.
 */
export function checkRoster(
  entries: readonly RosterEntry[],
  session: { startsAt: Date; endsAt: Date },
  enrollments: ReadonlyMap<number, { status: EnrollmentStatus }>,
): RosterProblem[] {
  const problems: RosterProblem[] = [];
  const max = sessionLengthMinutes(session);
  const firstIndexOf = new Map<number, number>();
  entries.forEach((entry, index) => {
    if (entry.enrollmentId !== null) {
      const enrollment = enrollments.get(entry.enrollmentId);
      const first = firstIndexOf.get(entry.enrollmentId);
      if (first !== undefined) {
        problems.push({ index, field: 'enrollmentId', code: 'DUPLICATE', firstIndex: first });
      } else {
        firstIndexOf.set(entry.enrollmentId, index);
        if (!enrollment) problems.push({ index, field: 'enrollmentId', code: 'NOT_IN_ACTIVITY' });
        else if (!isActiveParticipant(enrollment.status)) {
          problems.push({
            index,
            field: 'enrollmentId',
            code: 'NOT_PARTICIPANT',
            status: enrollment.status,
          });
        }
      }
    }
    if (!Number.isInteger(entry.minutes) || entry.minutes < 0 || entry.minutes > max) {
      problems.push({ index, field: 'minutes', code: 'MINUTES_OUT_OF_RANGE', max });
    }
  });
  return problems;
}

export function describeRosterProblem(problem: RosterProblem, locale: Locale): string {
  const zh = locale === 'zh-CN';
  switch (problem.code) {
    case 'NOT_IN_ACTIVITY':
      return zh
        ? '不是该课次所属活动的参训记录'
        : 'is not an enrollment in the activity of this session';
    case 'NOT_PARTICIPANT':
      return zh
        ? '该教师未实际参训（资格被拒、已被替换或已退出）'
        : 'is not an active participant (rejected, substituted or withdrawn)';
    case 'DUPLICATE':
      return zh
        ? `与第 ${problem.firstIndex + 1} 条重复`
        : `appears twice; first as entry ${problem.firstIndex + 1}`;
    case 'MINUTES_OUT_OF_RANGE':
      return zh
        ? `必须是 0 至 ${problem.max} 的整数（课次时长）`
        : `must be a whole number from 0 to ${problem.max} (the session's length)`;
    default: {
      const never: never = problem;
      throw new Error(`unknown roster problem ${JSON.stringify(never)}`);
    }
  }
}

// --- dates of online study blocks ----------------------------------------------------------------

/**
 * The calendar day a moment falls on where the registry is used (China Standard Time, UTC+8,
 * no daylight saving): an online block that starts at 2026-03-02T00:30+08:00 is the block of
 * 2 March even though it is still 1 March in UTC.
 */
export function localDateOf(at: Date, offsetMinutes = 480): string {
  return new Date(at.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 10);
}
