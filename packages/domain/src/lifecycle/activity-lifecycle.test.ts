import { describe, expect, it } from 'vitest';
import { activityStatuses, type ActivityStatus, type Role } from '../vocabulary/vocabulary';
import {
  activityActions,
  availableActions,
  decideEdit,
  describeLifecycleRefusal,
  transition,
  type ActivityAction,
  type ActivityField,
} from './activity-lifecycle';

const institution = { roles: ['institution_admin'] as Role[] };
const school = { roles: ['school_admin'] as Role[] };
const office = { roles: ['office_officer'] as Role[] };
const platform = { roles: ['platform_admin'] as Role[] };
const trainer = { roles: ['trainer'] as Role[] };
const teacher = { roles: ['teacher'] as Role[] };
const nobody = { roles: [] as Role[] };
const trainerAndInstitution = { roles: ['trainer', 'institution_admin'] as Role[] };

describe('transition: the legal path', () => {
  it.each<[ActivityStatus, ActivityAction, { roles: Role[] }, string | null, ActivityStatus]>([
    ['draft', 'submit', institution, null, 'submitted'],
    ['draft', 'submit', school, null, 'submitted'],
    ['draft', 'submit', platform, null, 'submitted'],
    ['draft', 'submit', trainerAndInstitution, null, 'submitted'],
    ['rejected', 'submit', institution, null, 'submitted'],
    ['submitted', 'approve', office, null, 'approved'],
    ['submitted', 'approve', platform, null, 'approved'],
    ['submitted', 'reject', office, '课程目标不明确', 'rejected'],
    ['submitted', 'reject', platform, 'Duplicate of 2025-TR-001', 'rejected'],
    ['approved', 'open', institution, null, 'open'],
    ['approved', 'open', office, null, 'open'],
    ['open', 'start', school, null, 'in_progress'],
    ['in_progress', 'close', institution, null, 'closed'],
    ['in_progress', 'close', office, null, 'closed'],
    ['closed', 'credit', office, null, 'credited'],
    ['closed', 'credit', platform, null, 'credited'],
    ['credited', 'archive', office, null, 'archived'],
  ])('%s --%s--> (%j, reason %j) = %s', (from, action, actor, reason, to) => {
    const result = transition(from, action, actor, reason);
    expect(result).toMatchObject({ ok: true, status: to });
  });

  it('keeps the trimmed reason of a rejection and drops reasons nobody asked for', () => {
    expect(transition('submitted', 'reject', office, '  名额重复  ')).toEqual({
      ok: true,
      status: 'rejected',
      reason: '名额重复',
    });
    expect(transition('submitted', 'approve', office, 'looks good')).toEqual({
      ok: true,
      status: 'approved',
      reason: null,
    });
  });
});

describe('transition: refusals', () => {
  it.each<[ActivityStatus, ActivityAction, { roles: Role[] }, string | null, string]>([
    // Skipping or reversing steps.
    ['draft', 'approve', office, null, 'ILLEGAL_TRANSITION'],
    ['draft', 'open', institution, null, 'ILLEGAL_TRANSITION'],
    ['submitted', 'submit', institution, null, 'ILLEGAL_TRANSITION'],
    ['approved', 'reject', office, 'too late', 'ILLEGAL_TRANSITION'],
    ['rejected', 'approve', office, null, 'ILLEGAL_TRANSITION'],
    ['rejected', 'open', institution, null, 'ILLEGAL_TRANSITION'],
    ['open', 'close', institution, null, 'ILLEGAL_TRANSITION'],
    ['in_progress', 'credit', office, null, 'ILLEGAL_TRANSITION'],
    ['closed', 'archive', office, null, 'ILLEGAL_TRANSITION'],
    ['credited', 'credit', office, null, 'ILLEGAL_TRANSITION'],
    ['archived', 'submit', platform, null, 'ILLEGAL_TRANSITION'],
    ['archived', 'archive', platform, null, 'ILLEGAL_TRANSITION'],
    // An impossible step is reported before a missing role.
    ['draft', 'approve', teacher, null, 'ILLEGAL_TRANSITION'],
    // Wrong person.
    ['draft', 'submit', office, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['draft', 'submit', teacher, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['draft', 'submit', nobody, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['submitted', 'approve', institution, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['submitted', 'approve', school, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['submitted', 'reject', institution, 'no reason to', 'NOT_ALLOWED_FOR_ROLE'],
    ['approved', 'open', trainer, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['in_progress', 'close', teacher, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['closed', 'credit', institution, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['closed', 'credit', school, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['credited', 'archive', institution, null, 'NOT_ALLOWED_FOR_ROLE'],
    // A role is reported before a missing reason.
    ['submitted', 'reject', teacher, null, 'NOT_ALLOWED_FOR_ROLE'],
    // Missing reason.
    ['submitted', 'reject', office, null, 'REASON_REQUIRED'],
    ['submitted', 'reject', office, '', 'REASON_REQUIRED'],
    ['submitted', 'reject', office, '   \n\t ', 'REASON_REQUIRED'],
    ['submitted', 'reject', platform, '\u3000', 'REASON_REQUIRED'],
    ['submitted', 'reject', office, 'x'.repeat(1001), 'REASON_TOO_LONG'],
  ])('%s --%s--> by %j (reason %j) is refused with %s', (from, action, actor, reason, code) => {
    const result = transition(from, action, actor, reason);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.refusal.code).toBe(code);
      expect(result.refusal.reason.length).toBeGreaterThan(10);
    }
  });

  it('accepts a reason of exactly the maximum length', () => {
    expect(transition('submitted', 'reject', office, 'x'.repeat(1000)).ok).toBe(true);
  });

  it.each(
    activityStatuses.flatMap((from) => activityActions.map((action) => [from, action] as const)),
  )('never lets a teacher or trainer move an activity (%s, %s)', (from, action) => {
    expect(transition(from, action, teacher, 'reason').ok).toBe(false);
    expect(transition(from, action, trainer, 'reason').ok).toBe(false);
  });

  it('names the allowed roles in the refusal', () => {
    const result = transition('closed', 'credit', institution);
    expect(result).toEqual({
      ok: false,
      refusal: {
        code: 'NOT_ALLOWED_FOR_ROLE',
        action: 'credit',
        allowedRoles: ['office_officer', 'platform_admin'],
        reason: 'Only the education office can award its credits.',
      },
    });
  });
});

describe('availableActions', () => {
  it.each<[ActivityStatus, { roles: Role[] }, ActivityAction[]]>([
    ['draft', institution, ['submit']],
    ['draft', office, []],
    ['submitted', office, ['approve', 'reject']],
    ['submitted', institution, []],
    ['rejected', school, ['submit']],
    ['approved', office, ['open']],
    ['closed', office, ['credit']],
    ['closed', institution, []],
    ['credited', platform, ['archive']],
    ['archived', platform, []],
    ['open', teacher, []],
  ])('%s for %j: %j', (status, actor, actions) => {
    expect(availableActions(status, actor)).toEqual(actions);
  });
});

describe('decideEdit', () => {
  it.each<[ActivityStatus, ActivityField[], { roles: Role[] }, string | null, boolean | string]>([
    // Before approval the provider edits anything, without a reason.
    ['draft', ['title', 'creditHours', 'completionRules'], institution, null, false],
    ['rejected', ['creditHours', 'sessions'], school, null, false],
    ['draft', ['title'], platform, null, false],
    ['draft', ['title'], office, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['draft', ['title'], teacher, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['draft', [], teacher, null, false],
    // Under review nothing moves.
    ['submitted', ['title'], institution, null, 'LOCKED_IN_STATUS'],
    ['submitted', ['creditHours'], office, 'fix', 'LOCKED_IN_STATUS'],
    // After approval: practical details by the provider, credit fields by the office + reason.
    ['approved', ['title', 'capacity', 'sessions'], institution, null, false],
    ['open', ['eligibilityRules'], school, null, false],
    ['open', ['capacity'], office, null, false],
    ['approved', ['creditHours'], institution, 'please', 'NOT_ALLOWED_FOR_ROLE'],
    ['open', ['completionRules'], school, 'please', 'NOT_ALLOWED_FOR_ROLE'],
    ['open', ['title', 'deliveryMode'], institution, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['in_progress', ['category'], institution, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['approved', ['creditHours'], office, null, 'REASON_REQUIRED'],
    ['approved', ['creditHours'], office, '  ', 'REASON_REQUIRED'],
    ['approved', ['creditHours'], office, '按区教育局文件调整为 24 学时', true],
    ['in_progress', ['completionRules', 'title'], office, 'attendance threshold lowered', true],
    ['open', ['level'], platform, 'level corrected', true],
    // Closed: the office corrects anything, with a reason.
    ['closed', ['title'], institution, null, 'NOT_ALLOWED_FOR_ROLE'],
    ['closed', ['title'], office, null, 'REASON_REQUIRED'],
    ['closed', ['sessions', 'creditHours'], office, 'session 3 was cancelled', true],
    // Credited or archived: the ledger corrects, not the activity.
    ['credited', ['creditHours'], office, 'correction', 'LOCKED_IN_STATUS'],
    ['archived', ['title'], platform, 'typo', 'LOCKED_IN_STATUS'],
  ])('%s: %j by %j (reason %j) → %s', (status, fields, actor, reason, expected) => {
    const decision = decideEdit(status, fields, actor, reason);
    if (typeof expected === 'boolean') {
      expect(decision).toEqual({ ok: true, needsReason: expected });
    } else {
      expect(decision.ok).toBe(false);
      if (!decision.ok) expect(decision.refusal.code).toBe(expected);
    }
  });

  it('lists every field at fault and the roles that could make the whole edit', () => {
    const decision = decideEdit(
      'open',
      ['title', 'creditHours', 'deliveryMode'],
      { roles: ['trainer'] },
      null,
    );
    expect(decision).toMatchObject({
      ok: false,
      refusal: {
        code: 'NOT_ALLOWED_FOR_ROLE',
        fields: ['title', 'creditHours', 'deliveryMode'],
        allowedRoles: ['office_officer', 'platform_admin'],
      },
    });
  });

  it('asks for a reason naming only the credit fields', () => {
    const decision = decideEdit('open', ['title', 'creditHours'], office, '');
    expect(decision).toMatchObject({
      ok: false,
      refusal: { code: 'REASON_REQUIRED', fields: ['creditHours'] },
    });
  });
});

describe('describeLifecycleRefusal', () => {
  it.each([
    [
      { code: 'ILLEGAL_TRANSITION', from: 'draft', action: 'approve' },
      'The activity is draft; you cannot approve it now.',
      '活动当前为“草稿”状态，不能审核通过。',
    ],
    [
      { code: 'REASON_REQUIRED', action: 'reject' },
      'A reason is required to reject it.',
      '驳回时必须填写原因。',
    ],
    [
      {
        code: 'NOT_ALLOWED_FOR_ROLE',
        action: 'submit',
        allowedRoles: ['institution_admin', 'school_admin', 'platform_admin'],
      },
      'Only the training institution or school administrator can submit it for approval.',
      '只有培训机构或学校管理员可以提交审核。',
    ],
    [
      {
        code: 'NOT_ALLOWED_FOR_ROLE',
        status: 'open',
        fields: ['creditHours', 'completionRules'],
        allowedRoles: ['office_officer', 'platform_admin'],
      },
      'Once the activity is open for enrollment, only the education office can change its credit hours, completion rules.',
      '活动处于“报名中”状态时，学时、结业要求只能由教育行政部门修改。',
    ],
    [
      { code: 'LOCKED_IN_STATUS', status: 'credited', fields: ['creditHours'] },
      'The activity is credited; its credit hours cannot be changed.',
      '活动当前为“已登记学时”状态，学时不能修改。',
    ],
    [
      { code: 'REASON_REQUIRED', status: 'approved', fields: ['creditHours'] },
      'A reason is required to change the credit hours.',
      '修改学时时必须填写原因。',
    ],
  ] as const)('%j', (refusal, en, zh) => {
    expect(describeLifecycleRefusal(refusal, 'en')).toBe(en);
    expect(describeLifecycleRefusal(refusal, 'zh-CN')).toBe(zh);
  });
});
