import { describe, expect, it } from 'vitest';
import type { ActivityStatus, EnrollmentStatus } from '../vocabulary/vocabulary';
import {
  attendanceWritable,
  checkRoster,
  checkinAttendance,
  describeRosterProblem,
  isActiveParticipant,
  localDateOf,
  sessionLengthMinutes,
  type RosterEntry,
} from './attendance-rules';

const at = (local: string) => new Date(`${local}+08:00`);
// 09:00 to 12:00 Beijing time: 180 minutes.
const session = { startsAt: at('2026-03-02T09:00:00'), endsAt: at('2026-03-02T12:00:00') };

describe('attendanceWritable', () => {
  it.each<[ActivityStatus, boolean]>([
    ['draft', false],
    ['submitted', false],
    ['approved', false],
    ['rejected', false],
    ['open', true],
    ['in_progress', true],
    ['closed', false],
    ['credited', false],
    ['archived', false],
  ])('%s → %s', (status, expected) => {
    expect(attendanceWritable(status)).toBe(expected);
  });
});

describe('isActiveParticipant', () => {
  it.each<[EnrollmentStatus, boolean]>([
    ['registered', true],
    ['eligibility_confirmed', true],
    ['eligibility_rejected', false],
    ['substituted', false],
    ['withdrawn', false],
    ['completed', true],
    ['not_completed', true],
  ])('%s → %s', (status, expected) => {
    expect(isActiveParticipant(status)).toBe(expected);
  });
});

describe('sessionLengthMinutes', () => {
  it.each<[string, string, string, number]>([
    ['three hours', '2026-03-02T09:00:00', '2026-03-02T12:00:00', 180],
    ['rounds seconds', '2026-03-02T09:00:00', '2026-03-02T09:45:40', 46],
    ['caps at a day', '2026-03-02T00:00:00', '2026-03-03T06:00:00', 1440],
  ])('%s', (_name, start, end, minutes) => {
    expect(sessionLengthMinutes({ startsAt: at(start), endsAt: at(end) })).toBe(minutes);
  });
});

describe('checkinAttendance', () => {
  it.each<[string, string, 'present' | 'late', number]>([
    // name, check-in moment (Beijing) → status, minutes
    ['early, in the grace before', '2026-03-02T08:50:00', 'present', 180],
    ['at the start', '2026-03-02T09:00:00', 'present', 180],
    ['at the end of the allowance', '2026-03-02T09:10:00', 'present', 180],
    ['a second after the allowance', '2026-03-02T09:10:01', 'late', 169],
    ['an hour late', '2026-03-02T10:00:00', 'late', 120],
    ['in the last minute', '2026-03-02T11:59:30', 'late', 0],
    ['after the end, in the grace', '2026-03-02T12:10:00', 'late', 0],
  ])('%s', (_name, now, status, minutes) => {
    expect(checkinAttendance(session, at(now))).toEqual({ status, minutes });
  });
});

describe('checkRoster', () => {
  const enrollments = new Map<number, { status: EnrollmentStatus }>([
    [1, { status: 'registered' }],
    [2, { status: 'eligibility_confirmed' }],
    [3, { status: 'eligibility_rejected' }],
    [4, { status: 'withdrawn' }],
    [5, { status: 'substituted' }],
  ]);
  const entry = (enrollmentId: number | null, minutes = 60): RosterEntry => ({
    enrollmentId,
    status: 'present',
    minutes,
  });

  it.each<[string, RosterEntry[], Array<[number, string, string]>]>([
    // name, entries → [index, field, code] of each problem
    ['a clean roster', [entry(1), entry(2, 0)], []],
    ['minutes equal to the session', [entry(1, 180)], []],
    ['minutes above the session', [entry(1, 181)], [[0, 'minutes', 'MINUTES_OUT_OF_RANGE']]],
    ['negative minutes', [entry(1, -1)], [[0, 'minutes', 'MINUTES_OUT_OF_RANGE']]],
    ['fractional minutes', [entry(1, 1.5)], [[0, 'minutes', 'MINUTES_OUT_OF_RANGE']]],
    ['another activity', [entry(1), entry(99)], [[1, 'enrollmentId', 'NOT_IN_ACTIVITY']]],
    ['rejected', [entry(3)], [[0, 'enrollmentId', 'NOT_PARTICIPANT']]],
    ['withdrawn', [entry(4)], [[0, 'enrollmentId', 'NOT_PARTICIPANT']]],
    ['substituted', [entry(5)], [[0, 'enrollmentId', 'NOT_PARTICIPANT']]],
    ['twice', [entry(1), entry(2), entry(1)], [[2, 'enrollmentId', 'DUPLICATE']]],
    ['undecodable id is skipped', [entry(null)], []],
    [
      'everything at once',
      [entry(1), entry(99, 500), entry(1, -3)],
      [
        [1, 'enrollmentId', 'NOT_IN_ACTIVITY'],
        [1, 'minutes', 'MINUTES_OUT_OF_RANGE'],
        [2, 'enrollmentId', 'DUPLICATE'],
        [2, 'minutes', 'MINUTES_OUT_OF_RANGE'],
      ],
    ],
  ])('%s', (_name, entries, expected) => {
    const problems = checkRoster(entries, session, enrollments);
    expect(problems.map((p) => [p.index, p.field, p.code])).toEqual(expected);
  });

  it.each([
    [
      { index: 1, field: 'minutes', code: 'MINUTES_OUT_OF_RANGE', max: 180 } as const,
      "must be a whole number from 0 to 180 (the session's length)",
      '必须是 0 至 180 的整数（课次时长）',
    ],
    [
      { index: 2, field: 'enrollmentId', code: 'DUPLICATE', firstIndex: 0 } as const,
      'appears twice; first as entry 1',
      '与第 1 条重复',
    ],
  ])('describes %j in both languages', (problem, en, zh) => {
    expect(describeRosterProblem(problem, 'en')).toBe(en);
    expect(describeRosterProblem(problem, 'zh-CN')).toBe(zh);
  });
});

describe('localDateOf', () => {
  it.each<[string, string]>([
    ['2026-03-01T16:30:00Z', '2026-03-02'],
    ['2026-03-01T15:59:59Z', '2026-03-01'],
    ['2026-03-02T09:00:00Z', '2026-03-02'],
  ])('%s → %s', (iso, date) => {
    expect(localDateOf(new Date(iso))).toBe(date);
  });
});
