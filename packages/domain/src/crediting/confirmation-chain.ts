import type { Locale } from '../i18n/locale';
import { listOf } from '../i18n/locale';
import type { ActivityStatus, AttendanceStatus } from '../vocabulary/vocabulary';

/**
 * The confirmation chain that replaces the stamps on the sign-in sheet (issue 4, point 5):
 *
 *   each school with participants confirms its own teachers' attendance
 *     → the education office confirms the whole roster → the roster is credited.
 *
 * A link that stands (not superseded) locks what it signed: the attendance of that school's
 * teachers for a school link, the whole roster for the office link. A correction afterwards is
 * an amendment with a reason; it supersedes the school's link and the office's link, so the
 * chain confirms again with the next revision and the office's new link re-credits.
 *
 * Invariant: these functions are the only place that says when a link may be written; the
 * gateway asks and writes what they answer. They run under a lock on the activity row, so the
 * state they are given is the state the write will see.
 */

/** Enrollment statuses that take part in the roster: the school vouched for them. */
export const participantStatuses = ['eligibility_confirmed', 'completed', 'not_completed'] as const;

/** A school may confirm while the activity runs (day by day) and after it ends. */
export const schoolConfirmableStatuses: readonly ActivityStatus[] = [
  'in_progress',
  'closed',
  // After crediting, an amendment reopens the chain: the school confirms the new revision.
  'credited',
];

/** The office confirms a finished roster; 'credited' again after an amendment. */
export const rosterConfirmableStatuses: readonly ActivityStatus[] = ['closed', 'credited'];

/** Attendance of a confirmed roster changes only by amendment, while the activity is not archived. */
export const amendableStatuses: readonly ActivityStatus[] = ['in_progress', 'closed', 'credited'];

export interface SchoolOnRoster {
  id: number;
  name: string;
  /** Participants of this school on the roster. */
  participants: number;
  /** The school's link of the chain stands (confirmed, not superseded). */
  confirmed: boolean;
}

export type ChainRefusal =
  | { code: 'ACTIVITY_NOT_CONFIRMABLE'; status: ActivityStatus; allowed: readonly ActivityStatus[] }
  | { code: 'NO_PARTICIPANTS' }
  | { code: 'ALREADY_CONFIRMED'; level: 'school' | 'office' }
  | { code: 'SCHOOLS_NOT_CONFIRMED'; schools: Array<{ id: number; name: string }> }
  | { code: 'NOT_CONFIRMED_YET' }
  | { code: 'NO_CHANGE' };

export type ChainDecision = { ok: true } | { ok: false; refusal: ChainRefusal };

const refuse = (refusal: ChainRefusal): ChainDecision => ({ ok: false, refusal });
const allow: ChainDecision = { ok: true };

/** A school confirms its own participants' attendance: once per revision, only with participants. */
export function decideSchoolConfirmation(
  activityStatus: ActivityStatus,
  school: Pick<SchoolOnRoster, 'participants' | 'confirmed'>,
): ChainDecision {
  if (!schoolConfirmableStatuses.includes(activityStatus)) {
    return refuse({
      code: 'ACTIVITY_NOT_CONFIRMABLE',
      status: activityStatus,
      allowed: schoolConfirmableStatuses,
    });
  }
  if (school.confirmed) return refuse({ code: 'ALREADY_CONFIRMED', level: 'school' });
  if (school.participants === 0) return refuse({ code: 'NO_PARTICIPANTS' });
  return allow;
}

/**
 * The office confirms the roster once the activity has closed and every school with
 * participants has a standing link. Schools without participants (only rejected, withdrawn or
 * still unconfirmed registrations) have nothing to sign and are not waited for. The refusal
 * lists every missing school, in the order given.
 */
export function decideRosterConfirmation(
  activityStatus: ActivityStatus,
  officeConfirmed: boolean,
  schools: readonly SchoolOnRoster[],
): ChainDecision {
  if (!rosterConfirmableStatuses.includes(activityStatus)) {
    return refuse({
      code: 'ACTIVITY_NOT_CONFIRMABLE',
      status: activityStatus,
      allowed: rosterConfirmableStatuses,
    });
  }
  if (officeConfirmed) return refuse({ code: 'ALREADY_CONFIRMED', level: 'office' });
  const missing = schools.filter((s) => s.participants > 0 && !s.confirmed);
  if (missing.length > 0) {
    return refuse({
      code: 'SCHOOLS_NOT_CONFIRMED',
      schools: missing.map(({ id, name }) => ({ id, name })),
    });
  }
  return allow;
}

export interface AttendanceValue {
  status: AttendanceStatus;
  minutes: number;
}

/**
 * An amendment corrects attendance that a link has signed: the school of the enrollment must
 * have confirmed at least once (before that, attendance is recorded the ordinary way), the
 * activity must not be archived, and the amendment must change something.
 */
export function decideAmendment(
  activityStatus: ActivityStatus,
  schoolEverConfirmed: boolean,
  before: AttendanceValue,
  after: AttendanceValue,
): ChainDecision {
  if (!amendableStatuses.includes(activityStatus)) {
    return refuse({
      code: 'ACTIVITY_NOT_CONFIRMABLE',
      status: activityStatus,
      allowed: amendableStatuses,
    });
  }
  if (!schoolEverConfirmed) return refuse({ code: 'NOT_CONFIRMED_YET' });
  if (before.status === after.status && before.minutes === after.minutes) {
    return refuse({ code: 'NO_CHANGE' });
  }
  return allow;
}

export interface StandingLink {
  id: number;
  level: 'school' | 'office';
  organizationId: number;
}

/**
 * The links an amendment of one school's attendance supersedes: that school's standing link and
 * the office's standing link (the roster it signed changed). Other schools' links stand: what
 * they signed did not change.
 */
export function linksSupersededByAmendment(
  standing: readonly StandingLink[],
  schoolId: number,
): number[] {
  return standing
    .filter(
      (link) =>
        link.level === 'office' || (link.level === 'school' && link.organizationId === schoolId),
    )
    .map((link) => link.id);
}

/** The next revision of a link: one more than the latest it ever had, 1 for the first. */
export function nextRevision(revisions: readonly number[]): number {
  return revisions.reduce((max, r) => Math.max(max, r), 0) + 1;
}

// --- words -------------------------------------------------------------------------------------

const statusWords: Record<ActivityStatus, Record<Locale, string>> = {
  draft: { en: 'a draft', 'zh-CN': '草稿' },
  submitted: { en: 'awaiting approval', 'zh-CN': '待审核' },
  approved: { en: 'approved but not open', 'zh-CN': '已通过审核，尚未开放' },
  rejected: { en: 'rejected', 'zh-CN': '已驳回' },
  open: { en: 'open for enrollment', 'zh-CN': '报名中' },
  in_progress: { en: 'in progress', 'zh-CN': '进行中' },
  closed: { en: 'closed', 'zh-CN': '已结束' },
  credited: { en: 'credited', 'zh-CN': '已登记学时' },
  archived: { en: 'archived', 'zh-CN': '已归档' },
};

/** Renders a refusal for a school administrator or an officer. */
export function describeChainRefusal(refusal: ChainRefusal, locale: Locale): string {
  const zh = locale === 'zh-CN';
  switch (refusal.code) {
    case 'ACTIVITY_NOT_CONFIRMABLE': {
      const now = statusWords[refusal.status][locale];
      const allowed = listOf(
        refusal.allowed.map((s) => statusWords[s][locale]),
        locale,
        'or',
      );
      return zh
        ? `该活动当前状态为“${now}”，仅在${allowed}状态下可以办理。`
        : `The activity is ${now}; this can be done only while it is ${allowed}.`;
    }
    case 'NO_PARTICIPANTS':
      return zh
        ? '本校没有经资格确认的参训教师，无需确认出勤。'
        : 'Your school has no confirmed participants in this activity; there is nothing to confirm.';
    case 'ALREADY_CONFIRMED':
      return refusal.level === 'school'
        ? zh
          ? '本校已确认该活动的出勤，无需重复确认。'
          : 'Your school has already confirmed this attendance.'
        : zh
          ? '教育行政部门已确认该活动名单，无需重复确认。'
          : 'The education office has already confirmed this roster.';
    case 'SCHOOLS_NOT_CONFIRMED': {
      const names = listOf(
        refusal.schools.map((s) => s.name),
        locale,
        'and',
      );
      return zh
        ? `以下学校尚未确认本校教师的出勤：${names}。`
        : `These schools have not confirmed their teachers' attendance yet: ${names}.`;
    }
    case 'NOT_CONFIRMED_YET':
      return zh
        ? '该出勤记录尚未经学校确认，请直接修改出勤记录，无需更正申请。'
        : 'This attendance has not been confirmed yet; record it the ordinary way instead of amending it.';
    case 'NO_CHANGE':
      return zh
        ? '更正后的出勤状态和分钟数与原记录相同。'
        : 'The amendment changes neither the status nor the minutes.';
    default: {
      const never: never = refusal;
      throw new Error(`unknown chain refusal ${JSON.stringify(never)}`);
    }
  }
}
