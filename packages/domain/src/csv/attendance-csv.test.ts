import { describe, expect, it } from 'vitest';
import {
  decodeCsvBytes,
  describeCsvProblem,
  looksLikeGb18030,
  parseAttendanceCsv,
  type CsvProblem,
} from './attendance-csv';

const utf8 = (text: string) => new TextEncoder().encode(text);
const withBom = (text: string) => new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(text)]);
/** "教师编号,场次,状态,分钟\r\n张三,1,出勤,90\r\n" as a Chinese Excel saves it (GBK). */
const gbk = new Uint8Array([
  0xbd, 0xcc, 0xca, 0xa6, 0xb1, 0xe0, 0xba, 0xc5, 0x2c, 0xb3, 0xa1, 0xb4, 0xce, 0x2c, 0xd7, 0xb4,
  0xcc, 0xac, 0x2c, 0xb7, 0xd6, 0xd6, 0xd3, 0x0d, 0x0a, 0xd5, 0xc5, 0xc8, 0xfd, 0x2c, 0x31, 0x2c,
  0xb3, 0xf6, 0xc7, 0xda, 0x2c, 0x39, 0x30, 0x0d, 0x0a,
]);

const header = 'teacher_national_id,session_sequence,status,minutes';
const codes = (problems: CsvProblem[]) => problems.map((p) => [p.line, p.column, p.code]);

describe('parseAttendanceCsv: encodings', () => {
  const body = `${header}\nT000001,1,present,90\n`;
  it.each<[string, Uint8Array | string, number, string | null]>([
    ['UTF-8 bytes', utf8(body), 1, null],
    ['UTF-8 bytes with a BOM', withBom(body), 1, null],
    ['text with a BOM', `\uFEFF${body}`, 1, null],
    ['text without a BOM', body, 1, null],
    [
      'Chinese UTF-8 with a BOM',
      withBom('教师编号,场次,状态,分钟\r\n T000001 ,1,出勤,90\r\n'),
      1,
      null,
    ],
    ['GBK bytes', gbk, 0, 'gb18030'],
    ['UTF-16LE with its BOM', new Uint8Array([0xff, 0xfe, 0x74, 0x00]), 0, 'utf-16'],
    ['UTF-16BE with its BOM', new Uint8Array([0xfe, 0xff, 0x00, 0x74]), 0, 'utf-16'],
    ['an .xlsx workbook', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), 0, 'spreadsheet'],
    ['Latin-1 bytes', new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x0a]), 0, 'unknown'],
    ['a truncated UTF-8 character', new Uint8Array([...utf8('教'), 0xe5, 0xb8]), 0, 'unknown'],
  ])('%s', (_name, input, rows, encoding) => {
    const result = parseAttendanceCsv(input);
    expect(result.rows).toHaveLength(rows);
    if (encoding === null) {
      expect(result.problems).toEqual([]);
    } else {
      expect(result.problems).toEqual([{ code: 'ENCODING', line: null, column: null, encoding }]);
    }
  });

  it.each<[string, number[], boolean]>([
    ['two-byte GBK', [0xd5, 0xc5, 0xc8, 0xfd], true],
    ['four-byte GB18030', [0x81, 0x30, 0x81, 0x30], true],
    ['ASCII only', [0x61, 0x62], false],
    ['a lone lead byte at the end', [0x61, 0xd5], false],
    ['0x80 is never a lead byte', [0x80, 0x40], false],
    ['0xFF is never a lead byte', [0xff, 0x40], false],
    ['a bad trail byte', [0xd5, 0x20], false],
    ['a broken four-byte sequence', [0x81, 0x30, 0x20, 0x30], false],
  ])('looksLikeGb18030: %s', (_name, bytes, expected) => {
    expect(looksLikeGb18030(new Uint8Array(bytes))).toBe(expected);
  });

  it('decodes UTF-8 and drops the BOM', () => {
    expect(decodeCsvBytes(withBom('a,b'))).toEqual({ ok: true, text: 'a,b' });
  });
});

describe('parseAttendanceCsv: quoting and line endings', () => {
  it.each<[string, string, [number, string, number][]]>([
    // name, file → [line, national id, minutes] of each row
    [
      'LF',
      `${header}\nT000001,1,present,90\nT000002,1,late,60\n`,
      [
        [2, 'T000001', 90],
        [3, 'T000002', 60],
      ],
    ],
    [
      'CRLF',
      `${header}\r\nT000001,1,present,90\r\nT000002,1,late,60\r\n`,
      [
        [2, 'T000001', 90],
        [3, 'T000002', 60],
      ],
    ],
    [
      'CR only (old Mac Excel)',
      `${header}\rT000001,1,present,90\rT000002,1,late,60`,
      [
        [2, 'T000001', 90],
        [3, 'T000002', 60],
      ],
    ],
    [
      'mixed endings',
      `${header}\r\nT000001,1,present,90\nT000002,1,late,60\rT000003,1,absent,0`,
      [
        [2, 'T000001', 90],
        [3, 'T000002', 60],
        [4, 'T000003', 0],
      ],
    ],
    ['no final line break', `${header}\nT000001,1,present,90`, [[2, 'T000001', 90]]],
    [
      'blank lines are skipped but counted',
      `${header}\n\nT000001,1,present,90\n\r\n\nT000002,1,late,60\n\n`,
      [
        [3, 'T000001', 90],
        [6, 'T000002', 60],
      ],
    ],
    ['quoted fields', `${header}\n"T000001","1","present","90"\n`, [[2, 'T000001', 90]]],
    [
      'a quoted comma, quote and line break in an ignored note',
      `teacher_national_id,session_sequence,status,minutes,备注\n` +
        `T000001,1,present,90,"迟到10分钟, 已说明 ""交通""\r\n第二行"\nT000002,1,present,90,\n`,
      [
        [2, 'T000001', 90],
        [4, 'T000002', 90],
      ],
    ],
    ['an empty quoted value', `${header},note\nT000001,1,present,90,""\n`, [[2, 'T000001', 90]]],
    ['lower-case id and spaces', `${header}\n  t000001 , 1 ,Present , 90 \n`, [[2, 'T000001', 90]]],
  ])('%s', (_name, file, expected) => {
    const result = parseAttendanceCsv(file);
    expect(result.problems).toEqual([]);
    expect(result.rows.map((r) => [r.line, r.teacherNationalId, r.minutes])).toEqual(expected);
  });

  it('reports an unterminated quote at the line where it opened', () => {
    const result = parseAttendanceCsv(
      `${header}\nT000001,1,present,90\nT000002,"1,present,90\nT000003,1,present,90\n`,
    );
    expect(codes(result.problems)).toEqual([[3, null, 'UNTERMINATED_QUOTE']]);
    expect(result.rows.map((r) => r.line)).toEqual([2]);
  });

  it('reports text after a closing quote and keeps reading', () => {
    const result = parseAttendanceCsv(`${header}\n"T000001"X,1,present,90\n`);
    expect(codes(result.problems)).toEqual([[2, null, 'MALFORMED_QUOTES']]);
  });
});

describe('parseAttendanceCsv: header', () => {
  it.each<[string, string, (string | number | null)[][]]>([
    [
      'English names in another order',
      'minutes,status,session_sequence,teacher_national_id\n90,present,1,T000001',
      [],
    ],
    ['Chinese names', '教师编号,场次,状态,分钟\nT000001,1,出勤,90', []],
    [
      'full-width parentheses and spaces',
      '教师编号, 课次 ,出勤状态,学习时长（分钟）\nT000001,1,到,90',
      [],
    ],
    [
      'Title Case with spaces',
      'Teacher National ID,Session Sequence,Status,Minutes\nT000001,1,present,90',
      [],
    ],
    [
      'session by id instead of sequence',
      'teacher_national_id,session_id,status,minutes\nT000001,5501,present,90',
      [],
    ],
    [
      'name and note columns are ignored',
      '姓名,教师编号,场次,状态,分钟,备注\n张三,T000001,1,出勤,90,无',
      [],
    ],
    [
      'unknown column',
      `${header},score\nT000001,1,present,90,88`,
      [[1, 'score', 'UNKNOWN_COLUMN']],
    ],
    [
      'duplicate column',
      `${header},分钟\nT000001,1,present,90,80`,
      [[1, '分钟', 'DUPLICATE_COLUMN']],
    ],
    [
      'missing minutes',
      'teacher_national_id,session_sequence,status\nT000001,1,present',
      [[1, 'minutes', 'MISSING_COLUMN']],
    ],
    [
      'missing session and status',
      'teacher_national_id,minutes\nT000001,90',
      [
        [1, 'sessionSequence', 'MISSING_COLUMN'],
        [1, 'status', 'MISSING_COLUMN'],
      ],
    ],
    [
      'a data row where the header should be',
      'T000001,1,present,90\nT000002,1,present,90',
      [
        [1, 'T000001', 'UNKNOWN_COLUMN'],
        [1, '1', 'UNKNOWN_COLUMN'],
        [1, 'present', 'UNKNOWN_COLUMN'],
        [1, '90', 'UNKNOWN_COLUMN'],
        [1, 'teacherNationalId', 'MISSING_COLUMN'],
        [1, 'sessionSequence', 'MISSING_COLUMN'],
        [1, 'status', 'MISSING_COLUMN'],
        [1, 'minutes', 'MISSING_COLUMN'],
      ],
    ],
    ['header after blank lines', `\n\n${header}\nT000001,1,present,90`, []],
  ])('%s', (_name, file, expected) => {
    const result = parseAttendanceCsv(file);
    expect(codes(result.problems)).toEqual(expected);
    const missingColumn = expected.some((p) => p[2] === 'MISSING_COLUMN');
    expect(result.rows).toHaveLength(missingColumn ? 0 : 1);
  });

  it.each([
    ['an empty file', ''],
    ['only a BOM', '\uFEFF'],
    ['only blank lines', '\r\n\n\r'],
  ])('%s', (_name, file) => {
    expect(parseAttendanceCsv(file)).toEqual({
      rows: [],
      problems: [{ code: 'EMPTY_FILE', line: null, column: null }],
    });
  });

  it('reads a file with a header and no rows as no rows and no problems', () => {
    expect(parseAttendanceCsv(`${header}\r\n`)).toEqual({ rows: [], problems: [] });
  });
});

describe('parseAttendanceCsv: values', () => {
  it.each<[string, string, (string | number | null)[][]]>([
    // name, data line (line 2) → problems
    ['a good row', 'T000001,1,present,90', []],
    ['0 minutes', 'T000001,1,present,0', []],
    ['exactly 1440 minutes', 'T000001,1,present,1440', []],
    ['1441 minutes', 'T000001,1,present,1441', [[2, 'minutes', 'MINUTES_OUT_OF_RANGE']]],
    ['negative minutes', 'T000001,1,present,-5', [[2, 'minutes', 'MINUTES_OUT_OF_RANGE']]],
    ['fractional minutes', 'T000001,1,present,12.5', [[2, 'minutes', 'BAD_MINUTES']]],
    ['"90.0" is a whole number', 'T000001,1,present,90.0', []],
    ['minutes in words', 'T000001,1,present,九十', [[2, 'minutes', 'BAD_MINUTES']]],
    ['full-width digits', 'T000001,１,present,９０', []],
    ['absent without minutes', 'T000001,1,absent,', []],
    ['excused without minutes', 'T000001,1,请假,', []],
    ['present without minutes', 'T000001,1,present,', [[2, 'minutes', 'MISSING_VALUE']]],
    ['late without minutes', 'T000001,1,迟到,', [[2, 'minutes', 'MISSING_VALUE']]],
    ['no teacher', ',1,present,90', [[2, 'teacher_national_id', 'MISSING_VALUE']]],
    ['teacher ID too short', 'T0001,1,present,90', [[2, 'teacher_national_id', 'BAD_TEACHER_ID']]],
    [
      'teacher ID with a dash',
      'T-000001,1,present,90',
      [[2, 'teacher_national_id', 'BAD_TEACHER_ID']],
    ],
    [
      'teacher name where the ID should be',
      '张三,1,present,90',
      [[2, 'teacher_national_id', 'BAD_TEACHER_ID']],
    ],
    ['no session', 'T000001,,present,90', [[2, 'session_sequence', 'MISSING_VALUE']]],
    ['session 0', 'T000001,0,present,90', [[2, 'session_sequence', 'BAD_SESSION']]],
    ['session in words', 'T000001,第一场,present,90', [[2, 'session_sequence', 'BAD_SESSION']]],
    ['no status', 'T000001,1,,90', [[2, 'status', 'MISSING_VALUE']]],
    ['unknown status', 'T000001,1,here,90', [[2, 'status', 'BAD_STATUS']]],
    ['upper-case status', 'T000001,1,LATE,30', []],
    ['a Chinese status', 'T000001,1,缺勤,0', []],
    ['trailing empty fields from Excel', 'T000001,1,present,90,,,', []],
    ['an extra value', 'T000001,1,present,90,oops', [[2, null, 'EXTRA_FIELDS']]],
    ['a short row', 'T000001,1', [[2, 'status', 'MISSING_VALUE']]],
    [
      'everything wrong at once',
      'x,0,maybe,2000',
      [
        [2, 'teacher_national_id', 'BAD_TEACHER_ID'],
        [2, 'session_sequence', 'BAD_SESSION'],
        [2, 'status', 'BAD_STATUS'],
        [2, 'minutes', 'MINUTES_OUT_OF_RANGE'],
      ],
    ],
  ])('%s', (_name, line, expected) => {
    const result = parseAttendanceCsv(`${header}\n${line}\n`);
    expect(codes(result.problems)).toEqual(expected);
    expect(result.rows).toHaveLength(expected.length === 0 ? 1 : 0);
  });

  it('reads statuses and values into the row', () => {
    const result = parseAttendanceCsv(
      '教师编号,场次编号,状态,分钟\nt000001,5501,请假,\nT000002,5502,迟到,45\n',
    );
    expect(result.rows).toEqual([
      {
        line: 2,
        teacherNationalId: 'T000001',
        sessionSequence: null,
        sessionId: 5501,
        status: 'excused',
        minutes: 0,
      },
      {
        line: 3,
        teacherNationalId: 'T000002',
        sessionSequence: null,
        sessionId: 5502,
        status: 'late',
        minutes: 45,
      },
    ]);
  });

  it('names the offending value', () => {
    const [problem] = parseAttendanceCsv(`${header}\nT000001,1,在场,90`).problems;
    expect(problem).toEqual({ code: 'BAD_STATUS', line: 2, column: 'status', value: '在场' });
  });
});

describe('parseAttendanceCsv: duplicates', () => {
  it.each<[string, string[], number[], [number, number][]]>([
    // name, data lines → lines kept, [duplicate line, first line]
    ['different sessions', ['T000001,1,present,90', 'T000001,2,present,90'], [2, 3], []],
    ['different teachers', ['T000001,1,present,90', 'T000002,1,present,90'], [2, 3], []],
    ['same teacher and session', ['T000001,1,present,90', 'T000001,1,late,60'], [2], [[3, 2]]],
    ['same ID in another case', ['T000001,1,present,90', 't000001,1,present,90'], [2], [[3, 2]]],
    [
      'three times',
      ['T000001,1,present,90', 'T000001,1,present,90', 'T000001,1,present,90'],
      [2],
      [
        [3, 2],
        [4, 2],
      ],
    ],
    // A bad first row is not "the" row: the second becomes the one kept.
    ['after a bad row', ['T000001,1,present,9999', 'T000001,1,present,90'], [3], []],
  ])('%s', (_name, lines, kept, duplicates) => {
    const result = parseAttendanceCsv([header, ...lines].join('\n'));
    expect(result.rows.map((r) => r.line)).toEqual(kept);
    expect(
      result.problems.filter((p) => p.code === 'DUPLICATE_ROW').map((p) => [p.line, p.firstLine]),
    ).toEqual(duplicates);
  });

  it('counts lines inside quoted fields when naming the first line', () => {
    const result = parseAttendanceCsv(
      `${header},note\nT000001,1,present,90,"a\nb"\nT000001,1,present,90,x\n`,
    );
    expect(result.problems).toEqual([
      { code: 'DUPLICATE_ROW', line: 4, column: null, firstLine: 2 },
    ]);
  });
});

describe('describeCsvProblem', () => {
  it.each<[CsvProblem, string, string]>([
    [
      { code: 'ENCODING', line: null, column: null, encoding: 'gb18030' },
      'The file is encoded as GBK/GB18030, not UTF-8. In Excel choose "Save as → CSV UTF-8"; in WPS choose UTF-8 encoding.',
      '文件编码为 GBK/GB18030，不是 UTF-8。请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”，或在 WPS 中选择 UTF-8 编码后重新上传。',
    ],
    [
      { code: 'MINUTES_OUT_OF_RANGE', line: 7, column: '分钟', value: '1500' },
      'Line 7, column "分钟": 1500 minutes is out of range (0 to 1440).',
      '第 7 行“分钟”列：分钟数 1500 超出范围（0 至 1440）。',
    ],
    [
      { code: 'BAD_STATUS', line: 3, column: 'status', value: 'here' },
      'Line 3, column "status": "here" is not a status; use one of present, late, absent, excused.',
      '第 3 行“status”列：“here”不是有效的状态，应为出勤、迟到、缺勤、请假之一。',
    ],
    [
      { code: 'DUPLICATE_ROW', line: 9, column: null, firstLine: 4 },
      'Line 9: Same teacher and session as line 4.',
      '第 9 行：与第 4 行的教师和场次重复。',
    ],
    [
      { code: 'MISSING_COLUMN', line: 1, column: 'teacherNationalId' },
      'Line 1: The "teacher national ID" column is missing.',
      '第 1 行：缺少“教师编号”列。',
    ],
    [
      { code: 'MISSING_VALUE', line: 2, column: '状态' },
      'Line 2, column "状态": A value is required.',
      '第 2 行“状态”列：不能为空。',
    ],
    [{ code: 'EMPTY_FILE', line: null, column: null }, 'The file is empty.', '文件是空的。'],
  ])('%j', (problem, en, zh) => {
    expect(describeCsvProblem(problem, 'en')).toBe(en);
    expect(describeCsvProblem(problem, 'zh-CN')).toBe(zh);
  });
});
