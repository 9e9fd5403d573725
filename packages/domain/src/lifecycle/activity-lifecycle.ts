import type { Locale, Localized } from '../i18n/locale';
import type { ActivityStatus, Role } from '../vocabulary/vocabulary';

/**
 * The lifecycle of an activity (DESIGN.md §2):
 *
 *   draft → submitted → approved → open → in_progress → closed → credited → archived
 *                     ↘ rejected (with a reason) → submitted again after editing
 *
 * Each step is an action taken by someone. The provider (a training institution, or a school
 * for its own school-based activities) prepares and runs the activity; the education office
 * approves or rejects it and awards its credits. A platform admin runs the registry and may
 * take any step, so an office that lost its only officer is never stuck.
 *
 * Invariant: the table below is the only place that says which status follows which; the
 * gateway asks `transition` and writes what it answers, never a status of its own.
 */

export const activityActions = [
  'submit',
  'approve',
  'reject',
  'open',
  'start',
  'close',
  'credit',
  'archive',
] as const;
export type ActivityAction = (typeof activityActions)[number];

/** Who acts for the provider of an activity. */
export const providerRoles: readonly Role[] = ['institution_admin', 'school_admin'];
/** Who acts for the education office that oversees the activity's region. */
export const officeRoles: readonly Role[] = ['office_officer'];

interface Step {
  from: readonly ActivityStatus[];
  to: ActivityStatus;
  roles: readonly Role[];
  /** The action must carry a non-blank reason (it is stored and shown to the provider). */
  needsReason: boolean;
}

const provider = [...providerRoles, 'platform_admin'] as const;
const office = [...officeRoles, 'platform_admin'] as const;
const providerOrOffice = [...providerRoles, ...officeRoles, 'platform_admin'] as const;

const steps: Record<ActivityAction, Step> = {
  // A rejected activity goes back to the office once the provider has edited it.
  submit: { from: ['draft', 'rejected'], to: 'submitted', roles: provider, needsReason: false },
  approve: { from: ['submitted'], to: 'approved', roles: office, needsReason: false },
  reject: { from: ['submitted'], to: 'rejected', roles: office, needsReason: true },
  open: { from: ['approved'], to: 'open', roles: providerOrOffice, needsReason: false },
  start: { from: ['open'], to: 'in_progress', roles: providerOrOffice, needsReason: false },
  close: { from: ['in_progress'], to: 'closed', roles: providerOrOffice, needsReason: false },
  // Awarding credits is the office's signature on the roster.
  credit: { from: ['closed'], to: 'credited', roles: office, needsReason: false },
  archive: { from: ['credited'], to: 'archived', roles: office, needsReason: false },
};

/** Longest reason the database keeps (activities.rejection_reason is checked by the API). */
export const maxReasonLength = 1000;

export interface Actor {
  /** Every role the caller holds for the activity's provider or region. */
  roles: readonly Role[];
}

export type LifecycleRefusal =
  | { code: 'ILLEGAL_TRANSITION'; reason: string; from: ActivityStatus; action: ActivityAction }
  | {
      code: 'NOT_ALLOWED_FOR_ROLE';
      reason: string;
      action: ActivityAction;
      allowedRoles: readonly Role[];
    }
  | { code: 'REASON_REQUIRED'; reason: string; action: ActivityAction }
  | { code: 'REASON_TOO_LONG'; reason: string; action: ActivityAction; maxLength: number };

export type TransitionResult =
  | { ok: true; status: ActivityStatus; reason: string | null }
  | { ok: false; refusal: LifecycleRefusal };

/**
 * Decides one lifecycle step. Checks run from the most to the least fundamental, so the
 * refusal names the first thing the caller must change: an impossible step, then a caller who
 * may not take it, then a missing reason.
 * The reason is trimmed; it is only kept for actions that need one.
 */
export function transition(
  from: ActivityStatus,
  action: ActivityAction,
  actor: Actor,
  reason?: string | null,
): TransitionResult {
  const step = steps[action];
  if (!step.from.includes(from)) {
    return refuse({ code: 'ILLEGAL_TRANSITION', from, action });
  }
  if (!actor.roles.some((role) => step.roles.includes(role))) {
    return refuse({ code: 'NOT_ALLOWED_FOR_ROLE', action, allowedRoles: step.roles });
  }
  if (!step.needsReason) return { ok: true, status: step.to, reason: null };
  const trimmed = reason?.trim() ?? '';
  if (trimmed === '') return refuse({ code: 'REASON_REQUIRED', action });
  if (trimmed.length > maxReasonLength) {
    return refuse({ code: 'REASON_TOO_LONG', action, maxLength: maxReasonLength });
  }
  return { ok: true, status: step.to, reason: trimmed };
}

/** The actions this actor may take now, in lifecycle order (for buttons in the UI). */
export function availableActions(from: ActivityStatus, actor: Actor): ActivityAction[] {
  return activityActions.filter((action) => {
    const step = steps[action];
    return step.from.includes(from) && actor.roles.some((role) => step.roles.includes(role));
  });
}

// --- edits -----------------------------------------------------------------------------------

/** The fields of an activity a caller can change (names as in the GraphQL input). */
export const activityFields = [
  'title',
  'description',
  'category',
  'level',
  'deliveryMode',
  'creditHours',
  'capacity',
  'selfEnrollment',
  'startsOn',
  'endsOn',
  'eligibilityRules',
  'completionRules',
  'sessions',
] as const;
export type ActivityField = (typeof activityFields)[number];

/**
 * Fields that decide how much credit a participant earns and towards what: the hours and the
 * completion rules (DESIGN.md), and also category, level and delivery mode, because the
 * requirement policy converts and counts hours by them. After approval these change only
 * through the education office, with a reason.
 */
export const creditFields: readonly ActivityField[] = [
  'creditHours',
  'completionRules',
  'category',
  'level',
  'deliveryMode',
];

export type EditRefusal =
  | {
      code: 'LOCKED_IN_STATUS';
      reason: string;
      status: ActivityStatus;
      fields: readonly ActivityField[];
    }
  | {
      code: 'NOT_ALLOWED_FOR_ROLE';
      reason: string;
      status: ActivityStatus;
      fields: readonly ActivityField[];
      allowedRoles: readonly Role[];
    }
  | {
      code: 'REASON_REQUIRED';
      reason: string;
      status: ActivityStatus;
      fields: readonly ActivityField[];
    };

export type EditDecision = { ok: true; needsReason: boolean } | { ok: false; refusal: EditRefusal };

type EditRule =
  { kind: 'locked' } | { kind: 'allowed'; roles: readonly Role[]; needsReason: boolean };

const locked: EditRule = { kind: 'locked' };
const byProvider: EditRule = { kind: 'allowed', roles: provider, needsReason: false };
const byProviderOrOffice: EditRule = {
  kind: 'allowed',
  roles: providerOrOffice,
  needsReason: false,
};
const byOfficeWithReason: EditRule = { kind: 'allowed', roles: office, needsReason: true };

/**
 * Who may change which field in which status:
 * - draft, rejected: the provider edits freely (nothing has been promised yet);
 * - submitted: nothing changes while the office is reviewing what it was shown;
 * - approved, open, in progress: the provider (or office) still manages the practical details,
 *   but the credit fields are what the office approved, so only the office changes them, with
 *   a reason for the audit log;
 * - closed: the activity is evidence now; any correction is the office's, with a reason;
 * - credited, archived: credits were awarded from these values; corrections are ledger
 *   adjustments, never edits of the activity.
 */
function editRule(status: ActivityStatus, field: ActivityField): EditRule {
  switch (status) {
    case 'draft':
    case 'rejected':
      return byProvider;
    case 'submitted':
      return locked;
    case 'approved':
    case 'open':
    case 'in_progress':
      return creditFields.includes(field) ? byOfficeWithReason : byProviderOrOffice;
    case 'closed':
      return byOfficeWithReason;
    case 'credited':
    case 'archived':
      return locked;
    default: {
      const never: never = status;
      throw new Error(`unknown activity status ${String(never)}`);
    }
  }
}

/**
 * Decides whether `actor` may change `fields` of an activity in `status`. All fields are
 * judged together: one locked or forbidden field refuses the whole edit, and the refusal lists
 * every field at fault so the form can mark them. A reason is required as soon as one changed
 * field needs it.
 */
export function decideEdit(
  status: ActivityStatus,
  fields: readonly ActivityField[],
  actor: Actor,
  reason?: string | null,
): EditDecision {
  const rules = fields.map((field) => ({ field, rule: editRule(status, field) }));
  const lockedFields = rules.filter((r) => r.rule.kind === 'locked').map((r) => r.field);
  if (lockedFields.length > 0) {
    return refuseEdit({ code: 'LOCKED_IN_STATUS', status, fields: lockedFields });
  }
  const allowed = rules.flatMap(({ field, rule }) =>
    rule.kind === 'allowed' ? [{ field, rule }] : [],
  );
  const forbidden = allowed.filter(
    ({ rule }) => !actor.roles.some((role) => rule.roles.includes(role)),
  );
  const first = forbidden[0];
  if (first) {
    return refuseEdit({
      code: 'NOT_ALLOWED_FOR_ROLE',
      status,
      fields: forbidden.map((r) => r.field),
      // Roles that could make the whole edit: those allowed for every refused field.
      allowedRoles: first.rule.roles.filter((role) =>
        forbidden.every(({ rule }) => rule.roles.includes(role)),
      ),
    });
  }
  const reasonFields = allowed.filter(({ rule }) => rule.needsReason).map((r) => r.field);
  const needsReason = reasonFields.length > 0;
  if (needsReason && (reason?.trim() ?? '') === '') {
    return refuseEdit({ code: 'REASON_REQUIRED', status, fields: reasonFields });
  }
  return { ok: true, needsReason };
}

// --- words -------------------------------------------------------------------------------------

const statusNames: Record<ActivityStatus, Localized> = {
  draft: { en: 'draft', 'zh-CN': '草稿' },
  submitted: { en: 'submitted for approval', 'zh-CN': '待审核' },
  approved: { en: 'approved', 'zh-CN': '已通过审核' },
  rejected: { en: 'rejected', 'zh-CN': '已驳回' },
  open: { en: 'open for enrollment', 'zh-CN': '报名中' },
  in_progress: { en: 'in progress', 'zh-CN': '进行中' },
  closed: { en: 'closed', 'zh-CN': '已结束' },
  credited: { en: 'credited', 'zh-CN': '已登记学时' },
  archived: { en: 'archived', 'zh-CN': '已归档' },
};

const actionNames: Record<ActivityAction, Localized> = {
  submit: { en: 'submit it for approval', 'zh-CN': '提交审核' },
  approve: { en: 'approve it', 'zh-CN': '审核通过' },
  reject: { en: 'reject it', 'zh-CN': '驳回' },
  open: { en: 'open enrollment', 'zh-CN': '开放报名' },
  start: { en: 'start it', 'zh-CN': '开始培训' },
  close: { en: 'close it', 'zh-CN': '结束培训' },
  credit: { en: 'award its credits', 'zh-CN': '登记学时' },
  archive: { en: 'archive it', 'zh-CN': '归档' },
};

const roleNames: Record<Role, Localized> = {
  platform_admin: { en: 'platform administrator', 'zh-CN': '平台管理员' },
  office_officer: { en: 'education office', 'zh-CN': '教育行政部门' },
  institution_admin: { en: 'training institution', 'zh-CN': '培训机构' },
  trainer: { en: 'trainer', 'zh-CN': '培训者' },
  school_admin: { en: 'school administrator', 'zh-CN': '学校管理员' },
  teacher: { en: 'teacher', 'zh-CN': '教师' },
};

const fieldNames: Record<ActivityField, Localized> = {
  title: { en: 'title', 'zh-CN': '名称' },
  description: { en: 'description', 'zh-CN': '简介' },
  category: { en: 'credit category', 'zh-CN': '学时类别' },
  level: { en: 'level', 'zh-CN': '级别' },
  deliveryMode: { en: 'delivery mode', 'zh-CN': '培训形式' },
  creditHours: { en: 'credit hours', 'zh-CN': '学时' },
  capacity: { en: 'capacity', 'zh-CN': '名额' },
  selfEnrollment: { en: 'self-registration', 'zh-CN': '自主报名' },
  startsOn: { en: 'first day', 'zh-CN': '开始日期' },
  endsOn: { en: 'last day', 'zh-CN': '结束日期' },
  eligibilityRules: { en: 'eligibility rules', 'zh-CN': '报名条件' },
  completionRules: { en: 'completion rules', 'zh-CN': '结业要求' },
  sessions: { en: 'sessions', 'zh-CN': '课程安排' },
};

type Unworded<R> = R extends unknown ? Omit<R, 'reason'> : never;

/** Renders a lifecycle or edit refusal for the person who tried. */
export function describeLifecycleRefusal(
  refusal: Unworded<LifecycleRefusal> | Unworded<EditRefusal>,
  locale: Locale,
): string {
  const zh = locale === 'zh-CN';
  const roles = (list: readonly Role[]) =>
    [...new Set(list.filter((r) => r !== 'platform_admin').map((r) => roleNames[r][locale]))].join(
      zh ? '或' : ' or ',
    );
  const fields = (list: readonly ActivityField[]) =>
    list.map((f) => fieldNames[f][locale]).join(zh ? '、' : ', ');
  switch (refusal.code) {
    case 'ILLEGAL_TRANSITION':
      return zh
        ? `活动当前为“${statusNames[refusal.from][locale]}”状态，不能${actionNames[refusal.action][locale]}。`
        : `The activity is ${statusNames[refusal.from][locale]}; you cannot ${actionNames[refusal.action][locale]} now.`;
    case 'NOT_ALLOWED_FOR_ROLE':
      if ('action' in refusal) {
        return zh
          ? `只有${roles(refusal.allowedRoles)}可以${actionNames[refusal.action][locale]}。`
          : `Only the ${roles(refusal.allowedRoles)} can ${actionNames[refusal.action][locale]}.`;
      }
      return zh
        ? `活动处于“${statusNames[refusal.status][locale]}”状态时，${fields(refusal.fields)}只能由${roles(refusal.allowedRoles)}修改。`
        : `Once the activity is ${statusNames[refusal.status][locale]}, only the ${roles(refusal.allowedRoles)} can change its ${fields(refusal.fields)}.`;
    case 'REASON_REQUIRED':
      if ('action' in refusal) {
        return zh
          ? `${actionNames[refusal.action][locale]}时必须填写原因。`
          : `A reason is required to ${actionNames[refusal.action][locale]}.`;
      }
      return zh
        ? `修改${fields(refusal.fields)}时必须填写原因。`
        : `A reason is required to change the ${fields(refusal.fields)}.`;
    case 'REASON_TOO_LONG':
      return zh
        ? `原因最多 ${refusal.maxLength} 个字符。`
        : `The reason must be at most ${refusal.maxLength} characters.`;
    case 'LOCKED_IN_STATUS':
      return zh
        ? `活动当前为“${statusNames[refusal.status][locale]}”状态，${fields(refusal.fields)}不能修改。`
        : `The activity is ${statusNames[refusal.status][locale]}; its ${fields(refusal.fields)} cannot be changed.`;
    default: {
      const never: never = refusal;
      throw new Error(`unknown refusal ${JSON.stringify(never)}`);
    }
  }
}

function refuse(refusal: Unworded<LifecycleRefusal>): TransitionResult {
  return {
    ok: false,
    refusal: { ...refusal, reason: describeLifecycleRefusal(refusal, 'en') } as LifecycleRefusal,
  };
}

function refuseEdit(refusal: Unworded<EditRefusal>): EditDecision {
  return {
    ok: false,
    refusal: { ...refusal, reason: describeLifecycleRefusal(refusal, 'en') } as EditRefusal,
  };
}
