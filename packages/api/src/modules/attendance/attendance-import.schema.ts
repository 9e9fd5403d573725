import {
  findAttendanceImport,
  findLockedEnrollments,
  findSessionsOfActivityForAttendance,
  findTeachersForImport,
  insertAttendanceImport,
  replaceAttendanceKeys,
  type AttendanceImport,
  type AttendanceSession,
} from '@registry/db';
import {
  isActiveParticipant,
  parseAttendanceCsv,
  sessionLengthMinutes,
  type AttendanceStatus,
  type ImportProblem,
} from '@registry/domain';
import { audience, builder } from '../../builder';
import { auditChange } from '../audit';
import type { Context } from '../../context';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldIssue,
} from '../../errors';
import { localIdOf } from '../ids';
import { bilingual } from '../validation';
import {
  lockedConflict,
  lockRunningActivity,
  notWriter,
  visibleActivity,
  writableSessions,
  writerFor,
  type AttendanceWriter,
} from './attendance-access';
import {
  AttendanceImportProblemRef,
  AttendanceImportRef,
  checkIdempotencyKey,
  decodeBase64,
  issuesOf,
  maxImportBytes,
  payloadHash,
  tooLarge,
  viewOfCsvProblem,
  viewOfImportProblem,
  type AttendanceImportView,
  type ImportProblemView,
} from './attendance-import.types';

/**
 * CSV import of attendance (issue 4 point 4): a preview that lists every bad row, and a commit
 * that writes all rows or none, once per idempotency key. The file travels as base64 of its
 * raw bytes so a GBK or UTF-16 file is recognised as such instead of arriving as mojibake.
 */

/** Codes of the header line: they say nothing about a data row. */
const headerCodes = new Set(['UNKNOWN_COLUMN', 'DUPLICATE_COLUMN', 'MISSING_COLUMN']);

export interface ResolvedRow {
  line: number;
  sessionId: number;
  enrollmentId: number;
  nationalId: string;
  status: AttendanceStatus;
  minutes: number;
}

export interface ResolvedImport {
  /** Data rows in the file, good or bad. */
  rowCount: number;
  /** Rows that would be written: no problem at all. */
  rows: ResolvedRow[];
  /** Every problem, locked rows included (code LOCKED), in file order. */
  problems: ImportProblemView[];
  locked: Array<{ line: number | null; record?: number; nationalId: string }>;
}

/**
 * Parses the file and checks every row against the registry: the teacher exists and takes part
 * in the activity, the session belongs to it (and to the trainer, for a trainer), minutes fit
 * the session, no (teacher, session) twice, nothing confirmed.
 */
async function resolveCsv(
  db: Context['db'],
  writer: AttendanceWriter,
  activityId: number,
  bytes: Uint8Array,
): Promise<ResolvedImport> {
  const parsed = parseAttendanceCsv(bytes);
  const problems: ImportProblem[] = [];
  const sessions = await findSessionsOfActivityForAttendance(db, activityId);
  const bySequence = new Map(sessions.map((s) => [s.sequence, s]));
  const byId = new Map(sessions.map((s) => [s.id, s]));
  const allowed = await writableSessions(
    db,
    writer,
    sessions.map((s) => s.id),
  );
  const teachers = await findTeachersForImport(
    db,
    activityId,
    parsed.rows.map((r) => r.teacherNationalId),
  );

  const candidates: ResolvedRow[] = [];
  // Keyed by a number, not a string per row: enrollment id × session count + session position,
  // below 2^53 for any int4 id and fewer than 2^22 sessions.
  const positionOf = new Map(sessions.map((s, i) => [s.id, i]));
  const pairKey = (enrollmentId: number, sessionId: number) =>
    enrollmentId * sessions.length + positionOf.get(sessionId)!;
  const firstLineOf = new Map<number, number>();
  const maxMinutesOf = new Map(sessions.map((s) => [s.id, sessionLengthMinutes(s)]));
  // Declared once, not per row: a closure made per row costs more than the row's own checks.
  const problem = (
    line: number,
    code: ImportProblem['code'],
    column: string | null,
    extra: Partial<ImportProblem> = {},
  ) => problems.push({ code, line, column, ...extra });
  for (const row of parsed.rows) {
    const before = problems.length;
    const enrollment = teachers.get(row.teacherNationalId);
    if (enrollment === undefined) {
      problem(row.line, 'UNKNOWN_TEACHER', 'teacherNationalId', { value: row.teacherNationalId });
    } else if (enrollment === null) {
      problem(row.line, 'NOT_ENROLLED', 'teacherNationalId', { value: row.teacherNationalId });
    } else if (!isActiveParticipant(enrollment.status)) {
      problem(row.line, 'NOT_PARTICIPANT', 'teacherNationalId', { value: row.teacherNationalId });
    }
    const session: AttendanceSession | undefined =
      row.sessionId !== null ? byId.get(row.sessionId) : bySequence.get(row.sessionSequence ?? 0);
    const sessionColumn = row.sessionId !== null ? 'sessionId' : 'sessionSequence';
    if (!session) {
      problem(row.line, 'UNKNOWN_SESSION', sessionColumn, {
        value: String(row.sessionId ?? row.sessionSequence),
      });
    } else {
      if (!allowed.has(session.id)) {
        problem(row.line, 'SESSION_NOT_TAUGHT', sessionColumn, { value: String(session.sequence) });
      }
      const max = maxMinutesOf.get(session.id)!;
      if (row.minutes > max) {
        problem(row.line, 'MINUTES_ABOVE_SESSION', 'minutes', { value: String(row.minutes), max });
      }
    }
    if (enrollment && session) {
      // The parser catches repeats written alike; one by id and one by sequence meet here.
      const key = pairKey(enrollment.id, session.id);
      const first = firstLineOf.get(key);
      if (first !== undefined) problem(row.line, 'DUPLICATE_ROW', null, { firstLine: first });
      else firstLineOf.set(key, row.line);
    }
    if (problems.length === before && enrollment && session) {
      candidates.push({
        line: row.line,
        sessionId: session.id,
        enrollmentId: enrollment.id,
        nationalId: enrollment.nationalId,
        status: row.status,
        minutes: row.minutes,
      });
    }
  }

  const lockedIds = await findLockedEnrollments(
    db,
    activityId,
    candidates.map((c) => c.enrollmentId),
  );
  const locked = candidates.filter((c) => lockedIds.has(c.enrollmentId));
  for (const row of locked) {
    problems.push({ code: 'LOCKED', line: row.line, column: null, value: row.nationalId });
  }
  const rows = candidates.filter((c) => !lockedIds.has(c.enrollmentId));

  const views = [...parsed.problems.map(viewOfCsvProblem), ...problems.map(viewOfImportProblem)];
  views.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const badLines = new Set(
    views.filter((p) => p.line !== null && !headerCodes.has(p.code)).map((p) => p.line),
  );
  const rowCount = rows.length + badLines.size;
  if (views.length === 0 && rowCount === 0) {
    views.push(viewOfImportProblem({ code: 'EMPTY_FILE', line: null, column: null }));
  }
  return {
    rowCount,
    rows,
    problems: views,
    locked: locked.map((r) => ({ line: r.line, nationalId: r.nationalId })),
  };
}

interface ImportPreview {
  rowCount: number;
  validRowCount: number;
  problems: ImportProblemView[];
}

const AttendanceImportPreviewRef = builder
  .objectRef<ImportPreview>('AttendanceImportPreview')
  .implement({
    description:
      'What committing the file would do: how many rows it holds, how many are good and every problem found.',
    extensions: audience.signedIn,
    fields: (t) => ({
      rowCount: t.exposeInt('rowCount', { description: 'Data rows in the file, good or bad.' }),
      validRowCount: t.exposeInt('validRowCount', {
        description: 'Rows without any problem, which a commit would write.',
      }),
      clean: t.boolean({
        description: 'True when the file has no problem at all, so a commit would succeed.',
        resolve: (p) => p.problems.length === 0,
      }),
      problems: t.field({
        type: [AttendanceImportProblemRef],
        description: 'Every problem, in file order: whole-file problems first, then by line.',
        resolve: (p) => p.problems,
      }),
    }),
  });

/** Input checks shared by preview and commit; the decoded bytes when they pass. */
function checkCsvInput(
  input: { activityId: string; csv: string },
  issues: FieldIssue[],
): { activityId: number | null; bytes: Uint8Array | null } {
  const activityId = localIdOf(input.activityId, 'Activity');
  if (activityId === null) {
    issues.push({
      path: ['input', 'activityId'],
      localized: bilingual('is not the ID of an activity|不是有效的活动ID'),
    });
  }
  // Checked on the text first so a huge payload is refused before it is decoded.
  if (input.csv.length > Math.ceil(maxImportBytes / 3) * 4 + 1024) {
    issues.push(tooLarge(['input', 'csv']));
    return { activityId, bytes: null };
  }
  const bytes = decodeBase64(input.csv);
  if (bytes === null) {
    issues.push({
      path: ['input', 'csv'],
      localized: bilingual('must be the file’s bytes in base64|应为文件原始字节的 base64 编码'),
    });
  } else if (bytes.length > maxImportBytes) {
    issues.push(tooLarge(['input', 'csv']));
  }
  return { activityId, bytes };
}

/** The writer of an import: admins, or a trainer who teaches some session of the activity. */
async function importWriter(context: Context, activityId: number) {
  const activity = await visibleActivity(context, activityId);
  const writer = await writerFor(context, activity);
  if (!writer.allSessions) {
    const sessions = await findSessionsOfActivityForAttendance(context.db, activity.id);
    const taught = await writableSessions(
      context.db,
      writer,
      sessions.map((s) => s.id),
    );
    if (taught.size === 0) throw notWriter();
  }
  return { activity, writer };
}

const writerScopes = {
  trainer: true,
  institutionAdmin: true,
  schoolAdmin: true,
  platformAdmin: true,
} as const;

const PreviewAttendanceImportInput = builder.inputType('PreviewAttendanceImportInput', {
  description: 'An attendance CSV file to check against an activity.',
  fields: (t) => ({
    activityId: t.id({ description: 'Global ID of the activity.' }),
    csv: t.string({
      description: `The file's raw bytes in base64 (at most ${maxImportBytes / 1024} KiB decoded), so its encoding can be checked.`,
    }),
  }),
});

builder.mutationField('previewAttendanceImport', (t) =>
  t.field({
    type: AttendanceImportPreviewRef,
    description:
      'Checks an attendance CSV file and lists every bad row (unknown teacher, session not in the activity, minutes out of range, duplicates, wrong encoding, confirmed records). Changes nothing.',
    authScopes: writerScopes,
    errors: { types: [ValidationError, NotFoundError, ForbiddenError] },
    args: { input: t.arg({ type: PreviewAttendanceImportInput, description: 'The file.' }) },
    resolve: async (_root, { input }, context): Promise<ImportPreview> => {
      const issues: FieldIssue[] = [];
      const { activityId, bytes } = checkCsvInput(input, issues);
      if (issues.length || activityId === null || bytes === null) throw new ValidationError(issues);
      const { activity, writer } = await importWriter(context, activityId);
      const resolved = await resolveCsv(context.db, writer, activity.id, bytes);
      return {
        rowCount: resolved.rowCount,
        validRowCount: resolved.rows.length,
        problems: resolved.problems,
      };
    },
  }),
);

const CommitAttendanceImportInput = builder.inputType('CommitAttendanceImportInput', {
  description: 'An attendance CSV file to write, once, under an idempotency key.',
  fields: (t) => ({
    activityId: t.id({ description: 'Global ID of the activity.' }),
    csv: t.string({
      description: `The file's raw bytes in base64 (at most ${maxImportBytes / 1024} KiB decoded).`,
    }),
    idempotencyKey: t.string({
      description:
        'A key of 8 to 200 characters chosen by the client for this file (e.g. a UUID). Sending the same key and file again returns the first result and writes nothing.',
    }),
  }),
});

/**
 * The audit record of the rows an import wrote: every row with its id and values, in file
 * order, as one array per row, and what all rows share said once (they were written by one
 * statement of one transaction: same source, writer, import and recorded_at). As complete as
 * a list of row objects, at a fifth of its size — a 20,000-row file made a 4 MB entry, whose
 * insertion and sealing cost more than writing the rows.
 */
export function importedRows(
  rows: ReadonlyArray<ResolvedRow>,
  written: ReadonlyArray<{ id: number; sessionId: number; enrollmentId: number }>,
  recordedBy: number | null,
  importId: number,
) {
  // Per session, then per enrollment: a file has few sessions, and no string key per row.
  const idOf = new Map<number, Map<number, number>>();
  for (const w of written) {
    let ofSession = idOf.get(w.sessionId);
    if (!ofSession) idOf.set(w.sessionId, (ofSession = new Map()));
    ofSession.set(w.enrollmentId, w.id);
  }
  return {
    source: 'import' as const,
    recordedBy,
    importId,
    columns: ['id', 'sessionId', 'enrollmentId', 'status', 'minutes'] as const,
    rows: rows.map((r) => [
      idOf.get(r.sessionId)?.get(r.enrollmentId) ?? null,
      r.sessionId,
      r.enrollmentId,
      r.status,
      r.minutes,
    ]),
  };
}

/** The stored answer to a repeated key: the same payload replays, another one conflicts. */
export function replayOf(existing: AttendanceImport, hash: string): AttendanceImportView {
  if (existing.payloadHash !== hash) {
    throw new ConflictError(
      bilingual(
        'This idempotency key was already used for a different file or feed; use a new key for new data.|该幂等键已用于另一份数据，新数据请使用新的幂等键。',
      ),
    );
  }
  return { ...existing, replayed: true };
}

builder.mutationField('commitAttendanceImport', (t) =>
  t.field({
    type: AttendanceImportRef,
    description:
      'Writes an attendance CSV file, all rows or none, only when its preview is clean: any bad row refuses the whole file with every problem listed; confirmed records refuse it as a conflict. The same key with the same file returns the stored result and changes nothing; with another file, a conflict.',
    authScopes: writerScopes,
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: CommitAttendanceImportInput, description: 'The file and key.' }) },
    resolve: async (_root, { input }, context): Promise<AttendanceImportView> => {
      const issues: FieldIssue[] = [];
      const { activityId, bytes } = checkCsvInput(input, issues);
      const keyIssue = checkIdempotencyKey(input.idempotencyKey, ['input', 'idempotencyKey']);
      if (keyIssue) issues.push(keyIssue);
      if (issues.length || activityId === null || bytes === null) throw new ValidationError(issues);
      const { activity, writer } = await importWriter(context, activityId);
      const hash = payloadHash('attendance-csv', bytes);

      return context.db.transaction().execute(async (trx) => {
        // A replay is answered even after the activity closed: it changes nothing.
        const existing = await findAttendanceImport(trx, activity.id, input.idempotencyKey);
        if (existing) return replayOf(existing, hash);
        await lockRunningActivity(trx, activity.id);
        const resolved = await resolveCsv(trx, writer, activity.id, bytes);
        const bad = resolved.problems.filter((p) => p.code !== 'LOCKED');
        if (bad.length) throw new ValidationError(issuesOf(['input', 'csv'], bad));
        if (resolved.locked.length) {
          throw lockedConflict(resolved.locked.map((r) => `line ${r.line} ${r.nationalId}`));
        }
        const claimed = await insertAttendanceImport(trx, {
          activityId: activity.id,
          idempotencyKey: input.idempotencyKey,
          payloadHash: hash,
          format: 'csv',
          rowCount: resolved.rows.length,
          createdBy: context.viewer?.id ?? null,
        });
        if (!claimed) {
          // A concurrent request with the same key committed first.
          const winner = await findAttendanceImport(trx, activity.id, input.idempotencyKey);
          return replayOf(winner!, hash);
        }
        const recordedBy = context.viewer?.id ?? null;
        const { before, written } = await replaceAttendanceKeys(
          trx,
          resolved.rows.map((r) => ({
            activityId: activity.id,
            sessionId: r.sessionId,
            enrollmentId: r.enrollmentId,
            status: r.status,
            minutes: r.minutes,
            source: 'import',
            recordedBy,
            importId: claimed.id,
          })),
        );
        await auditChange(
          context,
          trx,
          'attendance.imported',
          'attendance_import',
          claimed.id,
          before,
          {
            import: claimed,
            written: importedRows(resolved.rows, written, recordedBy, claimed.id),
          },
        );
        return { ...claimed, replayed: false };
      });
    },
  }),
);
