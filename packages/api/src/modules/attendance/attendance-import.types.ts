import { createHash } from 'node:crypto';
import type { AttendanceImport } from '@registry/db';
import {
  describeCsvProblem,
  describeImportProblem,
  type CsvProblem,
  type ImportProblem,
} from '@registry/domain';
import { audience, builder } from '../../builder';
import type { FieldIssue, Localized } from '../../errors';
import { bilingual } from '../validation';

/**
 * Shared parts of the two imports (attendance CSV, online study feed): the problem list, the
 * stored import answered on replay, payload hashing and the size cap.
 */

/**
 * Largest file accepted, decoded. The gateway refuses HTTP bodies over 1 MB before GraphQL
 * runs (http/server.ts); 512 KiB of CSV (about 15,000 rows) sent as base64 is about 683 KiB,
 * so the cap is what a caller meets as a typed error rather than a bare 413.
 */
export const maxImportBytes = 512 * 1024;

export const tooLarge = (path: string[]): FieldIssue => ({
  path,
  localized: bilingual(
    `is larger than ${maxImportBytes / 1024} KiB; split the file and import the parts with their own keys|超过${maxImportBytes / 1024} KiB，请拆分文件后分别导入（各用不同的幂等键）`,
  ),
});

/** One problem of a file, in both languages (the caller sees the one of Accept-Language). */
export interface ImportProblemView {
  code: string;
  line: number | null;
  record: number | null;
  column: string | null;
  localized: Localized;
}

export function viewOfCsvProblem(problem: CsvProblem): ImportProblemView {
  return {
    code: problem.code,
    line: problem.line,
    record: null,
    column: problem.column,
    localized: {
      en: describeCsvProblem(problem, 'en'),
      'zh-CN': describeCsvProblem(problem, 'zh-CN'),
    },
  };
}

export function viewOfImportProblem(problem: ImportProblem): ImportProblemView {
  return {
    code: problem.code,
    line: problem.line,
    record: problem.record ?? null,
    column: problem.column,
    localized: {
      en: describeImportProblem(problem, 'en'),
      'zh-CN': describeImportProblem(problem, 'zh-CN'),
    },
  };
}

/** Problems as field issues of a refused commit: the path names the line (or record) and column. */
export function issuesOf(root: string[], problems: readonly ImportProblemView[]): FieldIssue[] {
  return problems.map((p) => {
    const place = p.line ?? p.record;
    return {
      path: [...root, ...(place === null ? [] : [String(place)]), ...(p.column ? [p.column] : [])],
      localized: p.localized,
    };
  });
}

export const AttendanceImportProblemRef = builder
  .objectRef<ImportProblemView>('AttendanceImportProblem')
  .implement({
    description: 'One problem of an imported file, with where it is and how to fix it.',
    extensions: audience.signedIn,
    fields: (t) => ({
      code: t.exposeString('code', {
        description:
          'Stable code, e.g. ENCODING, UNKNOWN_TEACHER, UNKNOWN_SESSION, MINUTES_OUT_OF_RANGE, DUPLICATE_ROW, LOCKED.',
      }),
      line: t.exposeInt('line', {
        nullable: true,
        description:
          'Line of the CSV file (the header is usually line 1); null for the whole file or JSON.',
      }),
      record: t.exposeInt('record', {
        nullable: true,
        description: 'Position of the record in a JSON array, from 1; null for CSV.',
      }),
      column: t.exposeString('column', {
        nullable: true,
        description: 'The column (as the header writes it, or the expected column) or JSON field.',
      }),
      message: t.string({
        description: 'What is wrong and how to fix it, in the language of Accept-Language.',
        resolve: (problem, _args, context) => problem.localized[context.locale],
      }),
    }),
  });

export interface AttendanceImportView extends AttendanceImport {
  /** True when the key had been used with the same payload: nothing was written this time. */
  replayed: boolean;
}

export const AttendanceImportRef = builder
  .objectRef<AttendanceImportView>('AttendanceImport')
  .implement({
    description:
      'A committed attendance import or online-study feed, kept for its idempotency key.',
    extensions: audience.signedIn,
    fields: (t) => ({
      idempotencyKey: t.exposeString('idempotencyKey', {
        description: 'The key the batch was sent with; the same key and payload never write twice.',
      }),
      format: t.string({
        description: 'csv or json.',
        resolve: (i) => i.format,
      }),
      rowCount: t.exposeInt('rowCount', { description: 'Attendance rows the batch wrote.' }),
      createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was committed.' }),
      replayed: t.exposeBoolean('replayed', {
        description: 'True when this answer is the stored result of an earlier identical request.',
      }),
    }),
  });

/** The payload's fingerprint; the kind is part of it so one key cannot mean two kinds of batch. */
export function payloadHash(kind: string, payload: Uint8Array | string): string {
  return createHash('sha256').update(`${kind}\n`).update(payload).digest('hex');
}

/** Base64 as browsers' btoa and Node write it; null when it is not base64 at all. */
export function decodeBase64(text: string): Uint8Array | null {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  return new Uint8Array(Buffer.from(compact, 'base64'));
}

export function checkIdempotencyKey(key: string, path: string[]): FieldIssue | null {
  return key.length >= 8 && key.length <= 200 && key.trim() === key
    ? null
    : {
        path,
        localized: bilingual(
          'must be 8 to 200 characters without leading or trailing spaces, e.g. a UUID|应为8至200个字符且首尾无空格，例如 UUID',
        ),
      };
}
