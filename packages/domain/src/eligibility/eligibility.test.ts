import { describe, expect, it } from 'vitest';
import { eligibilityRulesSchema, type EligibilityRules } from '../rules/rule-schemas';
import {
  describeReason,
  evaluateEligibility,
  normalizeSubject,
  regionIdsOnPath,
  type EligibilityActivity,
  type EligibilityContext,
  type EligibilityReason,
  type EligibilityTeacher,
  type TimedSession,
} from './eligibility';

/** Beijing wall-clock time (UTC+8) as a Date. */
const at = (local: string) => new Date(`${local}:00+08:00`);
const session = (day: string, from: string, to: string, mode?: 'online'): TimedSession => ({
  startsAt: at(`${day}T${from}`),
  endsAt: at(`${day}T${to}`),
  ...(mode ? { mode } : {}),
});

// Province 1 > city 4 > district 9; the teacher's school 301 is in district 9.
const teacher: EligibilityTeacher = {
  id: 7,
  stage: 'junior',
  subjects: ['数学', 'Physics'],
  roleTags: ['class_teacher'],
  yearsOfService: 3,
  isRural: true,
  schoolId: 301,
  regionPath: '/1/4/9/',
};

const activity: EligibilityActivity = {
  id: 100,
  eligibilityRules: {},
  capacity: null,
  sessions: [session('2026-03-02', '09:00', '12:00'), session('2026-03-03', '09:00', '12:00')],
};

const context: EligibilityContext = {
  enrolledCount: 0,
  otherEnrollments: [],
  awardedActivityIds: [],
};

const rules = (r: EligibilityRules) => eligibilityRulesSchema.parse(r);

describe('evaluateEligibility: one criterion at a time', () => {
  it.each<[string, EligibilityRules, Partial<EligibilityTeacher>, string[]]>([
    ['empty rules admit anyone', {}, {}, []],
    [
      'empty rules admit a teacher with no subjects or tags',
      {},
      { subjects: [], roleTags: [] },
      [],
    ],
    ['stage listed', { stages: ['junior', 'senior'] }, {}, []],
    ['stage not listed', { stages: ['primary'] }, {}, ['STAGE_NOT_ELIGIBLE']],
    ['one shared subject is enough', { subjects: ['语文', '数学'] }, {}, []],
    ['subject compared without case and spaces', { subjects: [' physics '] }, {}, []],
    ['full-width subject folds to half-width', { subjects: ['ｐｈｙｓｉｃｓ'] }, {}, []],
    ['no shared subject', { subjects: ['英语'] }, {}, ['SUBJECT_NOT_ELIGIBLE']],
    [
      'teacher without subjects',
      { subjects: ['数学'] },
      { subjects: [] },
      ['SUBJECT_NOT_ELIGIBLE'],
    ],
    ['role tag carried', { roleTags: ['backbone_teacher', 'class_teacher'] }, {}, []],
    ['role tag missing', { roleTags: ['principal'] }, {}, ['ROLE_TAG_REQUIRED']],
    ['no tags at all', { roleTags: ['new_teacher'] }, { roleTags: [] }, ['ROLE_TAG_REQUIRED']],
    ['own district', { regionIds: [9] }, {}, []],
    ['city above the district', { regionIds: [4] }, {}, []],
    ['province above the city', { regionIds: [1] }, {}, []],
    ['one of several regions', { regionIds: [12, 9] }, {}, []],
    ['sibling district', { regionIds: [10] }, {}, ['REGION_NOT_ELIGIBLE']],
    // Region 19 shares digits with 9 and 1: ids are compared whole, not as text.
    ['id that only shares digits', { regionIds: [19] }, {}, ['REGION_NOT_ELIGIBLE']],
    [
      'district below the teacher is not above it',
      { regionIds: [9] },
      { regionPath: '/1/4/' },
      ['REGION_NOT_ELIGIBLE'],
    ],
    ['listed school', { schoolIds: [300, 301] }, {}, []],
    ['other school', { schoolIds: [302] }, {}, ['SCHOOL_NOT_ELIGIBLE']],
    ['rural for rural', { locality: 'rural' }, {}, []],
    ['urban only, rural teacher', { locality: 'urban' }, {}, ['LOCALITY_NOT_ELIGIBLE']],
    [
      'rural only, urban teacher',
      { locality: 'rural' },
      { isRural: false },
      ['LOCALITY_NOT_ELIGIBLE'],
    ],
    ['exactly the minimum years', { minYearsOfService: 3 }, {}, []],
    ['one year short', { minYearsOfService: 4 }, {}, ['TOO_FEW_YEARS_OF_SERVICE']],
    ['minimum 0 admits a first-year teacher', { minYearsOfService: 0 }, { yearsOfService: 0 }, []],
    ['exactly the maximum years', { maxYearsOfService: 3 }, {}, []],
    ['one year over', { maxYearsOfService: 2 }, {}, ['TOO_MANY_YEARS_OF_SERVICE']],
    ['maximum 0: new teachers only', { maxYearsOfService: 0 }, {}, ['TOO_MANY_YEARS_OF_SERVICE']],
    ['inside a range', { minYearsOfService: 1, maxYearsOfService: 5 }, {}, []],
    ['range of one year', { minYearsOfService: 3, maxYearsOfService: 3 }, {}, []],
  ])('%s', (_name, r, override, codes) => {
    const answer = evaluateEligibility(
      { ...teacher, ...override },
      { ...activity, eligibilityRules: rules(r) },
      context,
    );
    expect(answer.reasons.map((reason) => reason.code)).toEqual(codes);
    expect(answer.eligible).toBe(codes.length === 0);
  });
});

describe('evaluateEligibility: capacity', () => {
  it.each<[number | null, number, boolean]>([
    [null, 0, true],
    [null, 100_000, true],
    [30, 0, true],
    [30, 29, true],
    [30, 30, false],
    [30, 31, false],
    [1, 0, true],
    [1, 1, false],
    // The schema forbids 0, but a zero capacity must still mean "no seats".
    [0, 0, false],
  ])('capacity %j with %i enrolled → eligible %j', (capacity, enrolledCount, eligible) => {
    const answer = evaluateEligibility(
      teacher,
      { ...activity, capacity },
      {
        ...context,
        enrolledCount,
      },
    );
    expect(answer.eligible).toBe(eligible);
    if (!eligible) {
      expect(answer.reasons).toEqual([
        { code: 'CAPACITY_FULL', capacity, enrolled: enrolledCount },
      ]);
    }
  });
});

describe('evaluateEligibility: overlapping sessions', () => {
  it.each<[string, TimedSession[], number]>([
    ['no other sessions', [], 0],
    ['another day', [session('2026-03-04', '09:00', '12:00')], 0],
    ['ends exactly when ours starts', [session('2026-03-02', '07:00', '09:00')], 0],
    ['starts exactly when ours ends', [session('2026-03-02', '12:00', '14:00')], 0],
    ['one minute of overlap at the start', [session('2026-03-02', '08:00', '09:01')], 1],
    ['one minute of overlap at the end', [session('2026-03-03', '11:59', '13:00')], 1],
    ['inside ours', [session('2026-03-02', '10:00', '10:30')], 1],
    ['around ours', [session('2026-03-02', '08:00', '18:00')], 1],
    ['same times', [session('2026-03-03', '09:00', '12:00')], 1],
    [
      'clashes with both days',
      [session('2026-03-02', '08:00', '10:00'), session('2026-03-03', '11:00', '13:00')],
      2,
    ],
    ['an online block never clashes', [session('2026-03-02', '08:00', '22:00', 'online')], 0],
  ])('%s → %i clashes', (_name, sessions, clashes) => {
    const answer = evaluateEligibility(teacher, activity, {
      ...context,
      otherEnrollments: [{ activityId: 200, sessions }],
    });
    const overlap = answer.reasons.filter((r) => r.code === 'SESSIONS_OVERLAP');
    expect(overlap).toHaveLength(clashes > 0 ? 1 : 0);
    if (clashes > 0) expect(overlap[0]).toMatchObject({ clashes, activity: { id: 200 } });
  });

  it('ignores our own online blocks and our own enrollment', () => {
    const blended = {
      ...activity,
      sessions: [...activity.sessions, session('2026-03-05', '08:00', '22:00', 'online')],
    };
    const answer = evaluateEligibility(teacher, blended, {
      ...context,
      otherEnrollments: [
        { activityId: 200, sessions: [session('2026-03-05', '14:00', '17:00')] },
        { activityId: 100, sessions: blended.sessions },
      ],
    });
    expect(answer).toEqual({ eligible: true, reasons: [] });
  });

  it('reports one reason per clashing activity, first clash by time', () => {
    const answer = evaluateEligibility(teacher, activity, {
      ...context,
      otherEnrollments: [
        {
          activityId: 200,
          sessions: [
            session('2026-03-03', '08:00', '10:00'),
            session('2026-03-02', '11:00', '13:00'),
          ],
        },
        { activityId: 201, sessions: [session('2026-03-03', '10:00', '11:00')] },
      ],
      names: { activities: { 200: '新课标解读', 201: 'Classroom management' } },
    });
    expect(answer.reasons).toEqual([
      {
        code: 'SESSIONS_OVERLAP',
        activity: { id: 200, name: '新课标解读' },
        startsAt: at('2026-03-02T09:00'),
        endsAt: at('2026-03-02T12:00'),
        clashes: 2,
      },
      {
        code: 'SESSIONS_OVERLAP',
        activity: { id: 201, name: 'Classroom management' },
        startsAt: at('2026-03-03T09:00'),
        endsAt: at('2026-03-03T12:00'),
        clashes: 1,
      },
    ]);
  });
});

describe('evaluateEligibility: already completed', () => {
  it.each<[string, number[], number[] | undefined, number | null]>([
    ['nothing awarded', [], undefined, null],
    ['awards for other activities', [1, 2, 3], [50], null],
    ['award for this activity', [100], undefined, 100],
    ['award for an equivalent activity', [7, 50], [50, 51], 50],
    ['this activity named before equivalents', [51, 100], [50, 51], 100],
  ])('%s', (_name, awardedActivityIds, equivalentActivityIds, activityId) => {
    const answer = evaluateEligibility(
      teacher,
      { ...activity, ...(equivalentActivityIds ? { equivalentActivityIds } : {}) },
      { ...context, awardedActivityIds },
    );
    expect(answer.reasons).toEqual(
      activityId === null ? [] : [{ code: 'ALREADY_COMPLETED', activity: { id: activityId } }],
    );
  });
});

describe('evaluateEligibility: every reason at once', () => {
  it('lists all failing criteria in a fixed order, with names where known', () => {
    const answer = evaluateEligibility(
      { ...teacher, yearsOfService: 1, roleTags: [] },
      {
        ...activity,
        capacity: 2,
        eligibilityRules: rules({
          stages: ['primary'],
          subjects: ['英语'],
          roleTags: ['backbone_teacher'],
          regionIds: [10],
          schoolIds: [302],
          locality: 'urban',
          minYearsOfService: 3,
        }),
      },
      {
        enrolledCount: 2,
        otherEnrollments: [
          { activityId: 200, sessions: [session('2026-03-02', '10:00', '11:00')] },
        ],
        awardedActivityIds: [100],
        names: { regions: { 10: '朝阳区' }, schools: { 301: '海淀实验中学' } },
      },
    );
    expect(answer.eligible).toBe(false);
    expect(answer.reasons.map((r) => r.code)).toEqual([
      'STAGE_NOT_ELIGIBLE',
      'SUBJECT_NOT_ELIGIBLE',
      'ROLE_TAG_REQUIRED',
      'REGION_NOT_ELIGIBLE',
      'SCHOOL_NOT_ELIGIBLE',
      'LOCALITY_NOT_ELIGIBLE',
      'TOO_FEW_YEARS_OF_SERVICE',
      'CAPACITY_FULL',
      'SESSIONS_OVERLAP',
      'ALREADY_COMPLETED',
    ]);
    expect(answer.reasons[3]).toEqual({
      code: 'REGION_NOT_ELIGIBLE',
      required: [{ id: 10, name: '朝阳区' }],
    });
    expect(answer.reasons[4]).toEqual({
      code: 'SCHOOL_NOT_ELIGIBLE',
      required: [{ id: 302 }],
      actual: { id: 301, name: '海淀实验中学' },
    });
  });
});

describe('helpers', () => {
  it.each([
    ['/1/4/9/', [1, 4, 9]],
    ['/1/', [1]],
    ['', []],
    ['/12/x/34/', [12, 34]],
  ])('regionIdsOnPath(%j) = %j', (path, ids) => {
    expect(regionIdsOnPath(path)).toEqual(ids);
  });

  it.each([
    [' 数学 ', '数学'],
    ['ＭＡＴＨＳ', 'maths'],
    ['Physics', 'physics'],
  ])('normalizeSubject(%j) = %j', (input, output) => {
    expect(normalizeSubject(input)).toBe(output);
  });
});

describe('describeReason', () => {
  it.each<[EligibilityReason, string, string]>([
    [
      { code: 'TOO_FEW_YEARS_OF_SERVICE', min: 3, actual: 1 },
      'Only for teachers with at least 3 years of service; this teacher has 1.',
      '仅限教龄 3 年及以上的教师；该教师教龄 1 年。',
    ],
    [
      { code: 'TOO_FEW_YEARS_OF_SERVICE', min: 1, actual: 0 },
      'Only for teachers with at least 1 year of service; this teacher has 0.',
      '仅限教龄 1 年及以上的教师；该教师教龄 0 年。',
    ],
    [
      { code: 'TOO_MANY_YEARS_OF_SERVICE', max: 5, actual: 12 },
      'Only for teachers with at most 5 years of service; this teacher has 12.',
      '仅限教龄 5 年及以下的教师；该教师教龄 12 年。',
    ],
    [
      { code: 'STAGE_NOT_ELIGIBLE', required: ['primary', 'junior'], actual: 'senior' },
      'Only for primary school or junior secondary school teachers; this teacher teaches in senior secondary school.',
      '仅限小学或初中教师；该教师任教于高中。',
    ],
    [
      {
        code: 'SUBJECT_NOT_ELIGIBLE',
        required: ['语文', '英语', '历史'],
        actual: ['数学', '物理'],
      },
      'Only for teachers of 语文, 英语 or 历史; this teacher teaches 数学 and 物理.',
      '仅限语文、英语或历史学科教师；该教师任教数学和物理。',
    ],
    [
      { code: 'SUBJECT_NOT_ELIGIBLE', required: ['Music'], actual: [] },
      'Only for teachers of Music; this teacher has no subject on record.',
      '仅限Music学科教师；该教师未登记任教学科。',
    ],
    [
      {
        code: 'ROLE_TAG_REQUIRED',
        required: ['backbone_teacher', 'principal'],
        actual: ['class_teacher'],
      },
      'Only for a backbone teacher or principal; this teacher is a class teacher.',
      '仅限骨干教师或校长参加；该教师为班主任。',
    ],
    [
      { code: 'ROLE_TAG_REQUIRED', required: ['new_teacher'], actual: [] },
      'Only for a new teacher; this teacher is none of these.',
      '仅限新任教师参加；该教师没有相应身份。',
    ],
    [
      { code: 'REGION_NOT_ELIGIBLE', required: [{ id: 4, name: '海淀区' }, { id: 5 }] },
      "Only for teachers of schools in 海淀区 or region #5 (including the areas below it); this teacher's school is elsewhere.",
      '仅限海淀区或地区#5（含下属区县）学校的教师；该教师所在学校不在此范围。',
    ],
    [
      {
        code: 'SCHOOL_NOT_ELIGIBLE',
        required: [{ id: 302, name: '北京市第一中学' }],
        actual: { id: 301 },
      },
      'Only for teachers of 北京市第一中学; this teacher works at school #301.',
      '仅限北京市第一中学的教师；该教师所在学校为学校#301。',
    ],
    [
      { code: 'LOCALITY_NOT_ELIGIBLE', required: 'rural' },
      'Only for teachers of rural schools; this teacher works at an urban school.',
      '仅限农村学校教师；该教师在城镇学校任教。',
    ],
    [
      { code: 'LOCALITY_NOT_ELIGIBLE', required: 'urban' },
      'Only for teachers of urban schools; this teacher works at a rural school.',
      '仅限城镇学校教师；该教师在农村学校任教。',
    ],
    [
      { code: 'CAPACITY_FULL', capacity: 40, enrolled: 40 },
      'The activity is full: 40 enrolled for 40 places.',
      '名额已满：共 40 个名额，已报名 40 人。',
    ],
    [
      { code: 'CAPACITY_FULL', capacity: 1, enrolled: 1 },
      'The activity is full: 1 enrolled for 1 place.',
      '名额已满：共 1 个名额，已报名 1 人。',
    ],
    [
      {
        code: 'SESSIONS_OVERLAP',
        activity: { id: 200, name: '新课标解读' },
        startsAt: at('2026-03-02T09:00'),
        endsAt: at('2026-03-02T12:00'),
        clashes: 1,
      },
      'Clashes with "新课标解读", which this teacher is enrolled in: 2026-03-02 09:00–12:00.',
      '与该教师已报名的“新课标解读”时间冲突：2026-03-02 09:00–12:00。',
    ],
    [
      {
        code: 'SESSIONS_OVERLAP',
        activity: { id: 200 },
        startsAt: new Date('2026-03-02T16:30:00Z'),
        endsAt: new Date('2026-03-02T18:00:00Z'),
        clashes: 3,
      },
      'Clashes with "activity #200", which this teacher is enrolled in: 2026-03-03 00:30–02:00 and 2 more sessions.',
      '与该教师已报名的“活动#200”时间冲突：2026-03-03 00:30–02:00（另有 2 次课程也冲突）。',
    ],
    [
      { code: 'ALREADY_COMPLETED', activity: { id: 50, name: 'Reading workshop' } },
      'This teacher has already completed "Reading workshop" and received its credit hours.',
      '该教师已完成“Reading workshop”并获得学时，不能重复参加。',
    ],
  ])('%j', (reason, en, zh) => {
    expect(describeReason(reason, 'en')).toBe(en);
    expect(describeReason(reason, 'zh-CN')).toBe(zh);
  });

  it('renders times at the offset asked for', () => {
    const reason: EligibilityReason = {
      code: 'SESSIONS_OVERLAP',
      activity: { id: 1, name: 'X' },
      startsAt: new Date('2026-03-02T01:00:00Z'),
      endsAt: new Date('2026-03-02T04:00:00Z'),
      clashes: 1,
    };
    expect(describeReason(reason, 'en', { utcOffsetMinutes: 0 })).toContain(
      '2026-03-02 01:00–04:00',
    );
  });
});
