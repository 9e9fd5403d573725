import { assessmentResultNames, formatHours, type Locale } from '../i18n/locale';
import type { CompletionRules } from '../rules/rule-schemas';
import type { AssessmentResult, AttendanceStatus, SessionMode } from '../vocabulary/vocabulary';

/**
 * Whether an enrollment completed its activity, and every reason why not (DESIGN.md §2,
 * issue 4 point 6). The same reading of the rules as the seed's SQL (packages/db/src/seed):
 *
 * - Attendance is measured in session hours: a session the teacher attended (present or late)
 *   counts its full scheduled hours; absent and excused count nothing; a session without an
 *   attendance row counts nothing. Being late is the trainer's call to record, not a deduction.
 *   Completed when attended hours ≥ minAttendanceRatio × the activity's total session hours.
 * - Every online block needs its own minimum minutes, studied on a present or late row.
 * - At least minAssignmentsOnTime assignments submitted on time.
 * - When minAssessment is set, a final result at least that good.
 *
 * Arithmetic is exact: session hours are stored as numeric(5,2), so they are handled as
 * integer hundredths of an hour, and the ratio as integer parts per million, so 0.8 × 10 hours
 * is exactly 8 hours and "exactly at the threshold" completes.
 */

export interface CompletionSession {
  id: number;
  /** Position in the programme, shown to people ("session 3"). */
  sequence: number;
  title?: string;
  hours: number;
  mode: SessionMode;
  /** Online blocks only: minutes the teacher must study that day. */
  onlineMinMinutes: number | null;
}

export interface CompletionAttendance {
  sessionId: number;
  status: AttendanceStatus;
  minutes: number;
}

export interface EnrollmentFacts {
  /** Every session of the activity. */
  sessions: readonly CompletionSession[];
  /** This enrollment's attendance rows; at most one per session (a unique key in SQL). */
  attendance: readonly CompletionAttendance[];
  /** Assignments this enrollment submitted on time. */
  assignmentsOnTime: number;
  /** Assignments the activity set, to say "2 of 3"; optional. */
  assignmentCount?: number;
  assessment: AssessmentResult | null;
}

export type CompletionReason =
  | { code: 'NO_SESSIONS' }
  | {
      code: 'ATTENDANCE_BELOW_THRESHOLD';
      attendedHours: number;
      totalHours: number;
      requiredHours: number;
      /** The threshold as a percentage, e.g. 80. */
      requiredPercent: number;
    }
  | {
      code: 'ONLINE_BLOCK_SHORT';
      sessionId: number;
      sequence: number;
      title?: string;
      minutes: number;
      requiredMinutes: number;
    }
  | { code: 'ASSIGNMENTS_BELOW_MINIMUM'; onTime: number; required: number; total?: number }
  | { code: 'ASSESSMENT_MISSING'; required: Exclude<AssessmentResult, 'fail'> }
  | {
      code: 'ASSESSMENT_BELOW_MINIMUM';
      actual: AssessmentResult;
      required: Exclude<AssessmentResult, 'fail'>;
    };

export type CompletionReasonCode = CompletionReason['code'];

export interface CompletionAnswer {
  completed: boolean;
  reasons: CompletionReason[];
  /** The measured attendance, for display even when it is sufficient. */
  attendedHours: number;
  totalHours: number;
}

const attended = (status: AttendanceStatus) => status === 'present' || status === 'late';

const assessmentRank: Record<AssessmentResult, number> = { fail: 0, qualified: 1, excellent: 2 };

/** Hours with at most two decimals as an integer count of hundredths. */
export const toCentiHours = (hours: number): number => Math.round(hours * 100);

const perMillion = 1_000_000;

/**
 * Checks every rule and returns all failures in a fixed order (attendance, online blocks in
 * programme order, assignments, assessment). `completionRules` is the parsed rule object (the
 * zod schema has filled in its defaults).
 */
export function evaluateCompletion(
  facts: EnrollmentFacts,
  completionRules: CompletionRules,
): CompletionAnswer {
  const reasons: CompletionReason[] = [];
  const rows = new Map<number, CompletionAttendance>();
  for (const row of facts.attendance) rows.set(row.sessionId, row);
  const sessions = [...facts.sessions].sort((a, b) => a.sequence - b.sequence);

  // Rows for sessions that are not in the activity are ignored: they cannot be attended hours
  // of this activity (SQL keeps them out with a composite foreign key anyway).
  let total = 0;
  let present = 0;
  for (const s of sessions) {
    const hours = toCentiHours(s.hours);
    total += hours;
    const row = rows.get(s.id);
    if (row && attended(row.status)) present += hours;
  }

  const ratio = Math.round(completionRules.minAttendanceRatio * perMillion);
  if (total === 0) {
    // Nothing was scheduled, so nothing can prove attendance: an activity without sessions
    // completes only when it asks for no attendance at all.
    if (ratio > 0) reasons.push({ code: 'NO_SESSIONS' });
  } else if (present * perMillion < ratio * total) {
    reasons.push({
      code: 'ATTENDANCE_BELOW_THRESHOLD',
      attendedHours: present / 100,
      totalHours: total / 100,
      // Rounded up to the hundredth: attending this much is always enough.
      requiredHours: Math.ceil((ratio * total) / perMillion) / 100,
      requiredPercent: ratio / 10_000,
    });
  }

  if (completionRules.requireOnlineMinimums) {
    for (const s of sessions) {
      if (s.mode !== 'online' || s.onlineMinMinutes === null) continue;
      const row = rows.get(s.id);
      const minutes = row && attended(row.status) ? row.minutes : 0;
      if (minutes < s.onlineMinMinutes) {
        reasons.push({
          code: 'ONLINE_BLOCK_SHORT',
          sessionId: s.id,
          sequence: s.sequence,
          ...(s.title !== undefined ? { title: s.title } : {}),
          minutes,
          requiredMinutes: s.onlineMinMinutes,
        });
      }
    }
  }

  if (facts.assignmentsOnTime < completionRules.minAssignmentsOnTime) {
    reasons.push({
      code: 'ASSIGNMENTS_BELOW_MINIMUM',
      onTime: facts.assignmentsOnTime,
      required: completionRules.minAssignmentsOnTime,
      ...(facts.assignmentCount !== undefined ? { total: facts.assignmentCount } : {}),
    });
  }

  const required = completionRules.minAssessment;
  if (required !== undefined) {
    if (facts.assessment === null) {
      reasons.push({ code: 'ASSESSMENT_MISSING', required });
    } else if (assessmentRank[facts.assessment] < assessmentRank[required]) {
      reasons.push({ code: 'ASSESSMENT_BELOW_MINIMUM', actual: facts.assessment, required });
    }
  }

  return {
    completed: reasons.length === 0,
    reasons,
    attendedHours: present / 100,
    totalHours: total / 100,
  };
}

// --- words -------------------------------------------------------------------------------------

/** Renders a reason for a school administrator or the teacher. */
export function describeCompletionReason(reason: CompletionReason, locale: Locale): string {
  const zh = locale === 'zh-CN';
  switch (reason.code) {
    case 'NO_SESSIONS':
      return zh
        ? '该活动没有安排任何课程，无法认定出勤。'
        : 'The activity has no sessions, so there is no attendance to count.';
    case 'ATTENDANCE_BELOW_THRESHOLD': {
      const attendedHours = formatHours(reason.attendedHours);
      const total = formatHours(reason.totalHours);
      const required = formatHours(reason.requiredHours);
      return zh
        ? `出勤 ${attendedHours} 学时（共 ${total} 学时），未达到 ${reason.requiredPercent}%（至少 ${required} 学时）的要求。`
        : `Attended ${attendedHours} of ${total} session hours; at least ${reason.requiredPercent}% (${required} hours) is required.`;
    }
    case 'ONLINE_BLOCK_SHORT': {
      const title =
        reason.title === undefined ? '' : zh ? `“${reason.title}”` : ` "${reason.title}"`;
      return zh
        ? `第 ${reason.sequence} 次在线学习${title}仅学习 ${reason.minutes} 分钟，要求至少 ${reason.requiredMinutes} 分钟。`
        : `Online block ${reason.sequence}${title}: studied ${reason.minutes} minutes; at least ${reason.requiredMinutes} are required.`;
    }
    case 'ASSIGNMENTS_BELOW_MINIMUM': {
      if (zh) {
        const of = reason.total === undefined ? '' : `（共 ${reason.total} 份）`;
        return `按时提交作业 ${reason.onTime} 份${of}，要求至少 ${reason.required} 份。`;
      }
      const of = reason.total === undefined ? '' : ` of ${reason.total}`;
      return `Submitted ${reason.onTime}${of} ${reason.onTime === 1 && of === '' ? 'assignment' : 'assignments'} on time; at least ${reason.required} required.`;
    }
    case 'ASSESSMENT_MISSING':
      return zh
        ? `尚无考核结果，要求“${assessmentResultNames[reason.required][locale]}”及以上。`
        : `No assessment result yet; "${assessmentResultNames[reason.required][locale]}" or better is required.`;
    case 'ASSESSMENT_BELOW_MINIMUM':
      return zh
        ? `考核结果为“${assessmentResultNames[reason.actual][locale]}”，要求“${assessmentResultNames[reason.required][locale]}”及以上。`
        : `Assessed "${assessmentResultNames[reason.actual][locale]}"; "${assessmentResultNames[reason.required][locale]}" or better is required.`;
    default: {
      const never: never = reason;
      throw new Error(`unknown completion reason ${JSON.stringify(never)}`);
    }
  }
}
