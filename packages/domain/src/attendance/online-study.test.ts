import { describe, expect, it } from 'vitest';
import { describeImportProblem, type ImportProblem } from './import-problems';
import { parseOnlineStudy } from './online-study';

const places = (problems: ImportProblem[]) =>
  problems.map((p) => [p.line ?? p.record ?? null, p.column, p.code]);

describe('parseOnlineStudy: JSON', () => {
  it('reads an array of records', () => {
    const result = parseOnlineStudy(
      'json',
      JSON.stringify([
        { teacherNationalId: 't000001', date: '2026-03-02', minutes: 75 },
        { teacherNationalId: 'T000002', date: '2026-03-02', minutes: '0' },
      ]),
    );
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([
      { line: null, record: 1, teacherNationalId: 'T000001', date: '2026-03-02', minutes: 75 },
      { line: null, record: 2, teacherNationalId: 'T000002', date: '2026-03-02', minutes: 0 },
    ]);
  });

  it('reads { records: [...] } with snake_case keys', () => {
    const result = parseOnlineStudy(
      'json',
      '{"records":[{"national_id":"T000001","study_date":"2026-03-02","study_minutes":30}]}',
    );
    expect(result.problems).toEqual([]);
    expect(result.rows).toHaveLength(1);
  });

  it.each<[string, string, Array<[number | null, string | null, string]>]>([
    ['not JSON', '{oops', [[null, null, 'MALFORMED']]],
    ['not an array', '{"a":1}', [[null, null, 'MALFORMED']]],
    ['an empty array', '[]', [[null, null, 'EMPTY_FILE']]],
    ['a record that is not an object', '[1]', [[1, null, 'MALFORMED']]],
    [
      'missing values',
      '[{"teacherNationalId":"T000001"}]',
      [
        [1, 'date', 'MISSING_VALUE'],
        [1, 'minutes', 'MISSING_VALUE'],
      ],
    ],
    [
      'bad values',
      '[{"teacherNationalId":"张三","date":"2026-02-30","minutes":12.5}]',
      [
        [1, 'teacherNationalId', 'BAD_TEACHER_ID'],
        [1, 'date', 'BAD_DATE'],
        [1, 'minutes', 'BAD_MINUTES'],
      ],
    ],
    [
      'minutes out of range',
      '[{"teacherNationalId":"T000001","date":"2026-03-02","minutes":1441}]',
      [[1, 'minutes', 'MINUTES_OUT_OF_RANGE']],
    ],
    [
      'the same teacher and day twice',
      '[{"teacherNationalId":"T000001","date":"2026-03-02","minutes":10},{"teacherNationalId":"t000001","date":"2026-03-02","minutes":20}]',
      [[2, null, 'DUPLICATE_ROW']],
    ],
  ])('%s', (_name, payload, expected) => {
    expect(places(parseOnlineStudy('json', payload).problems)).toEqual(expected);
  });
});

describe('parseOnlineStudy: CSV', () => {
  it.each<[string, string, number, Array<[number | null, string | null, string]>]>([
    // name, file → rows kept, problems
    ['English header', 'teacher_national_id,date,minutes\nT000001,2026-03-02,75\n', 1, []],
    [
      'Chinese header, BOM, CRLF',
      '\uFEFF教师编号,学习日期,学习时长\r\nT000001,2026-03-02,75\r\n',
      1,
      [],
    ],
    ['name column ignored', '姓名,教师编号,日期,分钟\n张三,T000001,2026-03-02,75', 1, []],
    ['quoted values', '"教师编号","日期","分钟"\n"T000001","2026-03-02","75"', 1, []],
    [
      'unknown column',
      'teacher_national_id,date,minutes,score\nT000001,2026-03-02,75,9',
      1,
      [[1, 'score', 'UNKNOWN_COLUMN']],
    ],
    [
      'missing column',
      'teacher_national_id,minutes\nT000001,75',
      0,
      [[1, 'date', 'MISSING_COLUMN']],
    ],
    ['no rows', 'teacher_national_id,date,minutes\n', 0, [[null, null, 'EMPTY_FILE']]],
    ['empty', '', 0, [[null, null, 'EMPTY_FILE']]],
    [
      'unclosed quote',
      'teacher_national_id,date,minutes\n"T000001,2026-03-02,75',
      0,
      [[null, null, 'MALFORMED']],
    ],
    [
      'bad lines are reported by line, blank lines counted',
      'teacher_national_id,date,minutes\n\nT000001,2026/03/02,75\nT000002,2026-03-02,-1\nT000003,2026-03-02,60',
      1,
      [
        [3, 'date', 'BAD_DATE'],
        [4, 'minutes', 'MINUTES_OUT_OF_RANGE'],
      ],
    ],
    [
      'duplicate day',
      'teacher_national_id,date,minutes\nT000001,2026-03-02,75\nT000001,2026-03-02,80',
      1,
      [[3, null, 'DUPLICATE_ROW']],
    ],
  ])('%s', (_name, file, rows, expected) => {
    const result = parseOnlineStudy('csv', file);
    expect(places(result.problems)).toEqual(expected);
    expect(result.rows).toHaveLength(rows);
  });
});

describe('describeImportProblem', () => {
  it.each<[ImportProblem, string, string]>([
    [
      { code: 'UNKNOWN_TEACHER', line: 4, column: '教师编号', value: 'T999999' },
      'Line 4, column "教师编号": No teacher has the national ID "T999999".',
      '第 4 行“教师编号”列：系统中没有教师编号为“T999999”的教师。',
    ],
    [
      { code: 'NO_ONLINE_BLOCK', line: null, record: 2, column: 'date', value: '2026-03-09' },
      'Record 2, field "date": The activity has no online study block on 2026-03-09.',
      '第 2 条记录“date”字段：该活动在 2026-03-09 没有线上学习课次。',
    ],
    [
      { code: 'MINUTES_ABOVE_SESSION', line: 3, column: 'minutes', value: '200', max: 180 },
      'Line 3, column "minutes": 200 minutes is longer than the session (180 minutes).',
      '第 3 行“minutes”列：分钟数 200 超过该场次时长（180 分钟）。',
    ],
    [
      { code: 'DUPLICATE_ROW', line: 5, column: null, firstLine: 2 },
      'Line 5: Same teacher and session as line 2.',
      '第 5 行：与第 2 行的教师和场次重复。',
    ],
    [
      { code: 'MISSING_COLUMN', line: 1, column: 'date' },
      'Line 1: The "date" column is missing.',
      '第 1 行：缺少“date”列。',
    ],
  ])('%j', (problem, en, zh) => {
    expect(describeImportProblem(problem, 'en')).toBe(en);
    expect(describeImportProblem(problem, 'zh-CN')).toBe(zh);
  });
});
