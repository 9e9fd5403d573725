import { describe, expect, it } from 'vitest';
import {
  activityStatuses,
  enrollmentStatuses,
  type ActivityStatus,
  type EnrollmentStatus,
} from '../vocabulary/vocabulary';
import {
  decideEligibilityDecision,
  decideSubstitution,
  describeRosterRefusal,
  enrollmentOpen,
  holdsSeat,
  rosterDecidable,
  seatsForSubstitute,
} from './enrollment-rules';

describe('holdsSeat', () => {
  it.each<[EnrollmentStatus, boolean]>([
    ['registered', true],
    ['eligibility_confirmed', true],
    // Kept for the substitute the school may still name.
    ['eligibility_rejected', true],
    ['substituted', false],
    ['withdrawn', false],
    ['completed', true],
    ['not_completed', true],
  ])('%s → %s', (status, expected) => expect(holdsSeat(status)).toBe(expected));

  it('has a verdict for every status', () => {
    expect(enrollmentStatuses.map(holdsSeat)).toHaveLength(enrollmentStatuses.length);
  });
});

describe('when the roster moves', () => {
  it.each<[ActivityStatus, boolean, boolean]>([
    ['draft', false, false],
    ['submitted', false, false],
    ['approved', false, false],
    ['rejected', false, false],
    ['open', true, true],
    ['in_progress', false, true],
    ['closed', false, false],
    ['credited', false, false],
    ['archived', false, false],
  ])('%s: enroll %s, decide %s', (status, enroll, decide) => {
    expect([enrollmentOpen(status), rosterDecidable(status)]).toEqual([enroll, decide]);
  });

  it('covers every activity status', () => {
    expect(activityStatuses).toHaveLength(9);
  });
});

describe('decideEligibilityDecision', () => {
  const base = {
    enrollmentStatus: 'registered' as EnrollmentStatus,
    activityStatus: 'open' as ActivityStatus,
    decision: 'confirm' as 'confirm' | 'reject',
    reason: null as string | null,
  };
  it.each<[string, Partial<typeof base>, string | null]>([
    ['confirm while open', {}, null],
    ['confirm while in progress', { activityStatus: 'in_progress' }, null],
    ['reject with a reason', { decision: 'reject', reason: '已参加同类培训' }, null],
    ['reject without a reason', { decision: 'reject' }, 'REASON_REQUIRED'],
    ['reject with blanks only', { decision: 'reject', reason: ' \t ' }, 'REASON_REQUIRED'],
    ['reason of exactly 1000', { decision: 'reject', reason: '理'.repeat(1000) }, null],
    ['reason of 1001', { decision: 'reject', reason: '理'.repeat(1001) }, 'REASON_TOO_LONG'],
    ['confirm twice', { enrollmentStatus: 'eligibility_confirmed' }, 'ALREADY_DECIDED'],
    [
      'reject a confirmed one',
      { enrollmentStatus: 'eligibility_confirmed', decision: 'reject', reason: 'x' },
      'ALREADY_DECIDED',
    ],
    ['confirm a substituted one', { enrollmentStatus: 'substituted' }, 'ALREADY_DECIDED'],
    ['confirm after close', { activityStatus: 'closed' }, 'ROSTER_CLOSED'],
    ['confirm after credit', { activityStatus: 'credited' }, 'ROSTER_CLOSED'],
  ])('%s → %s', (_what, overrides, expected) => {
    const decision = decideEligibilityDecision({ ...base, ...overrides });
    expect(decision.ok ? null : decision.refusal.code).toBe(expected);
  });
});

describe('decideSubstitution', () => {
  const rejected = { status: 'eligibility_rejected' as EnrollmentStatus, schoolId: 7 };
  const substitute = { schoolId: 7, onRoster: false };
  it.each<[string, Parameters<typeof decideSubstitution>[0], string | null]>([
    ['same school, not enrolled, open', { rejected, substitute, activityStatus: 'open' }, null],
    ['during the activity', { rejected, substitute, activityStatus: 'in_progress' }, null],
    [
      'a participant not rejected',
      { rejected: { ...rejected, status: 'registered' }, substitute, activityStatus: 'open' },
      'NOT_REJECTED',
    ],
    [
      'a second substitution of the same rejection',
      { rejected: { ...rejected, status: 'substituted' }, substitute, activityStatus: 'open' },
      'NOT_REJECTED',
    ],
    [
      'a teacher of another school',
      { rejected, substitute: { ...substitute, schoolId: 8 }, activityStatus: 'open' },
      'OTHER_SCHOOL',
    ],
    [
      'a teacher already on the roster',
      { rejected, substitute: { ...substitute, onRoster: true }, activityStatus: 'open' },
      'ALREADY_ON_ROSTER',
    ],
    ['after close', { rejected, substitute, activityStatus: 'closed' }, 'ROSTER_CLOSED'],
  ])('%s → %s', (_what, input, expected) => {
    const decision = decideSubstitution(input);
    expect(decision.ok ? null : decision.refusal.code).toBe(expected);
  });

  it.each([
    [5, 4],
    [1, 0],
    [0, 0],
  ])('%i seats held count as %i for the substitute', (held, counted) => {
    expect(seatsForSubstitute(held)).toBe(counted);
  });
});

describe('describeRosterRefusal', () => {
  it.each([
    [
      { code: 'ALREADY_DECIDED', status: 'eligibility_confirmed' },
      'confirmed by the school',
      '学校已确认',
    ],
    [{ code: 'ROSTER_CLOSED', activityStatus: 'closed' }, 'has closed', '已结束'],
    [{ code: 'REASON_REQUIRED' }, 'needs a reason', '必须填写理由'],
    [{ code: 'REASON_TOO_LONG', max: 1000 }, '1000 characters', '1000 个字符'],
    [{ code: 'NOT_REJECTED', status: 'registered' }, 'awaiting the school', '待学校审核'],
    [{ code: 'OTHER_SCHOOL' }, 'same school', '同校'],
    [{ code: 'ALREADY_ON_ROSTER' }, 'already on the roster', '已在本活动名单中'],
  ] as const)('%o in both languages', (refusal, en, zh) => {
    expect(describeRosterRefusal(refusal, 'en')).toContain(en);
    expect(describeRosterRefusal(refusal, 'zh-CN')).toContain(zh);
  });
});
