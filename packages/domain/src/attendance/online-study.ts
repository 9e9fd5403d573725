import { maxSessionMinutes } from '../vocabulary/vocabulary';
import type { ImportProblem, ImportProblemCode } from './import-problems';

/**
 * The online platform's feed of study time: minutes per day per teacher (issue 4 point 4), as
 * JSON or CSV. The platform is a program, not a person with Excel, so the format is strict:
 *
 * JSON — an array, or an object with a `records` array, of
 *   { "teacherNationalId": "T000001", "date": "2026-03-02", "minutes": 75 }
 * CSV (UTF-8) — a header naming teacher_national_id (教师编号), date (日期/学习日期) and
 *   minutes (分钟/学习时长), in any order, then one line per teacher and day.
 *
 * Like the attendance CSV, every problem is reported with its place and a row appears in
 * `rows` only if it has none. Duplicates (same teacher, same day) keep the first. Whether the
 * teacher is enrolled and the activity has an online block that day is the caller's to check.
 */
export type OnlineStudyFormat = 'json' | 'csv';

export interface OnlineStudyRow {
  /** CSV line or JSON record (from 1), for problems found later. */
  line: number | null;
  record?: number;
  teacherNationalId: string;
  /** YYYY-MM-DD, the local calendar day of the study. */
  date: string;
  minutes: number;
}

export interface OnlineStudyResult {
  rows: OnlineStudyRow[];
  problems: ImportProblem[];
}

type Field = 'teacherNationalId' | 'date' | 'minutes';

const fieldAliases: Record<Field, readonly string[]> = {
  teacherNationalId: ['teachernationalid', 'nationalid', '教师编号', '全国教师编号'],
  date: ['date', 'studydate', 'day', '日期', '学习日期'],
  minutes: ['minutes', 'studyminutes', '分钟', '分钟数', '学习时长', '学习时长(分钟)', '时长'],
};
const ignored = new Set(['teachername', 'name', '姓名', '教师姓名', 'note', '备注']);

const key = (text: string) =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

const fieldByKey = new Map<string, Field>(
  (Object.keys(fieldAliases) as Field[]).flatMap((field) =>
    fieldAliases[field].map((alias) => [key(alias), field] as const),
  ),
);

const nationalIdPattern = /^[0-9A-Z]{6,32}$/;

function validDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

interface Place {
  line: number | null;
  record?: number;
}

/** Checks one record's values; pushes problems and returns the row when it has none. */
function readRecord(
  place: Place,
  raw: Partial<Record<Field, unknown>>,
  columnName: (field: Field) => string,
  problems: ImportProblem[],
): OnlineStudyRow | null {
  const before = problems.length;
  const problem = (code: ImportProblemCode, field: Field, value?: unknown) =>
    problems.push({
      code,
      ...place,
      column: columnName(field),
      ...(value !== undefined ? { value: String(value) } : {}),
    });
  const text = (value: unknown) =>
    typeof value === 'string' ? value.trim().normalize('NFKC') : value;

  const id = text(raw.teacherNationalId);
  let teacherNationalId = '';
  if (id === undefined || id === null || id === '') problem('MISSING_VALUE', 'teacherNationalId');
  else if (typeof id !== 'string' || !nationalIdPattern.test(id.toUpperCase())) {
    problem('BAD_TEACHER_ID', 'teacherNationalId', id);
  } else teacherNationalId = id.toUpperCase();

  const date = text(raw.date);
  if (date === undefined || date === null || date === '') problem('MISSING_VALUE', 'date');
  else if (typeof date !== 'string' || !validDate(date)) problem('BAD_DATE', 'date', date);

  const minutesValue = text(raw.minutes);
  let minutes = 0;
  if (minutesValue === undefined || minutesValue === null || minutesValue === '') {
    problem('MISSING_VALUE', 'minutes');
  } else {
    const n =
      typeof minutesValue === 'number'
        ? minutesValue
        : typeof minutesValue === 'string' && /^[+-]?\d{1,9}$/.test(minutesValue)
          ? Number(minutesValue)
          : NaN;
    if (!Number.isInteger(n)) problem('BAD_MINUTES', 'minutes', minutesValue);
    else if (n < 0 || n > maxSessionMinutes) problem('MINUTES_OUT_OF_RANGE', 'minutes', n);
    else minutes = n;
  }
  if (problems.length > before) return null;
  return { ...place, teacherNationalId, date: date as string, minutes };
}

/** Drops later rows of the same teacher and day, reporting each against the first. */
function withoutDuplicates(rows: OnlineStudyRow[], problems: ImportProblem[]): OnlineStudyRow[] {
  const first = new Map<string, OnlineStudyRow>();
  const kept: OnlineStudyRow[] = [];
  for (const row of rows) {
    const k = `${row.teacherNationalId}\u0000${row.date}`;
    const earlier = first.get(k);
    if (earlier) {
      problems.push({
        code: 'DUPLICATE_ROW',
        line: row.line,
        ...(row.record !== undefined ? { record: row.record } : {}),
        column: null,
        firstLine: earlier.line ?? earlier.record ?? 0,
      });
    } else {
      first.set(k, row);
      kept.push(row);
    }
  }
  return kept;
}

function parseJson(payload: string): OnlineStudyResult {
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'not JSON';
    return { rows: [], problems: [{ code: 'MALFORMED', line: null, column: null, value: reason }] };
  }
  const records = Array.isArray(data)
    ? data
    : typeof data === 'object' &&
        data !== null &&
        Array.isArray((data as { records?: unknown }).records)
      ? (data as { records: unknown[] }).records
      : null;
  if (records === null) {
    return {
      rows: [],
      problems: [
        {
          code: 'MALFORMED',
          line: null,
          column: null,
          value: 'expected an array of records or { "records": [...] }',
        },
      ],
    };
  }
  if (records.length === 0) {
    return { rows: [], problems: [{ code: 'EMPTY_FILE', line: null, column: null }] };
  }
  const problems: ImportProblem[] = [];
  const rows: OnlineStudyRow[] = [];
  records.forEach((value, i) => {
    const place = { line: null, record: i + 1 };
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ code: 'MALFORMED', ...place, column: null, value: 'not an object' });
      return;
    }
    const raw: Partial<Record<Field, unknown>> = {};
    const names: Partial<Record<Field, string>> = {};
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      const field = fieldByKey.get(key(name));
      if (field) {
        raw[field] = v;
        names[field] = name;
      }
    }
    const row = readRecord(place, raw, (f) => names[f] ?? f, problems);
    if (row) rows.push(row);
  });
  return { rows: withoutDuplicates(rows, problems), problems };
}

/** RFC 4180 records with the line each starts on; null when a quote never closes. */
function splitCsv(text: string): Array<{ line: number; fields: string[] }> | null {
  const records: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const end = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === '')) records.push({ line: start, fields });
    fields = [];
    field = '';
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line += 1;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      end();
      line += 1;
      start = line;
    } else field += c;
  }
  if (quoted) return null;
  if (field !== '' || fields.length > 0) end();
  return records;
}

function parseCsv(payload: string): OnlineStudyResult {
  const text = payload.startsWith('\uFEFF') ? payload.slice(1) : payload;
  const records = splitCsv(text);
  if (records === null) {
    return {
      rows: [],
      problems: [{ code: 'MALFORMED', line: null, column: null, value: 'a quote is never closed' }],
    };
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], problems: [{ code: 'EMPTY_FILE', line: null, column: null }] };
  const problems: ImportProblem[] = [];
  const position = new Map<Field, number>();
  header.fields.forEach((name, i) => {
    const k = key(name);
    const field = fieldByKey.get(k);
    if (field && !position.has(field)) position.set(field, i);
    else if (!ignored.has(k) && k !== '') {
      problems.push({ code: 'UNKNOWN_COLUMN', line: header.line, column: name.trim() });
    }
  });
  const missing = (['teacherNationalId', 'date', 'minutes'] as const).filter(
    (f) => !position.has(f),
  );
  for (const field of missing) {
    problems.push({ code: 'MISSING_COLUMN', line: header.line, column: field });
  }
  if (missing.length > 0) return { rows: [], problems };
  if (body.length === 0) {
    return { rows: [], problems: [...problems, { code: 'EMPTY_FILE', line: null, column: null }] };
  }
  const nameOf = (f: Field) => (header.fields[position.get(f)!] ?? f).trim();
  const rows: OnlineStudyRow[] = [];
  for (const record of body) {
    const raw: Partial<Record<Field, unknown>> = {};
    for (const [field, i] of position) raw[field] = record.fields[i] ?? '';
    const row = readRecord({ line: record.line }, raw, nameOf, problems);
    if (row) rows.push(row);
  }
  return { rows: withoutDuplicates(rows, problems), problems };
}

export function parseOnlineStudy(format: OnlineStudyFormat, payload: string): OnlineStudyResult {
  return format === 'json' ? parseJson(payload) : parseCsv(payload);
}
