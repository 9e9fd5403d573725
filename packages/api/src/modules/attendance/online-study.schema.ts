import {
  findAttendanceImport,
  findLockedEnrollments,
  findSessionsOfActivityForAttendance,
  findTeachersForImport,
  insertAttendanceImport,
  replaceAttendance,
  type AttendanceSession,
} from '@registry/db';
import {
  isActiveParticipant,
  localDateOf,
  parseOnlineStudy,
  type ImportProblem,
  type OnlineStudyFormat,
} from '@registry/domain';
import { builder } from '../../builder';
import { auditChange } from '../audit';
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
} from './attendance-access';
import {
  AttendanceImportRef,
  checkIdempotencyKey,
  issuesOf,
  maxImportBytes,
  payloadHash,
  tooLarge,
  viewOfImportProblem,
  type AttendanceImportView,
} from './attendance-import.types';
import { replayOf } from './attendance-import.schema';

/**
 * The online platform's feed (issue 4 point 4): minutes per day per teacher for an activity's
 * online study blocks, one block per day. The day of a block is the local date (UTC+8) its
 * start falls on; when a day has more than one online block the minutes go to the first by
 * sequence. Minutes are stored as reported — below the block's minimum too, since the
 * completion rules judge them — with status present when above 0 and absent at 0. They are
 * not capped by the block's scheduled length: the platform measures study over the whole day.
 */

const OnlineStudyFormatEnum = builder.enumType('OnlineStudyFormat', {
  description: 'How the online platform sends its feed.',
  values: {
    JSON: {
      value: 'json',
      description:
        'An array (or { "records": [...] }) of { teacherNationalId, date: "YYYY-MM-DD", minutes }.',
    },
    CSV: {
      value: 'csv',
      description: 'UTF-8 CSV with columns teacher_national_id, date and minutes (any order).',
    },
  } as const,
});

const ImportOnlineStudyInput = builder.inputType('ImportOnlineStudyInput', {
  description: 'One batch of the online platform’s study minutes for an activity.',
  fields: (t) => ({
    activityId: t.id({ description: 'Global ID of the activity.' }),
    format: t.field({ type: OnlineStudyFormatEnum, description: 'JSON or CSV.' }),
    payload: t.string({
      description: `The batch as text (at most ${maxImportBytes / 1024} KiB as UTF-8).`,
    }),
    idempotencyKey: t.string({
      description:
        'A key of 8 to 200 characters for this batch (e.g. the platform’s batch id). Sending it again with the same payload returns the first result and writes nothing.',
    }),
  }),
});

builder.mutationField('importOnlineStudy', (t) =>
  t.field({
    type: AttendanceImportRef,
    description:
      'Writes the online platform’s minutes per day per teacher into the activity’s online study blocks, all or nothing: any bad record refuses the whole batch with every problem listed; confirmed records refuse it as a conflict. Idempotent per key like commitAttendanceImport.',
    authScopes: { trainer: true, institutionAdmin: true, schoolAdmin: true, platformAdmin: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: ImportOnlineStudyInput, description: 'The batch and key.' }) },
    resolve: async (_root, { input }, context): Promise<AttendanceImportView> => {
      const issues: FieldIssue[] = [];
      const activityId = localIdOf(input.activityId, 'Activity');
      if (activityId === null) {
        issues.push({
          path: ['input', 'activityId'],
          localized: bilingual('is not the ID of an activity|不是有效的活动ID'),
        });
      }
      if (Buffer.byteLength(input.payload, 'utf8') > maxImportBytes) {
        issues.push(tooLarge(['input', 'payload']));
      }
      const keyIssue = checkIdempotencyKey(input.idempotencyKey, ['input', 'idempotencyKey']);
      if (keyIssue) issues.push(keyIssue);
      if (issues.length || activityId === null) throw new ValidationError(issues);

      const activity = await visibleActivity(context, activityId);
      const writer = await writerFor(context, activity);
      const format = input.format as OnlineStudyFormat;
      const hash = payloadHash(`online-study:${format}`, input.payload);

      return context.db.transaction().execute(async (trx) => {
        const existing = await findAttendanceImport(trx, activity.id, input.idempotencyKey);
        if (existing) return replayOf(existing, hash);
        const sessions = await findSessionsOfActivityForAttendance(trx, activity.id);
        const allowed = await writableSessions(
          trx,
          writer,
          sessions.map((s) => s.id),
        );
        if (allowed.size === 0) throw notWriter();
        await lockRunningActivity(trx, activity.id);

        const parsed = parseOnlineStudy(format, input.payload);
        const problems: ImportProblem[] = [...parsed.problems];
        // The first online block of each local day (sessions come in sequence order).
        const blockOfDay = new Map<string, AttendanceSession>();
        for (const s of sessions) {
          const day = localDateOf(s.startsAt);
          if (s.mode === 'online' && !blockOfDay.has(day)) blockOfDay.set(day, s);
        }
        const teachers = await findTeachersForImport(
          trx,
          activity.id,
          parsed.rows.map((r) => r.teacherNationalId),
        );
        const rows: Array<{
          sessionId: number;
          enrollmentId: number;
          minutes: number;
          nationalId: string;
          place: string;
        }> = [];
        for (const row of parsed.rows) {
          const before = problems.length;
          const place = {
            line: row.line,
            ...(row.record !== undefined ? { record: row.record } : {}),
          };
          const enrollment = teachers.get(row.teacherNationalId);
          const value = row.teacherNationalId;
          if (enrollment === undefined) {
            problems.push({
              code: 'UNKNOWN_TEACHER',
              ...place,
              column: 'teacherNationalId',
              value,
            });
          } else if (enrollment === null) {
            problems.push({ code: 'NOT_ENROLLED', ...place, column: 'teacherNationalId', value });
          } else if (!isActiveParticipant(enrollment.status)) {
            problems.push({
              code: 'NOT_PARTICIPANT',
              ...place,
              column: 'teacherNationalId',
              value,
            });
          }
          const block = blockOfDay.get(row.date);
          if (!block) {
            problems.push({ code: 'NO_ONLINE_BLOCK', ...place, column: 'date', value: row.date });
          } else if (!allowed.has(block.id)) {
            problems.push({
              code: 'SESSION_NOT_TAUGHT',
              ...place,
              column: 'date',
              value: String(block.sequence),
            });
          }
          if (problems.length === before && enrollment && block) {
            rows.push({
              sessionId: block.id,
              enrollmentId: enrollment.id,
              minutes: row.minutes,
              nationalId: enrollment.nationalId,
              place: row.line !== null ? `line ${row.line}` : `record ${row.record ?? '?'}`,
            });
          }
        }
        if (problems.length) {
          throw new ValidationError(
            issuesOf(['input', 'payload'], problems.map(viewOfImportProblem)),
          );
        }
        if (rows.length === 0) {
          throw new ValidationError([
            { path: ['input', 'payload'], localized: bilingual('has no records|没有任何记录') },
          ]);
        }
        const locked = await findLockedEnrollments(
          trx,
          activity.id,
          rows.map((r) => r.enrollmentId),
        );
        if (locked.size) {
          throw lockedConflict(
            rows.filter((r) => locked.has(r.enrollmentId)).map((r) => `${r.place} ${r.nationalId}`),
          );
        }
        const claimed = await insertAttendanceImport(trx, {
          activityId: activity.id,
          idempotencyKey: input.idempotencyKey,
          payloadHash: hash,
          format,
          rowCount: rows.length,
          createdBy: context.viewer?.id ?? null,
        });
        if (!claimed) {
          const winner = await findAttendanceImport(trx, activity.id, input.idempotencyKey);
          return replayOf(winner!, hash);
        }
        const { before, written } = await replaceAttendance(
          trx,
          rows.map((r) => ({
            activityId: activity.id,
            sessionId: r.sessionId,
            enrollmentId: r.enrollmentId,
            status: r.minutes > 0 ? 'present' : 'absent',
            minutes: r.minutes,
            source: 'online_platform',
            recordedBy: context.viewer?.id ?? null,
            importId: claimed.id,
          })),
        );
        await auditChange(
          context,
          trx,
          'attendance.online_imported',
          'attendance_import',
          claimed.id,
          before,
          { import: claimed, rows: written },
        );
        return { ...claimed, replayed: false };
      });
    },
  }),
);
