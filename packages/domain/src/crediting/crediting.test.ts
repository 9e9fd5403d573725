import { describe, expect, it } from 'vitest';
import { completionRulesSchema } from '../rules/rule-schemas';
import type { EnrollmentStatus } from '../vocabulary/vocabulary';
import type { CompletionAttendance, CompletionSession } from '../completion/completion';
import {
  creditingPolicy,
  decideCorrection,
  decideLedgerAction,
  describeCorrectionRefusal,
  noStandingCredit,
  planCrediting,
  recreditReason,
  type BindingPolicy,
  type CorrectionRequest,
  type CreditingEnrollment,
  type LedgerAction,
  type StandingCredit,
} from './crediting';

const award = (hours: number, extra: Partial<StandingCredit> = {}): StandingCredit => ({
  award: { id: 7, hours },
  netHours: hours,
  officeAdjustmentHours: 0,
  revocation: null,
  ...extra,
});

describe('decideLedgerAction: old award and new outcome → the entry to append', () => {
  it.each<[string, boolean, number, StandingCredit, LedgerAction]>([
    ['first crediting, completed', true, 6, noStandingCredit, { kind: 'award', hours: 6 }],
    [
      'first crediting, not completed',
      false,
      6,
      noStandingCredit,
      { kind: 'none', why: 'NOT_COMPLETED' },
    ],
    [
      'hours that convert to nothing are not awarded',
      true,
      0,
      noStandingCredit,
      { kind: 'none', why: 'NOTHING_TO_AWARD' },
    ],
    ['repeated crediting changes nothing', true, 6, award(6), { kind: 'none', why: 'UP_TO_DATE' }],
    [
      'amended: no longer completes → revocation of the whole net',
      false,
      6,
      award(6),
      { kind: 'revocation', hours: -6, correctsEntryId: 7 },
    ],
    [
      'amended: no longer completes after an earlier crediting adjustment',
      false,
      6,
      award(5, { netHours: 6 }),
      { kind: 'revocation', hours: -6, correctsEntryId: 7 },
    ],
    [
      'policy converts differently now → adjustment of the difference',
      true,
      4.5,
      award(6),
      { kind: 'adjustment', hours: -1.5, correctsEntryId: 7 },
    ],
    [
      'revoked by a re-confirmation, completes again → reinstated by adjustment',
      true,
      6,
      award(6, { netHours: 0, revocation: { origin: 'crediting' } }),
      { kind: 'adjustment', hours: 6, correctsEntryId: 7 },
    ],
    [
      'reinstated, then no longer completes → adjustment (the award has its revocation)',
      false,
      6,
      award(6, { netHours: 6, revocation: { origin: 'crediting' } }),
      { kind: 'adjustment', hours: -6, correctsEntryId: 7 },
    ],
    [
      'revoked and still not completing → nothing',
      false,
      6,
      award(6, { netHours: 0, revocation: { origin: 'crediting' } }),
      { kind: 'none', why: 'NOT_COMPLETED' },
    ],
    [
      'revoked by the office stays revoked even when completing',
      true,
      6,
      award(6, { netHours: 0, revocation: { origin: 'office' } }),
      { kind: 'none', why: 'REVOKED_BY_OFFICE' },
    ],
    [
      "the office's own +2 is kept when the award still stands",
      true,
      6,
      award(6, { netHours: 8, officeAdjustmentHours: 2 }),
      { kind: 'none', why: 'UP_TO_DATE' },
    ],
    [
      "the office's own +2 is cancelled with the award when it no longer completes",
      false,
      6,
      award(6, { netHours: 8, officeAdjustmentHours: 2 }),
      { kind: 'revocation', hours: -8, correctsEntryId: 7 },
    ],
    [
      "the office's own −6 leaves nothing to revoke",
      false,
      6,
      award(6, { netHours: 0, officeAdjustmentHours: -6 }),
      { kind: 'none', why: 'NOT_COMPLETED' },
    ],
    [
      'hundredths are exact: 0.1 + 0.2 is 0.3',
      true,
      0.3,
      award(0.1, { netHours: 0.30000000000000004 }),
      { kind: 'none', why: 'UP_TO_DATE' },
    ],
  ])('%s', (_name, completed, hours, standing, expected) => {
    expect(decideLedgerAction({ completed, hours }, standing)).toEqual(expected);
  });
});

const policy = (
  id: number,
  regionDepth: number,
  starts: string,
  ends: string,
  factors: Record<string, number> = {},
): BindingPolicy => ({
  id,
  regionDepth,
  cycleStartsOn: starts,
  cycleEndsOn: ends,
  totalHours: 360,
  categoryMinimums: {},
  categoryCaps: {},
  yearlyCap: null,
  conversionFactors: factors,
});

describe('creditingPolicy: the cycle an award counts toward', () => {
  const city = policy(1, 2, '2021-01-01', '2025-12-31');
  const cityNext = policy(2, 2, '2026-01-01', '2030-12-31');
  const district = policy(3, 3, '2026-01-01', '2030-12-31');
  it.each<[string, BindingPolicy[], string, number | null]>([
    ['the cycle containing the day', [city, cityNext], '2026-03-02', 2],
    ['the last day of a cycle belongs to it', [city, cityNext], '2025-12-31', 1],
    ['a district policy before its city’s', [cityNext, district], '2026-03-02', 3],
    ['the city’s where the district has no cycle that day', [city, district], '2025-06-01', 1],
    ['no cycle covers the day', [cityNext], '2020-06-01', null],
  ])('%s', (_name, policies, day, expected) => {
    expect(creditingPolicy(policies, day)?.id ?? null).toBe(expected);
  });
});

const sessions: CompletionSession[] = [1, 2, 3, 4, 5].map((id) => ({
  id,
  sequence: id,
  hours: 2,
  mode: 'in_person',
  onlineMinMinutes: null,
}));
const present = (n: number): CompletionAttendance[] =>
  sessions.map((s, i) => ({ sessionId: s.id, status: i < n ? 'present' : 'absent', minutes: 0 }));

const enrollment = (
  id: number,
  status: EnrollmentStatus,
  attendedSessions: number,
  standing: StandingCredit = noStandingCredit,
): CreditingEnrollment => ({
  id,
  status,
  facts: {
    sessions,
    attendance: present(attendedSessions),
    assignmentsOnTime: 0,
    assessment: null,
  },
  standing,
  policies: [policy(9, 2, '2026-01-01', '2030-12-31', { online: 0.5 })],
});

describe('planCrediting: a roster of ten hours at 80 %', () => {
  const activity = {
    creditHours: 10,
    deliveryMode: 'online' as const,
    completionRules: completionRulesSchema.parse({ minAttendanceRatio: 0.8 }),
    endsOn: '2026-03-02',
  };

  it('evaluates participants only, converts by the policy and lists unconfirmed registrations', () => {
    const plan = planCrediting(activity, [
      enrollment(1, 'eligibility_confirmed', 5),
      enrollment(2, 'eligibility_confirmed', 4), // exactly at the threshold
      enrollment(3, 'eligibility_confirmed', 3), // partial attendance, below it
      enrollment(4, 'registered', 5),
      enrollment(5, 'withdrawn', 5),
      enrollment(6, 'eligibility_rejected', 5),
    ]);
    expect(plan.unconfirmed).toEqual([4]);
    expect(
      plan.lines.map((l) => [l.enrollmentId, l.status, l.hours, l.policyId, l.action.kind]),
    ).toEqual([
      [1, 'completed', 5, 9, 'award'],
      [2, 'completed', 5, 9, 'award'],
      [3, 'not_completed', 5, 9, 'none'],
    ]);
    expect(plan.lines[2]!.reasons[0]).toMatchObject({
      code: 'ATTENDANCE_BELOW_THRESHOLD',
      attendedHours: 6,
      requiredHours: 8,
    });
  });

  it('after an amendment, re-credits: a completed one that no longer completes is revoked', () => {
    const plan = planCrediting(activity, [
      enrollment(1, 'completed', 3, award(5)),
      enrollment(2, 'not_completed', 4),
      enrollment(3, 'completed', 5, award(5)),
    ]);
    expect(
      plan.lines.map((l) => [l.enrollmentId, l.previousStatus, l.status, l.action.kind]),
    ).toEqual([
      [1, 'completed', 'not_completed', 'revocation'],
      [2, 'not_completed', 'completed', 'award'],
      [3, 'completed', 'completed', 'none'],
    ]);
  });

  it('without a covering policy counts hours 1:1 and leaves the cycle empty', () => {
    const plan = planCrediting({ ...activity, endsOn: '2019-05-01' }, [
      enrollment(1, 'eligibility_confirmed', 5),
    ]);
    expect(plan.lines[0]).toMatchObject({ hours: 10, policyId: null });
  });
});

describe('recreditReason', () => {
  it('names the revision and every amendment, in both languages', () => {
    const reason = recreditReason({ kind: 'revocation', hours: -6, correctsEntryId: 1 }, 2, [
      { id: 11, reason: '签到表误记' },
      { id: 12, reason: 'trainer typo' },
    ]);
    expect(reason).toContain('revision 2');
    expect(reason).toContain('#11 “签到表误记”');
    expect(reason).toContain('#12');
    expect(reason).toContain('撤销学时');
  });

  it('is cut to what the ledger keeps', () => {
    const reason = recreditReason({ kind: 'adjustment', hours: 1, correctsEntryId: 1 }, 3, [
      { id: 1, reason: '长'.repeat(2000) },
    ]);
    expect([...reason]).toHaveLength(1000);
  });
});

describe('decideCorrection: the office adjusts or revokes, never below zero', () => {
  const root = (chainHours: number, revoked = false) => ({
    correctsEntryId: null,
    chainHours,
    revoked,
  });
  it.each<
    [
      string,
      ReturnType<typeof root> | { correctsEntryId: number; chainHours: number; revoked: boolean },
      CorrectionRequest,
      string,
      number?,
    ]
  >([
    ['adds hours', root(6), { kind: 'adjustment', hours: 1.5 }, 'ok', 1.5],
    ['takes hours down to exactly zero', root(6), { kind: 'adjustment', hours: -6 }, 'ok', -6],
    ['refuses to go below zero', root(6), { kind: 'adjustment', hours: -6.01 }, 'NET_BELOW_ZERO'],
    ['refuses a zero adjustment', root(6), { kind: 'adjustment', hours: 0.001 }, 'ZERO_HOURS'],
    [
      'reinstates a revoked award by adjustment',
      root(0, true),
      { kind: 'adjustment', hours: 6 },
      'ok',
      6,
    ],
    ['revokes the whole net', root(7.5), { kind: 'revocation' }, 'ok', -7.5],
    ['revokes once', root(0, true), { kind: 'revocation' }, 'ALREADY_REVOKED'],
    ['nothing left to revoke', root(0), { kind: 'revocation' }, 'NOTHING_TO_REVOKE'],
    [
      'a correction is not corrected itself',
      { correctsEntryId: 3, chainHours: 2, revoked: false },
      { kind: 'revocation' },
      'IS_A_CORRECTION',
    ],
  ])('%s', (_name, entry, request, expected, hours) => {
    const decision = decideCorrection(entry, request);
    expect(decision.ok ? 'ok' : decision.refusal.code).toBe(expected);
    if (decision.ok) expect(decision.hours).toBe(hours);
    else {
      expect(describeCorrectionRefusal(decision.refusal, 'en')).toMatch(/^[A-Z]/);
      expect(describeCorrectionRefusal(decision.refusal, 'zh-CN')).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
