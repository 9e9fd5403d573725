import { formatDateTime, listOf, roleTagNames, stageNames, type Locale } from '../i18n/locale';
import type { EligibilityRules } from '../rules/rule-schemas';
import type { RoleTag, SessionMode, Stage } from '../vocabulary/vocabulary';

/**
 * Whether a teacher may take part in an activity, and every reason why not.
 *
 * The answer lists ALL failing criteria, in a fixed order (the teacher's profile first, then
 * the activity's seats and dates, then what the teacher has already done), so a school
 * administrator can fix everything in one pass and the same question always gets the same
 * answer. An empty rule object means "every teacher may take part"; a criterion left out of the
 * rules is not checked.
 */

export interface EligibilityTeacher {
  id: number;
  stage: Stage;
  subjects: readonly string[];
  roleTags: readonly RoleTag[];
  yearsOfService: number;
  isRural: boolean;
  schoolId: number;
  /**
   * Materialized path of the region of the teacher's school, ancestors first, e.g. '/1/4/9/'
   * (regions.path, maintained by a trigger). Rules naming a city match every district below it.
   */
  regionPath: string;
}

/** A dated meeting. Intervals are half-open, [startsAt, endsAt): back-to-back is no clash. */
export interface TimedSession {
  startsAt: Date;
  endsAt: Date;
  /**
   * Online study blocks are open all day and studied whenever the teacher likes, so they never
   * clash with anything. Missing means in person.
   */
  mode?: SessionMode;
}

export interface EligibilityActivity {
  id: number;
  eligibilityRules: EligibilityRules;
  /** Seats; null means no limit. */
  capacity: number | null;
  sessions: readonly TimedSession[];
  /** Activities whose award counts as this one (the same course run again, a merged programme). */
  equivalentActivityIds?: readonly number[];
}

export interface OtherEnrollment {
  activityId: number;
  sessions: readonly TimedSession[];
}

export interface EligibilityContext {
  /**
   * Active enrollments of the activity that hold a seat, NOT counting this teacher's own (so
   * explaining an enrolled teacher does not report their own seat as the one that is missing).
   */
  enrolledCount: number;
  /** The teacher's other active enrollments (not withdrawn, rejected or finished). */
  otherEnrollments: readonly OtherEnrollment[];
  /** Activities for which the teacher holds an award that has not been revoked. */
  awardedActivityIds: readonly number[];
  /** Names for the ids in reasons, so the words say "Haidian District" rather than "region 9". */
  names?: {
    regions?: Readonly<Record<number, string>>;
    schools?: Readonly<Record<number, string>>;
    activities?: Readonly<Record<number, string>>;
  };
}

/** One named thing a reason refers to; the name is absent when the caller did not supply it. */
export interface NamedRef {
  id: number;
  name?: string;
}

export type EligibilityReason =
  | { code: 'STAGE_NOT_ELIGIBLE'; required: Stage[]; actual: Stage }
  | { code: 'SUBJECT_NOT_ELIGIBLE'; required: string[]; actual: string[] }
  | { code: 'ROLE_TAG_REQUIRED'; required: RoleTag[]; actual: RoleTag[] }
  | { code: 'REGION_NOT_ELIGIBLE'; required: NamedRef[] }
  | { code: 'SCHOOL_NOT_ELIGIBLE'; required: NamedRef[]; actual: NamedRef }
  | { code: 'LOCALITY_NOT_ELIGIBLE'; required: 'rural' | 'urban' }
  | { code: 'TOO_FEW_YEARS_OF_SERVICE'; min: number; actual: number }
  | { code: 'TOO_MANY_YEARS_OF_SERVICE'; max: number; actual: number }
  | { code: 'CAPACITY_FULL'; capacity: number; enrolled: number }
  | {
      code: 'SESSIONS_OVERLAP';
      activity: NamedRef;
      /** The first clash, by start time, and how many sessions of this activity clash. */
      startsAt: Date;
      endsAt: Date;
      clashes: number;
    }
  | { code: 'ALREADY_COMPLETED'; activity: NamedRef };

export type EligibilityReasonCode = EligibilityReason['code'];

export interface EligibilityAnswer {
  eligible: boolean;
  reasons: EligibilityReason[];
}

/**
 * Subjects are free text typed by people ("数学", "Maths ", "ｍａｔｈｓ"): compare them after
 * Unicode compatibility folding (full-width → half-width), trimming and lower-casing.
 */
export function normalizeSubject(subject: string): string {
  return subject.normalize('NFKC').trim().toLowerCase();
}

/** The region ids on a materialized path: '/1/4/9/' → [1, 4, 9]. Malformed parts are ignored. */
export function regionIdsOnPath(path: string): number[] {
  return path
    .split('/')
    .filter((part) => /^[0-9]+$/.test(part))
    .map(Number);
}

function overlaps(a: TimedSession, b: TimedSession): boolean {
  return a.startsAt.getTime() < b.endsAt.getTime() && b.startsAt.getTime() < a.endsAt.getTime();
}

const isTimed = (s: TimedSession) => s.mode !== 'online';

export function evaluateEligibility(
  teacher: EligibilityTeacher,
  activity: EligibilityActivity,
  context: EligibilityContext,
): EligibilityAnswer {
  const rules = activity.eligibilityRules;
  const reasons: EligibilityReason[] = [];
  const named = (id: number, names: Readonly<Record<number, string>> | undefined): NamedRef => {
    const name = names?.[id];
    return name === undefined ? { id } : { id, name };
  };

  if (rules.stages && !rules.stages.includes(teacher.stage)) {
    reasons.push({
      code: 'STAGE_NOT_ELIGIBLE',
      required: [...rules.stages],
      actual: teacher.stage,
    });
  }
  if (rules.subjects) {
    const taught = new Set(teacher.subjects.map(normalizeSubject));
    if (!rules.subjects.some((s) => taught.has(normalizeSubject(s)))) {
      reasons.push({
        code: 'SUBJECT_NOT_ELIGIBLE',
        required: [...rules.subjects],
        actual: [...teacher.subjects],
      });
    }
  }
  const tags = rules.roleTags;
  if (tags && !teacher.roleTags.some((t) => tags.includes(t))) {
    reasons.push({ code: 'ROLE_TAG_REQUIRED', required: [...tags], actual: [...teacher.roleTags] });
  }
  if (rules.regionIds) {
    const path = new Set(regionIdsOnPath(teacher.regionPath));
    if (!rules.regionIds.some((id) => path.has(id))) {
      reasons.push({
        code: 'REGION_NOT_ELIGIBLE',
        required: rules.regionIds.map((id) => named(id, context.names?.regions)),
      });
    }
  }
  if (rules.schoolIds && !rules.schoolIds.includes(teacher.schoolId)) {
    reasons.push({
      code: 'SCHOOL_NOT_ELIGIBLE',
      required: rules.schoolIds.map((id) => named(id, context.names?.schools)),
      actual: named(teacher.schoolId, context.names?.schools),
    });
  }
  if (rules.locality && (rules.locality === 'rural') !== teacher.isRural) {
    reasons.push({ code: 'LOCALITY_NOT_ELIGIBLE', required: rules.locality });
  }
  // Both bounds are inclusive: "at least 3 years" admits 3, "at most 5 years" admits 5.
  if (rules.minYearsOfService !== undefined && teacher.yearsOfService < rules.minYearsOfService) {
    reasons.push({
      code: 'TOO_FEW_YEARS_OF_SERVICE',
      min: rules.minYearsOfService,
      actual: teacher.yearsOfService,
    });
  }
  if (rules.maxYearsOfService !== undefined && teacher.yearsOfService > rules.maxYearsOfService) {
    reasons.push({
      code: 'TOO_MANY_YEARS_OF_SERVICE',
      max: rules.maxYearsOfService,
      actual: teacher.yearsOfService,
    });
  }

  if (activity.capacity !== null && context.enrolledCount >= activity.capacity) {
    reasons.push({
      code: 'CAPACITY_FULL',
      capacity: activity.capacity,
      enrolled: context.enrolledCount,
    });
  }

  const mine = activity.sessions.filter(isTimed);
  for (const other of context.otherEnrollments) {
    // The same activity is not "another" enrollment (explaining an enrolled teacher).
    if (other.activityId === activity.id) continue;
    const clashing = mine
      .filter((s) => other.sessions.some((o) => isTimed(o) && overlaps(s, o)))
      .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    const first = clashing[0];
    if (first) {
      reasons.push({
        code: 'SESSIONS_OVERLAP',
        activity: named(other.activityId, context.names?.activities),
        startsAt: first.startsAt,
        endsAt: first.endsAt,
        clashes: clashing.length,
      });
    }
  }

  const awarded = new Set(context.awardedActivityIds);
  const same = [activity.id, ...(activity.equivalentActivityIds ?? [])].find((id) =>
    awarded.has(id),
  );
  if (same !== undefined) {
    reasons.push({ code: 'ALREADY_COMPLETED', activity: named(same, context.names?.activities) });
  }

  return { eligible: reasons.length === 0, reasons };
}

// --- words -------------------------------------------------------------------------------------

export interface DescribeOptions {
  /** Offset of the reader's wall clock from UTC; China (UTC+8) by default. */
  utcOffsetMinutes?: number;
}

function refName(ref: NamedRef, locale: Locale, kind: 'region' | 'school' | 'activity'): string {
  if (ref.name !== undefined) return ref.name;
  const word = {
    region: { en: 'region', 'zh-CN': '地区' },
    school: { en: 'school', 'zh-CN': '学校' },
    activity: { en: 'activity', 'zh-CN': '活动' },
  }[kind][locale];
  return locale === 'zh-CN' ? `${word}#${ref.id}` : `${word} #${ref.id}`;
}

const years = (n: number) => `${n} ${n === 1 ? 'year' : 'years'}`;

/**
 * Renders a reason in words a school administrator understands: what the activity asks for,
 * then what this teacher has, so the gap is visible without opening the rules.
 */
export function describeReason(
  reason: EligibilityReason,
  locale: Locale,
  options: DescribeOptions = {},
): string {
  const zh = locale === 'zh-CN';
  switch (reason.code) {
    case 'STAGE_NOT_ELIGIBLE': {
      const required = listOf(
        reason.required.map((s) => stageNames[s][locale]),
        locale,
        'or',
      );
      const actual = stageNames[reason.actual][locale];
      return zh
        ? `仅限${required}教师；该教师任教于${actual}。`
        : `Only for ${required} teachers; this teacher teaches in ${actual}.`;
    }
    case 'SUBJECT_NOT_ELIGIBLE': {
      const required = listOf(reason.required, locale, 'or');
      if (reason.actual.length === 0) {
        return zh
          ? `仅限${required}学科教师；该教师未登记任教学科。`
          : `Only for teachers of ${required}; this teacher has no subject on record.`;
      }
      const actual = listOf(reason.actual, locale, 'and');
      return zh
        ? `仅限${required}学科教师；该教师任教${actual}。`
        : `Only for teachers of ${required}; this teacher teaches ${actual}.`;
    }
    case 'ROLE_TAG_REQUIRED': {
      const required = listOf(
        reason.required.map((t) => roleTagNames[t][locale]),
        locale,
        'or',
      );
      if (reason.actual.length === 0) {
        return zh
          ? `仅限${required}参加；该教师没有相应身份。`
          : `Only for a ${required}; this teacher is none of these.`;
      }
      const actual = listOf(
        reason.actual.map((t) => roleTagNames[t][locale]),
        locale,
        'and',
      );
      return zh
        ? `仅限${required}参加；该教师为${actual}。`
        : `Only for a ${required}; this teacher is a ${actual}.`;
    }
    case 'REGION_NOT_ELIGIBLE': {
      const required = listOf(
        reason.required.map((r) => refName(r, locale, 'region')),
        locale,
        'or',
      );
      return zh
        ? `仅限${required}（含下属区县）学校的教师；该教师所在学校不在此范围。`
        : `Only for teachers of schools in ${required} (including the areas below it); this teacher's school is elsewhere.`;
    }
    case 'SCHOOL_NOT_ELIGIBLE': {
      const required = listOf(
        reason.required.map((r) => refName(r, locale, 'school')),
        locale,
        'or',
      );
      const actual = refName(reason.actual, locale, 'school');
      return zh
        ? `仅限${required}的教师；该教师所在学校为${actual}。`
        : `Only for teachers of ${required}; this teacher works at ${actual}.`;
    }
    case 'LOCALITY_NOT_ELIGIBLE':
      if (reason.required === 'rural') {
        return zh
          ? '仅限农村学校教师；该教师在城镇学校任教。'
          : 'Only for teachers of rural schools; this teacher works at an urban school.';
      }
      return zh
        ? '仅限城镇学校教师；该教师在农村学校任教。'
        : 'Only for teachers of urban schools; this teacher works at a rural school.';
    case 'TOO_FEW_YEARS_OF_SERVICE':
      return zh
        ? `仅限教龄 ${reason.min} 年及以上的教师；该教师教龄 ${reason.actual} 年。`
        : `Only for teachers with at least ${years(reason.min)} of service; this teacher has ${reason.actual}.`;
    case 'TOO_MANY_YEARS_OF_SERVICE':
      return zh
        ? `仅限教龄 ${reason.max} 年及以下的教师；该教师教龄 ${reason.actual} 年。`
        : `Only for teachers with at most ${years(reason.max)} of service; this teacher has ${reason.actual}.`;
    case 'CAPACITY_FULL':
      return zh
        ? `名额已满：共 ${reason.capacity} 个名额，已报名 ${reason.enrolled} 人。`
        : `The activity is full: ${reason.enrolled} enrolled for ${reason.capacity} ${reason.capacity === 1 ? 'place' : 'places'}.`;
    case 'SESSIONS_OVERLAP': {
      const other = refName(reason.activity, locale, 'activity');
      const from = formatDateTime(reason.startsAt, options.utcOffsetMinutes);
      const to = formatDateTime(reason.endsAt, options.utcOffsetMinutes).slice(-5);
      const more = reason.clashes - 1;
      if (zh) {
        const rest = more > 0 ? `（另有 ${more} 次课程也冲突）` : '';
        return `与该教师已报名的“${other}”时间冲突：${from}–${to}${rest}。`;
      }
      const rest = more > 0 ? ` and ${more} more ${more === 1 ? 'session' : 'sessions'}` : '';
      return `Clashes with "${other}", which this teacher is enrolled in: ${from}–${to}${rest}.`;
    }
    case 'ALREADY_COMPLETED': {
      const done = refName(reason.activity, locale, 'activity');
      return zh
        ? `该教师已完成“${done}”并获得学时，不能重复参加。`
        : `This teacher has already completed "${done}" and received its credit hours.`;
    }
    default: {
      const never: never = reason;
      throw new Error(`unknown eligibility reason ${JSON.stringify(never)}`);
    }
  }
}
