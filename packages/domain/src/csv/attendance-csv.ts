import { attendanceStatusNames, type Locale, type Localized } from '../i18n/locale';
import {
  attendanceStatuses,
  maxSessionMinutes,
  type AttendanceStatus,
} from '../vocabulary/vocabulary';

/**
 * Parses an attendance CSV file (issue 4 point 4) into rows and a list of every problem, each
 * naming its line, its column and why. It knows nothing of the database: whether a teacher ID
 * exists or a session belongs to the activity is checked by the caller, with the line numbers
 * kept on each row so those problems point at the file too.
 *
 * What the file may look like, because people make these in Excel and WPS:
 * - UTF-8 with or without a byte-order mark. Anything else (GBK/GB18030 from a Chinese Excel
 *   "CSV" save, UTF-16 "Unicode text", an .xlsx renamed .csv) is refused as a whole with an
 *   ENCODING problem and no rows: guessing an encoding silently turns names into mojibake.
 * - Fields separated by commas, quoted with double quotes when they contain commas, quotes
 *   ("" inside quotes) or line breaks (RFC 4180).
 * - Line breaks CRLF, LF or CR, mixed. Each counts as one line for line numbers, including
 *   those inside quoted fields, so line numbers match what a text editor shows.
 * - A header row naming the columns in English or Chinese, in any order; blank lines anywhere
 *   are skipped; columns for the teacher's name and a note are accepted and ignored.
 *
 * Invariant: a row appears in `rows` only if it has no problem; every rejected row has at least
 * one problem with its line. Duplicates keep the first row and report the later ones.
 */

export const attendanceCsvColumns = [
  'teacherNationalId',
  'sessionSequence',
  'sessionId',
  'status',
  'minutes',
] as const;
export type AttendanceCsvColumn = (typeof attendanceCsvColumns)[number];

/** Header spellings accepted per column, compared after `headerKey` folding. */
const columnAliases: Record<AttendanceCsvColumn, readonly string[]> = {
  teacherNationalId: [
    'teacher_national_id',
    'national_id',
    'teacher_id_number',
    '教师编号',
    '全国教师编号',
    '教师证号',
  ],
  sessionSequence: ['session_sequence', 'sequence', 'session', '场次', '课次', '序号'],
  sessionId: ['session_id', '场次编号', '场次id'],
  status: ['status', 'attendance', '状态', '出勤状态', '出勤情况'],
  minutes: [
    'minutes',
    'minutes_attended',
    '分钟',
    '分钟数',
    '时长',
    '学习时长',
    '时长(分钟)',
    '学习时长(分钟)',
  ],
};

/** Columns people add to sign-in sheets; accepted and not read. */
const ignoredColumns = [
  'teacher_name',
  'name',
  '姓名',
  '教师姓名',
  'note',
  'notes',
  'remark',
  '备注',
];

const statusAliases: Record<AttendanceStatus, readonly string[]> = {
  present: ['present', '出勤', '出席', '到', '已到', '签到'],
  late: ['late', '迟到'],
  absent: ['absent', '缺勤', '缺席', '未到'],
  excused: ['excused', '请假', '病假', '事假', '公假'],
};

/**
 * Folds a header or value for comparison: full-width forms to ASCII (NFKC turns "（分钟）" into
 * "(分钟)"), case, and the spaces, underscores and dashes people put between words.
 */
function headerKey(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
}

const columnByKey = new Map<string, AttendanceCsvColumn>(
  attendanceCsvColumns.flatMap((column) =>
    columnAliases[column].map((alias) => [headerKey(alias), column] as const),
  ),
);
const ignoredKeys = new Set(ignoredColumns.map(headerKey));
const statusByKey = new Map<string, AttendanceStatus>(
  attendanceStatuses.flatMap((status) =>
    statusAliases[status].map((alias) => [headerKey(alias), status] as const),
  ),
);

export interface AttendanceCsvRow {
  /** Line of the file where the row starts (the header is usually line 1). */
  line: number;
  /** Upper-cased and trimmed, matching teachers.national_id. */
  teacherNationalId: string;
  /** The session by its position in the programme, or by id; at least one is set. */
  sessionSequence: number | null;
  sessionId: number | null;
  status: AttendanceStatus;
  /** 0..1440; 0 when left empty on an absent or excused row. */
  minutes: number;
}

export type CsvEncoding = 'gb18030' | 'utf-16' | 'spreadsheet' | 'unknown';

export type CsvProblemCode =
  | 'ENCODING'
  | 'EMPTY_FILE'
  | 'UNTERMINATED_QUOTE'
  | 'MALFORMED_QUOTES'
  | 'UNKNOWN_COLUMN'
  | 'DUPLICATE_COLUMN'
  | 'MISSING_COLUMN'
  | 'EXTRA_FIELDS'
  | 'MISSING_VALUE'
  | 'BAD_TEACHER_ID'
  | 'BAD_SESSION'
  | 'BAD_STATUS'
  | 'BAD_MINUTES'
  | 'MINUTES_OUT_OF_RANGE'
  | 'DUPLICATE_ROW';

export interface CsvProblem {
  code: CsvProblemCode;
  /** Line of the file; null for problems of the whole file (encoding, empty file). */
  line: number | null;
  /**
   * The column as its header is written in the file; for MISSING_COLUMN, the expected column
   * (an `AttendanceCsvColumn`). Null for problems of a whole line or file.
   */
  column: string | null;
  /** The offending value as written, when there is one. */
  value?: string;
  /** DUPLICATE_ROW: the line of the row that is kept. */
  firstLine?: number;
  /** ENCODING: what the bytes look like instead of UTF-8. */
  encoding?: CsvEncoding;
}

export interface AttendanceCsvResult {
  rows: AttendanceCsvRow[];
  problems: CsvProblem[];
}

// --- bytes to text -------------------------------------------------------------------------------

/**
 * Whether bytes that are not UTF-8 have the structure of GB18030 (a superset of GBK and
 * GB2312): ASCII, or a lead byte 0x81–0xFE followed by a trail byte 0x40–0x7E / 0x80–0xFE, or
 * a four-byte sequence byte-digit-byte-digit. Checked by hand so the answer does not depend on
 * the runtime's ICU data.
 */
export function looksLikeGb18030(bytes: Uint8Array): boolean {
  let multiByte = 0;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    if (b === 0x80 || b === 0xff) return false;
    const b2 = bytes[i + 1];
    if (b2 === undefined) return false;
    if ((b2 >= 0x40 && b2 <= 0x7e) || (b2 >= 0x80 && b2 <= 0xfe)) {
      i += 2;
    } else if (b2 >= 0x30 && b2 <= 0x39) {
      const b3 = bytes[i + 2];
      const b4 = bytes[i + 3];
      if (b3 === undefined || b4 === undefined) return false;
      if (b3 < 0x81 || b3 > 0xfe || b4 < 0x30 || b4 > 0x39) return false;
      i += 4;
    } else {
      return false;
    }
    multiByte += 1;
  }
  return multiByte > 0;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** UTF-8 text of the file without its byte-order mark, or what the bytes are instead. */
export function decodeCsvBytes(
  bytes: Uint8Array,
): { ok: true; text: string } | { ok: false; encoding: CsvEncoding } {
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    return { ok: false, encoding: 'utf-16' };
  }
  // .xlsx is a ZIP archive ("PK\3\4"); .xls an OLE compound file.
  if (
    startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) ||
    startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])
  ) {
    return { ok: false, encoding: 'spreadsheet' };
  }
  try {
    // ignoreBOM: false (the default) strips a leading UTF-8 byte-order mark.
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, encoding: looksLikeGb18030(bytes) ? 'gb18030' : 'unknown' };
  }
}

// --- text to records -----------------------------------------------------------------------------

interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Splits text into records of fields (RFC 4180, any line break). Quote errors are reported
 * and the text is kept as written, so one stray quote does not swallow the rest of the file
 * silently: an unterminated quote is reported at the line where it opened.
 */
function splitRecords(text: string, problems: CsvProblem[]): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  // The field so far is `field` followed by the text from `runStart` to the current position:
  // plain characters are taken as one slice when the field ends, not appended one by one
  // (a 20,000-row file is half a million characters).
  let field = '';
  let runStart = 0;
  let quoted = false; // inside quotes
  let wasQuoted = false; // this field started with a quote
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  let reportedMalformed = false;
  let wasQuotedRecord = false; // some field of this record was quoted

  const endField = () => {
    fields.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    // A line with nothing on it is not a record.
    if (!(fields.length === 1 && fields[0] === '' && !wasQuotedRecord)) {
      records.push({ line: recordLine, fields });
    }
    fields = [];
    wasQuotedRecord = false;
    reportedMalformed = false;
  };

  for (let i = 0; i < text.length; i += 1) {
    const char = text.charCodeAt(i);
    if (quoted) {
      if (char === quote) {
        if (text.charCodeAt(i + 1) === quote) {
          field += text.slice(runStart, i + 1);
          i += 1;
        } else {
          field += text.slice(runStart, i);
          quoted = false;
        }
        runStart = i + 1;
      } else if (char === cr || char === lf) {
        field += text.slice(runStart, i) + '\n';
        if (char === cr && text.charCodeAt(i + 1) === lf) i += 1;
        runStart = i + 1;
        line += 1;
      }
      continue;
    }
    if (char === comma) {
      field += text.slice(runStart, i);
      endField();
      runStart = i + 1;
    } else if (char === cr || char === lf) {
      field += text.slice(runStart, i);
      if (char === cr && text.charCodeAt(i + 1) === lf) i += 1;
      endRecord();
      line += 1;
      recordLine = line;
      runStart = i + 1;
    } else if (char === quote && field === '' && runStart === i && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      wasQuotedRecord = true;
      quoteLine = line;
      runStart = i + 1;
    } else if (wasQuoted && !reportedMalformed) {
      // Text after a closing quote, as in "abc"def: kept, but worth a look.
      problems.push({ code: 'MALFORMED_QUOTES', line, column: null });
      reportedMalformed = true;
    }
  }
  if (quoted) {
    problems.push({ code: 'UNTERMINATED_QUOTE', line: quoteLine, column: null });
    return records;
  }
  field += text.slice(runStart);
  if (field !== '' || fields.length > 0 || wasQuoted) endRecord();
  return records;
}

const quote = 0x22;
const comma = 0x2c;
const cr = 0x0d;
const lf = 0x0a;

// --- records to rows -----------------------------------------------------------------------------

const nationalIdPattern = /^[0-9A-Z]{6,32}$/;

/** NFKC folding (full-width digits and letters to ASCII); printable ASCII is its own NFKC form. */
function nfkc(text: string): string {
  return printableAscii.test(text) ? text : text.normalize('NFKC');
}
const printableAscii = /^[ -~]*$/;

function parseWholeNumber(text: string): number | null {
  // "90.0" is how some spreadsheets write a whole number.
  const match = /^([+-]?\d{1,9})(?:\.0+)?$/.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * Parses the bytes of an uploaded file (preferred: the encoding is checked) or text that was
 * already decoded (a leading byte-order mark is dropped).
 */
export function parseAttendanceCsv(input: Uint8Array | string): AttendanceCsvResult {
  let text: string;
  if (typeof input === 'string') {
    text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  } else {
    const decoded = decodeCsvBytes(input);
    if (!decoded.ok) {
      return {
        rows: [],
        problems: [{ code: 'ENCODING', line: null, column: null, encoding: decoded.encoding }],
      };
    }
    text = decoded.text;
  }

  const problems: CsvProblem[] = [];
  const records = splitRecords(text, problems);
  const header = records[0];
  if (!header) {
    if (problems.length === 0) problems.push({ code: 'EMPTY_FILE', line: null, column: null });
    return { rows: [], problems };
  }

  // Which column each position holds; null for ignored or unknown columns.
  const positions: (AttendanceCsvColumn | null)[] = [];
  const seen = new Set<AttendanceCsvColumn>();
  header.fields.forEach((raw) => {
    const name = raw.trim();
    const key = headerKey(name);
    const column = columnByKey.get(key);
    if (column === undefined) {
      if (key !== '' && !ignoredKeys.has(key)) {
        problems.push({ code: 'UNKNOWN_COLUMN', line: header.line, column: name });
      }
      positions.push(null);
    } else if (seen.has(column)) {
      problems.push({ code: 'DUPLICATE_COLUMN', line: header.line, column: name });
      positions.push(null);
    } else {
      seen.add(column);
      positions.push(column);
    }
  });
  // The session may be named by sequence or by id; either column will do.
  const missing = (['teacherNationalId', 'sessionSequence', 'status', 'minutes'] as const).filter(
    (c) => !seen.has(c) && !(c === 'sessionSequence' && seen.has('sessionId')),
  );
  for (const column of missing) {
    problems.push({ code: 'MISSING_COLUMN', line: header.line, column });
  }
  // Without every column no row can be read; saying so once beats a problem per row.
  if (missing.length > 0) return { rows: [], problems };

  const headerText = (column: AttendanceCsvColumn) =>
    (header.fields[positions.indexOf(column)] ?? column).trim();
  const at = {
    teacherNationalId: positions.indexOf('teacherNationalId'),
    sessionSequence: positions.indexOf('sessionSequence'),
    sessionId: positions.indexOf('sessionId'),
    status: positions.indexOf('status'),
    minutes: positions.indexOf('minutes'),
  };
  // A file says "present" or "出勤" twenty thousand times: each spelling is folded once.
  const statusOfText = new Map<string, AttendanceStatus | undefined>();

  // Declared once, not per row: a closure made per row costs more than the row's own checks.
  const problem = (
    line: number,
    code: CsvProblemCode,
    column: AttendanceCsvColumn | null,
    value?: string,
  ) =>
    problems.push({
      code,
      line,
      column: column === null ? null : headerText(column),
      ...(value !== undefined ? { value } : {}),
    });
  const cell = (fields: string[], index: number): string | null =>
    index === -1 ? null : (fields[index] ?? '').trim();
  const sessionNumber = (
    line: number,
    value: string | null,
    column: 'sessionSequence' | 'sessionId',
  ): number | null => {
    if (value === null || value === '') return null;
    const n = parseWholeNumber(nfkc(value));
    if (n === null || n < 1) {
      problem(line, 'BAD_SESSION', column, value);
      return null;
    }
    return n;
  };

  const rows: AttendanceCsvRow[] = [];
  // First line of each (session, teacher): per session as written (by id or by sequence), a map
  // by the national ID the row already holds — no key string built per row (a string key per
  // row was over a third of the parse).
  const firstLineOf = {
    id: new Map<number, Map<string, number>>(),
    sequence: new Map<number, Map<string, number>>(),
  };
  for (let r = 1; r < records.length; r += 1) {
    const record = records[r]!;
    const fields = record.fields;
    const before = problems.length;
    const line = record.line;

    // Excel pads short rows with commas; only fields with something in them are extra.
    for (let f = positions.length; f < fields.length; f += 1) {
      if (fields[f]!.trim() !== '') {
        problem(line, 'EXTRA_FIELDS', null);
        break;
      }
    }

    const nationalIdText = cell(fields, at.teacherNationalId) ?? '';
    const teacherNationalId = nfkc(nationalIdText).toUpperCase();
    if (nationalIdText === '') problem(line, 'MISSING_VALUE', 'teacherNationalId');
    else if (!nationalIdPattern.test(teacherNationalId)) {
      problem(line, 'BAD_TEACHER_ID', 'teacherNationalId', nationalIdText);
    }

    const sequenceText = cell(fields, at.sessionSequence);
    const idText = cell(fields, at.sessionId);
    const sessionSequence = sessionNumber(line, sequenceText, 'sessionSequence');
    const sessionId = sessionNumber(line, idText, 'sessionId');
    if ((sequenceText ?? '') === '' && (idText ?? '') === '')
      problem(line, 'MISSING_VALUE', seen.has('sessionSequence') ? 'sessionSequence' : 'sessionId');

    const statusText = cell(fields, at.status) ?? '';
    let status = statusOfText.get(statusText);
    if (status === undefined && !statusOfText.has(statusText)) {
      status = statusByKey.get(headerKey(statusText));
      statusOfText.set(statusText, status);
    }
    if (statusText === '') problem(line, 'MISSING_VALUE', 'status');
    else if (status === undefined) problem(line, 'BAD_STATUS', 'status', statusText);

    const minutesText = nfkc(cell(fields, at.minutes) ?? '');
    let minutes = 0;
    if (minutesText === '') {
      // An absence needs no minutes; a presence without them is a gap in the sheet.
      if (status === 'present' || status === 'late') problem(line, 'MISSING_VALUE', 'minutes');
    } else {
      const n = parseWholeNumber(minutesText);
      if (n === null) problem(line, 'BAD_MINUTES', 'minutes', minutesText);
      else if (n < 0 || n > maxSessionMinutes)
        problem(line, 'MINUTES_OUT_OF_RANGE', 'minutes', minutesText);
      else minutes = n;
    }

    if (problems.length > before || status === undefined) continue;
    if (sessionSequence === null && sessionId === null) continue;

    // Same teacher and same session twice: keep the first. A session named by id on one line
    // and by sequence on another is the caller's to catch (it knows which is which).
    const bySession = sessionId !== null ? firstLineOf.id : firstLineOf.sequence;
    const session = sessionId ?? sessionSequence!;
    let ofSession = bySession.get(session);
    if (ofSession === undefined) bySession.set(session, (ofSession = new Map()));
    const firstLine = ofSession.get(teacherNationalId);
    if (firstLine !== undefined) {
      problems.push({ code: 'DUPLICATE_ROW', line: record.line, column: null, firstLine });
      continue;
    }
    ofSession.set(teacherNationalId, record.line);
    rows.push({
      line: record.line,
      teacherNationalId,
      sessionSequence,
      sessionId,
      status,
      minutes,
    });
  }
  return { rows, problems };
}

// --- words ---------------------------------------------------------------------------------------

const columnNames: Record<AttendanceCsvColumn, Localized> = {
  teacherNationalId: { en: 'teacher national ID', 'zh-CN': '教师编号' },
  sessionSequence: { en: 'session', 'zh-CN': '场次' },
  sessionId: { en: 'session ID', 'zh-CN': '场次编号' },
  status: { en: 'status', 'zh-CN': '状态' },
  minutes: { en: 'minutes', 'zh-CN': '分钟' },
};

const encodingAdvice: Record<CsvEncoding, Localized> = {
  gb18030: {
    en: 'The file is encoded as GBK/GB18030, not UTF-8. In Excel choose "Save as → CSV UTF-8"; in WPS choose UTF-8 encoding.',
    'zh-CN':
      '文件编码为 GBK/GB18030，不是 UTF-8。请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”，或在 WPS 中选择 UTF-8 编码后重新上传。',
  },
  'utf-16': {
    en: 'The file is UTF-16 ("Unicode text"), not a UTF-8 CSV. Save it as "CSV UTF-8" and upload it again.',
    'zh-CN':
      '文件为 UTF-16（“Unicode 文本”）格式，不是 UTF-8 编码的 CSV。请另存为“CSV UTF-8”后重新上传。',
  },
  spreadsheet: {
    en: 'This is an Excel workbook, not a CSV file. Save it as "CSV UTF-8" and upload it again.',
    'zh-CN': '这是 Excel 工作簿，不是 CSV 文件。请另存为“CSV UTF-8”后重新上传。',
  },
  unknown: {
    en: 'The file is not UTF-8 text. Save it as "CSV UTF-8" and upload it again.',
    'zh-CN': '文件不是 UTF-8 编码的文本。请另存为“CSV UTF-8”后重新上传。',
  },
};

const statusList = (locale: Locale) =>
  attendanceStatuses
    .map((s) => (locale === 'zh-CN' ? attendanceStatusNames[s][locale] : s))
    .join(locale === 'zh-CN' ? '、' : ', ');

/** Renders a problem for the person who uploaded the file: where, then what to fix. */
export function describeCsvProblem(problem: CsvProblem, locale: Locale): string {
  const zh = locale === 'zh-CN';
  // A missing column is not in the file, so it is named in the sentence, not as a place.
  const column = problem.code === 'MISSING_COLUMN' ? null : problem.column;
  const where =
    problem.line === null
      ? ''
      : zh
        ? `第 ${problem.line} 行${column === null ? '' : `“${column}”列`}：`
        : `Line ${problem.line}${column === null ? '' : `, column "${column}"`}: `;
  const value = problem.value ?? '';
  const what = ((): string => {
    switch (problem.code) {
      case 'ENCODING':
        return encodingAdvice[problem.encoding ?? 'unknown'][locale];
      case 'EMPTY_FILE':
        return zh ? '文件是空的。' : 'The file is empty.';
      case 'UNTERMINATED_QUOTE':
        return zh
          ? '引号没有闭合，之后的内容无法读取。'
          : 'A quote opened here is never closed, so the rest of the file cannot be read.';
      case 'MALFORMED_QUOTES':
        return zh
          ? '引号后还有其他字符；含逗号或引号的内容应整体用英文双引号括起。'
          : 'There is text after a closing quote; wrap the whole value in double quotes.';
      case 'UNKNOWN_COLUMN':
        return zh ? '无法识别的列。' : 'Unknown column.';
      case 'DUPLICATE_COLUMN':
        return zh ? '该列重复出现。' : 'This column appears twice.';
      case 'MISSING_COLUMN': {
        const column = attendanceCsvColumns.find((c) => c === problem.column);
        const name = column ? columnNames[column][locale] : (problem.column ?? '');
        return zh ? `缺少“${name}”列。` : `The "${name}" column is missing.`;
      }
      case 'EXTRA_FIELDS':
        return zh
          ? '该行的内容比表头的列多。'
          : 'This line has more values than the header has columns.';
      case 'MISSING_VALUE':
        return zh ? '不能为空。' : 'A value is required.';
      case 'BAD_TEACHER_ID':
        return zh
          ? `“${value}”不是有效的教师编号（6 至 32 位数字或大写字母）。`
          : `"${value}" is not a valid teacher national ID (6 to 32 digits or capital letters).`;
      case 'BAD_SESSION':
        return zh
          ? `“${value}”不是有效的场次（应为正整数）。`
          : `"${value}" is not a valid session (a whole number from 1).`;
      case 'BAD_STATUS':
        return zh
          ? `“${value}”不是有效的状态，应为${statusList(locale)}之一。`
          : `"${value}" is not a status; use one of ${statusList(locale)}.`;
      case 'BAD_MINUTES':
        return zh ? `“${value}”不是整数分钟数。` : `"${value}" is not a whole number of minutes.`;
      case 'MINUTES_OUT_OF_RANGE':
        return zh
          ? `分钟数 ${value} 超出范围（0 至 ${maxSessionMinutes}）。`
          : `${value} minutes is out of range (0 to ${maxSessionMinutes}).`;
      case 'DUPLICATE_ROW':
        return zh
          ? `与第 ${problem.firstLine ?? '?'} 行的教师和场次重复。`
          : `Same teacher and session as line ${problem.firstLine ?? '?'}.`;
      default: {
        const never: never = problem.code;
        throw new Error(`unknown CSV problem ${String(never)}`);
      }
    }
  })();
  return `${where}${what}`;
}
