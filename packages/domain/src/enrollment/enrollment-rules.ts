import type { ActivityStatus, EnrollmentStatus } from '../vocabulary/vocabulary';

/**
 * The roster rules around eligibility: who holds a seat, when enrollment is open, when the
 * school may decide on a participant, and when a rejected participant may be substituted. The
 * eligibility engine (eligibility.ts) judges the teacher; these rules judge the roster step.
 */

/**
 * Enrollments that hold a seat. A rejected participant keeps the seat until the school names a
 * substitute (who takes it over) or the enrollment is withdrawn: otherwise another school could
 * take the seat and the substitution would push the activity over capacity.
 */
export const seatHoldingStatuses: readonly EnrollmentStatus[] = [
  'registered',
  'eligibility_confirmed',
  'eligibility_rejected',
  'completed',
  'not_completed',
];

export const holdsSeat = (status: EnrollmentStatus): boolean =>
  seatHoldingStatuses.includes(status);

/** Enrollment is accepted only while the activity is open for it. */
export const enrollmentOpen = (status: ActivityStatus): boolean => status === 'open';

/** The school may decide on or replace participants until the activity has closed. */
export const rosterDecidable = (status: ActivityStatus): boolean =>
  status === 'open' || status === 'in_progress';

export const maxDecisionReasonLength = 1000;

export type RosterRefusal =
  | { code: 'ALREADY_DECIDED'; status: EnrollmentStatus }
  | { code: 'ROSTER_CLOSED'; activityStatus: ActivityStatus }
  | { code: 'REASON_REQUIRED' }
  | { code: 'REASON_TOO_LONG'; max: number }
  | { code: 'NOT_REJECTED'; status: EnrollmentStatus }
  | { code: 'OTHER_SCHOOL' }
  | { code: 'ALREADY_ON_ROSTER' };

export type RosterDecision = { ok: true } | { ok: false; refusal: RosterRefusal };

const refuse = (refusal: RosterRefusal): RosterDecision => ({ ok: false, refusal });

/**
 * May the school confirm or reject this participant now? Only a participant still awaiting a
 * decision, only while the roster can change; a rejection needs a reason (the teacher and the
 * provider are told why).
 */
export function decideEligibilityDecision(input: {
  enrollmentStatus: EnrollmentStatus;
  activityStatus: ActivityStatus;
  decision: 'confirm' | 'reject';
  reason: string | null;
}): RosterDecision {
  const reason = input.reason?.trim() ?? '';
  if (input.decision === 'reject' && reason === '') return refuse({ code: 'REASON_REQUIRED' });
  if (reason.length > maxDecisionReasonLength) {
    return refuse({ code: 'REASON_TOO_LONG', max: maxDecisionReasonLength });
  }
  if (input.enrollmentStatus !== 'registered') {
    return refuse({ code: 'ALREADY_DECIDED', status: input.enrollmentStatus });
  }
  if (!rosterDecidable(input.activityStatus)) {
    return refuse({ code: 'ROSTER_CLOSED', activityStatus: input.activityStatus });
  }
  return { ok: true };
}

/**
 * May this teacher replace this rejected participant? Once per rejection, by a teacher of the
 * same school who is not on the roster yet, while the roster can change. (The engine then judges
 * the substitute, counting the rejected participant's seat as theirs: see seatsForSubstitute.)
 */
export function decideSubstitution(input: {
  rejected: { status: EnrollmentStatus; schoolId: number };
  substitute: { schoolId: number; onRoster: boolean };
  activityStatus: ActivityStatus;
}): RosterDecision {
  if (input.rejected.status !== 'eligibility_rejected') {
    return refuse({ code: 'NOT_REJECTED', status: input.rejected.status });
  }
  if (input.substitute.schoolId !== input.rejected.schoolId)
    return refuse({ code: 'OTHER_SCHOOL' });
  if (input.substitute.onRoster) return refuse({ code: 'ALREADY_ON_ROSTER' });
  if (!rosterDecidable(input.activityStatus)) {
    return refuse({ code: 'ROSTER_CLOSED', activityStatus: input.activityStatus });
  }
  return { ok: true };
}

/**
 * Seats the engine should count as taken when it judges a substitute: the rejected participant's
 * seat passes to them, so it is not counted against them. Never below zero.
 */
export const seatsForSubstitute = (seatsHeld: number): number => Math.max(0, seatsHeld - 1);

const enrollmentStatusNames: Record<EnrollmentStatus, { en: string; 'zh-CN': string }> = {
  registered: { en: 'awaiting the school’s decision', 'zh-CN': '待学校审核' },
  eligibility_confirmed: { en: 'confirmed by the school', 'zh-CN': '学校已确认' },
  eligibility_rejected: { en: 'rejected by the school', 'zh-CN': '学校已驳回' },
  substituted: { en: 'already substituted', 'zh-CN': '已被替换' },
  withdrawn: { en: 'withdrawn', 'zh-CN': '已退出' },
  completed: { en: 'completed', 'zh-CN': '已结业' },
  not_completed: { en: 'not completed', 'zh-CN': '未结业' },
};

/** The refusal in words for the school administrator who tried. */
export function describeRosterRefusal(refusal: RosterRefusal, locale: 'en' | 'zh-CN'): string {
  const zh = locale === 'zh-CN';
  switch (refusal.code) {
    case 'ALREADY_DECIDED':
      return zh
        ? `该报名${enrollmentStatusNames[refusal.status][locale]}，不能再审核。`
        : `This participant is ${enrollmentStatusNames[refusal.status][locale]}; there is nothing left to decide.`;
    case 'ROSTER_CLOSED':
      return zh
        ? '活动已结束，名单不能再变动。'
        : 'The activity has closed; its roster no longer changes.';
    case 'REASON_REQUIRED':
      return zh ? '驳回时必须填写理由。' : 'A rejection needs a reason.';
    case 'REASON_TOO_LONG':
      return zh
        ? `理由不得超过 ${refusal.max} 个字符。`
        : `The reason must be at most ${refusal.max} characters.`;
    case 'NOT_REJECTED':
      return zh
        ? `只能替换被驳回的参训教师，该报名${enrollmentStatusNames[refusal.status][locale]}。`
        : `Only a rejected participant can be substituted; this one is ${enrollmentStatusNames[refusal.status][locale]}.`;
    case 'OTHER_SCHOOL':
      return zh
        ? '替换人选须为被驳回教师同校的教师。'
        : 'The substitute must be a teacher of the same school as the rejected participant.';
    case 'ALREADY_ON_ROSTER':
      return zh ? '替换人选已在本活动名单中。' : 'The substitute is already on the roster.';
  }
}
