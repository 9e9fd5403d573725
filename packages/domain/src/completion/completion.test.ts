import { describe, expect, it } from 'vitest';
import { completionRulesSchema, type CompletionRules } from '../rules/rule-schemas';
import type { AttendanceStatus } from '../vocabulary/vocabulary';
import {
  describeCompletionReason,
  evaluateCompletion,
  type CompletionAttendance,
  type CompletionReason,
  type CompletionSession,
  type EnrollmentFacts,
} from './completion';

const rules = (r: Partial<CompletionRules> = {}) => completionRulesSchema.parse(r);

const inPerson = (id: number, hours: number): CompletionSession => ({
  id,
  sequence: id,
  hours,
  mode: 'in_person',
  onlineMinMinutes: null,
});
const online = (id: number, minMinutes: number, title?: string): CompletionSession => ({
  id,
  sequence: id,
  ...(title ? { title } : {}),
  hours: Math.round((minMinutes / 60) * 100) / 100,
  mode: 'online',
  onlineMinMinutes: minMinutes,
});
const row = (sessionId: number, status: AttendanceStatus, minutes = 0): CompletionAttendance => ({
  sessionId,
  status,
  minutes,
});

/** Five sessions of 2 hours: 10 hours. */
const fiveDays = [1, 2, 3, 4, 5].map((id) => inPerson(id, 2));
const facts = (
  attendance: CompletionAttendance[],
  sessions: CompletionSession[] = fiveDays,
): EnrollmentFacts => ({ sessions, attendance, assignmentsOnTime: 0, assessment: null });

describe('evaluateCompletion: attendance ratio by hours', () => {
  it.each<[string, AttendanceStatus[], number, boolean, number]>([
    ['all present', ['present', 'present', 'present', 'present', 'present'], 0.8, true, 10],
    ['exactly 80 %', ['present', 'present', 'present', 'present', 'absent'], 0.8, true, 8],
    ['late counts the full session', ['late', 'late', 'late', 'late', 'absent'], 0.8, true, 8],
    ['below 80 %', ['present', 'present', 'present', 'absent', 'absent'], 0.8, false, 6],
    [
      'excused does not count',
      ['present', 'present', 'present', 'excused', 'present'],
      0.8,
      true,
      8,
    ],
    [
      'excused twice is too little',
      ['present', 'present', 'present', 'excused', 'excused'],
      0.8,
      false,
      6,
    ],
    ['nothing attended', ['absent', 'absent', 'absent', 'absent', 'absent'], 0.8, false, 0],
    ['ratio 0 needs nothing', ['absent', 'absent', 'absent', 'absent', 'absent'], 0, true, 0],
    ['ratio 1 needs everything', ['present', 'present', 'present', 'present', 'late'], 1, true, 10],
    ['ratio 1, one absence', ['present', 'present', 'present', 'present', 'absent'], 1, false, 8],
    // 0.6 × 10 = 6.000000000000001 in floating point; exact arithmetic completes.
    ['exactly 60 %', ['present', 'present', 'present', 'absent', 'absent'], 0.6, true, 6],
    [
      'exactly 70 %: 0.7 × 10 in floats',
      ['present', 'present', 'present', 'present', 'absent'],
      0.7,
      true,
      8,
    ],
  ])('%s', (_name, statuses, ratio, completed, attendedHours) => {
    const answer = evaluateCompletion(
      facts(statuses.map((status, i) => row(i + 1, status))),
      rules({ minAttendanceRatio: ratio }),
    );
    expect(answer.completed).toBe(completed);
    expect(answer.attendedHours).toBe(attendedHours);
    expect(answer.totalHours).toBe(10);
  });

  it.each<[string, CompletionSession[], number[], number, boolean]>([
    // 0.7 × 3 hours is 2.0999999999999996 in floats: 2.1 hours attended must be enough.
    ['2.1 of 3 hours at 0.7', [inPerson(1, 2.1), inPerson(2, 0.9)], [1], 0.7, true],
    ['2.09 of 3 hours at 0.7', [inPerson(1, 2.09), inPerson(2, 0.91)], [1], 0.7, false],
    // 0.1 + 0.2 hours: 0.30000000000000004 in floats.
    ['0.1 + 0.2 of 0.3 hours at 1', [inPerson(1, 0.1), inPerson(2, 0.2)], [1, 2], 1, true],
    [
      '1.33 h online blocks, 3 of 4 at 0.75',
      [online(1, 80), online(2, 80), online(3, 80), online(4, 80)],
      [1, 2, 3],
      0.75,
      true,
    ],
    ['uneven sessions: 6 of 8 hours at 0.8', [inPerson(1, 6), inPerson(2, 2)], [1], 0.8, false],
    ['uneven sessions: the long one missed', [inPerson(1, 6), inPerson(2, 2)], [2], 0.25, true],
    ['one-third threshold', [inPerson(1, 1), inPerson(2, 1), inPerson(3, 1)], [1], 0.333333, true],
  ])('%s', (_name, sessions, presentIds, ratio, completed) => {
    const answer = evaluateCompletion(
      facts(
        presentIds.map((id) => row(id, 'present', 80)),
        sessions,
      ),
      rules({ minAttendanceRatio: ratio, requireOnlineMinimums: false }),
    );
    expect(answer.completed).toBe(completed);
  });

  it('reports the hours attended, required and scheduled', () => {
    const answer = evaluateCompletion(
      facts([row(1, 'present'), row(2, 'late'), row(3, 'absent')]),
      rules({ minAttendanceRatio: 0.75 }),
    );
    expect(answer.reasons).toEqual([
      {
        code: 'ATTENDANCE_BELOW_THRESHOLD',
        attendedHours: 4,
        totalHours: 10,
        requiredHours: 7.5,
        requiredPercent: 75,
      },
    ]);
  });

  it.each<[string, CompletionAttendance[], number]>([
    ['missing rows count nothing', [row(1, 'present'), row(2, 'present')], 4],
    ['rows of other activities are ignored', [row(1, 'present'), row(99, 'present')], 2],
    ['minutes do not matter in person', [row(1, 'present', 0), row(2, 'late', 5)], 4],
  ])('%s', (_name, attendance, attendedHours) => {
    expect(evaluateCompletion(facts(attendance), rules()).attendedHours).toBe(attendedHours);
  });

  it.each<[number, boolean]>([
    [0.8, false],
    [0, true],
  ])('an activity without sessions, ratio %d → completed %j', (ratio, completed) => {
    const answer = evaluateCompletion(facts([], []), rules({ minAttendanceRatio: ratio }));
    expect(answer.completed).toBe(completed);
    if (!completed) expect(answer.reasons).toEqual([{ code: 'NO_SESSIONS' }]);
  });
});

describe('evaluateCompletion: online blocks', () => {
  const blocks = [online(1, 60, '第一单元'), online(2, 60), online(3, 90)];
  it.each<[string, CompletionAttendance[], boolean, number[]]>([
    [
      'every block at least its minimum',
      [row(1, 'present', 60), row(2, 'present', 75), row(3, 'present', 90)],
      true,
      [],
    ],
    [
      'one minute short',
      [row(1, 'present', 59), row(2, 'present', 60), row(3, 'present', 90)],
      true,
      [1],
    ],
    [
      'every block short',
      [row(1, 'present', 0), row(2, 'present', 30), row(3, 'present', 89)],
      true,
      [1, 2, 3],
    ],
    ['a missing row is zero minutes', [row(1, 'present', 60), row(3, 'present', 90)], true, [2]],
    [
      'an excused block has no minutes',
      [row(1, 'excused', 60), row(2, 'present', 60), row(3, 'present', 90)],
      true,
      [1],
    ],
    [
      'late minutes count',
      [row(1, 'late', 60), row(2, 'late', 60), row(3, 'late', 1440)],
      true,
      [],
    ],
    [
      'not required: short blocks pass',
      [row(1, 'present', 5), row(2, 'present', 5), row(3, 'present', 5)],
      false,
      [],
    ],
  ])('%s', (_name, attendance, requireOnlineMinimums, shortSessions) => {
    const answer = evaluateCompletion(
      facts(attendance, blocks),
      rules({ minAttendanceRatio: 0, requireOnlineMinimums }),
    );
    const short = answer.reasons.filter((r) => r.code === 'ONLINE_BLOCK_SHORT');
    expect(short.map((r) => r.sessionId)).toEqual(shortSessions);
  });

  it('in-person sessions have no minimum', () => {
    const answer = evaluateCompletion(facts([row(1, 'present', 0)], [inPerson(1, 3)]), rules());
    expect(answer.completed).toBe(true);
  });

  it('names the block, its minutes and the minimum', () => {
    const answer = evaluateCompletion(facts([row(1, 'present', 45)], [blocks[0]!]), rules());
    expect(answer.reasons).toEqual([
      {
        code: 'ONLINE_BLOCK_SHORT',
        sessionId: 1,
        sequence: 1,
        title: '第一单元',
        minutes: 45,
        requiredMinutes: 60,
      },
    ]);
  });
});

describe('evaluateCompletion: assignments and assessment', () => {
  const allPresent = fiveDays.map((s) => row(s.id, 'present'));
  it.each<[string, Partial<CompletionRules>, number, EnrollmentFacts['assessment'], string[]]>([
    ['no homework, no assessment', {}, 0, null, []],
    ['exactly N on time', { minAssignmentsOnTime: 3 }, 3, null, []],
    ['more than N', { minAssignmentsOnTime: 3 }, 4, null, []],
    ['one short', { minAssignmentsOnTime: 3 }, 2, null, ['ASSIGNMENTS_BELOW_MINIMUM']],
    ['none submitted', { minAssignmentsOnTime: 1 }, 0, null, ['ASSIGNMENTS_BELOW_MINIMUM']],
    ['qualified meets qualified', { minAssessment: 'qualified' }, 0, 'qualified', []],
    ['excellent meets qualified', { minAssessment: 'qualified' }, 0, 'excellent', []],
    [
      'fail is below qualified',
      { minAssessment: 'qualified' },
      0,
      'fail',
      ['ASSESSMENT_BELOW_MINIMUM'],
    ],
    [
      'qualified is below excellent',
      { minAssessment: 'excellent' },
      0,
      'qualified',
      ['ASSESSMENT_BELOW_MINIMUM'],
    ],
    ['excellent meets excellent', { minAssessment: 'excellent' }, 0, 'excellent', []],
    ['no result yet', { minAssessment: 'qualified' }, 0, null, ['ASSESSMENT_MISSING']],
    ['a result without a rule is ignored', {}, 0, 'fail', []],
    [
      'both failing',
      { minAssignmentsOnTime: 2, minAssessment: 'qualified' },
      1,
      'fail',
      ['ASSIGNMENTS_BELOW_MINIMUM', 'ASSESSMENT_BELOW_MINIMUM'],
    ],
  ])('%s', (_name, r, assignmentsOnTime, assessment, codes) => {
    const answer = evaluateCompletion(
      { sessions: fiveDays, attendance: allPresent, assignmentsOnTime, assessment },
      rules(r),
    );
    expect(answer.reasons.map((reason) => reason.code)).toEqual(codes);
    expect(answer.completed).toBe(codes.length === 0);
  });

  it('returns every reason at once, in a fixed order', () => {
    const sessions = [inPerson(1, 3), online(2, 60), online(3, 60)];
    const answer = evaluateCompletion(
      {
        sessions,
        attendance: [row(2, 'present', 10)],
        assignmentsOnTime: 1,
        assignmentCount: 3,
        assessment: null,
      },
      rules({ minAssignmentsOnTime: 2, minAssessment: 'qualified' }),
    );
    expect(answer.reasons.map((r) => r.code)).toEqual([
      'ATTENDANCE_BELOW_THRESHOLD',
      'ONLINE_BLOCK_SHORT',
      'ONLINE_BLOCK_SHORT',
      'ASSIGNMENTS_BELOW_MINIMUM',
      'ASSESSMENT_MISSING',
    ]);
    expect(answer.reasons[3]).toEqual({
      code: 'ASSIGNMENTS_BELOW_MINIMUM',
      onTime: 1,
      required: 2,
      total: 3,
    });
  });
});

describe('describeCompletionReason', () => {
  it.each<[CompletionReason, string, string]>([
    [
      {
        code: 'ATTENDANCE_BELOW_THRESHOLD',
        attendedHours: 12,
        totalHours: 20,
        requiredHours: 16,
        requiredPercent: 80,
      },
      'Attended 12 of 20 session hours; at least 80% (16 hours) is required.',
      '出勤 12 学时（共 20 学时），未达到 80%（至少 16 学时）的要求。',
    ],
    [
      {
        code: 'ATTENDANCE_BELOW_THRESHOLD',
        attendedHours: 2.5,
        totalHours: 4,
        requiredHours: 3.34,
        requiredPercent: 83.5,
      },
      'Attended 2.5 of 4 session hours; at least 83.5% (3.34 hours) is required.',
      '出勤 2.5 学时（共 4 学时），未达到 83.5%（至少 3.34 学时）的要求。',
    ],
    [
      {
        code: 'ONLINE_BLOCK_SHORT',
        sessionId: 9,
        sequence: 3,
        title: '课堂观察',
        minutes: 42,
        requiredMinutes: 60,
      },
      'Online block 3 "课堂观察": studied 42 minutes; at least 60 are required.',
      '第 3 次在线学习“课堂观察”仅学习 42 分钟，要求至少 60 分钟。',
    ],
    [
      { code: 'ONLINE_BLOCK_SHORT', sessionId: 9, sequence: 4, minutes: 0, requiredMinutes: 45 },
      'Online block 4: studied 0 minutes; at least 45 are required.',
      '第 4 次在线学习仅学习 0 分钟，要求至少 45 分钟。',
    ],
    [
      { code: 'ASSIGNMENTS_BELOW_MINIMUM', onTime: 1, required: 2, total: 3 },
      'Submitted 1 of 3 assignments on time; at least 2 required.',
      '按时提交作业 1 份（共 3 份），要求至少 2 份。',
    ],
    [
      { code: 'ASSIGNMENTS_BELOW_MINIMUM', onTime: 1, required: 2 },
      'Submitted 1 assignment on time; at least 2 required.',
      '按时提交作业 1 份，要求至少 2 份。',
    ],
    [
      { code: 'ASSESSMENT_MISSING', required: 'qualified' },
      'No assessment result yet; "qualified" or better is required.',
      '尚无考核结果，要求“合格”及以上。',
    ],
    [
      { code: 'ASSESSMENT_BELOW_MINIMUM', actual: 'fail', required: 'qualified' },
      'Assessed "fail"; "qualified" or better is required.',
      '考核结果为“不合格”，要求“合格”及以上。',
    ],
    [
      { code: 'NO_SESSIONS' },
      'The activity has no sessions, so there is no attendance to count.',
      '该活动没有安排任何课程，无法认定出勤。',
    ],
  ])('%j', (reason, en, zh) => {
    expect(describeCompletionReason(reason, 'en')).toBe(en);
    expect(describeCompletionReason(reason, 'zh-CN')).toBe(zh);
  });
});
