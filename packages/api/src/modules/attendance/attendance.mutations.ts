import {
  findEnrollmentsOfActivity,
  findLockedEnrollments,
  replaceAttendance,
  type AttendanceWrite,
} from '@registry/db';
import {
  checkRoster,
  describeRosterProblem,
  type AttendanceStatus,
  type RosterEntry,
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
import { AttendanceStatusEnum } from '../enums';
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
import { AttendanceRef } from './attendance.schema';

/** A roster is one class; a bigger list is a mistake or an import, which has its own path. */
const maxRosterEntries = 1000;

const AttendanceEntryInput = builder.inputType('AttendanceEntryInput', {
  description: 'One teacher’s attendance at the session.',
  fields: (t) => ({
    enrollmentId: t.id({ description: 'Global ID of the teacher’s enrollment in the activity.' }),
    status: t.field({
      type: AttendanceStatusEnum,
      description: 'Present, late, absent or excused.',
    }),
    minutes: t.int({
      description: 'Minutes attended, from 0 to the session’s scheduled length.',
    }),
  }),
});

const RecordAttendanceInput = builder.inputType('RecordAttendanceInput', {
  description: 'The attendance of a whole roster at one session, written all at once.',
  fields: (t) => ({
    sessionId: t.id({ description: 'Global ID of the session.' }),
    entries: t.field({
      type: [AttendanceEntryInput],
      description: `One entry per teacher, each enrollment at most once; 1 to ${maxRosterEntries} entries.`,
    }),
  }),
});

builder.mutationField('recordAttendance', (t) =>
  t.field({
    type: [AttendanceRef],
    description:
      'Records the attendance of a roster at one session, all or nothing: each (session, enrollment) row is created or replaced. Trainers for the sessions they teach, the provider’s administrators and platform administrators, while the activity is open or in progress. Records already confirmed by the school or the office are locked and refuse the whole batch.',
    authScopes: {
      trainer: true,
      institutionAdmin: true,
      schoolAdmin: true,
      platformAdmin: true,
    },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: RecordAttendanceInput, description: 'The session and roster.' }) },
    resolve: async (_root, { input }, context): Promise<AttendanceWrite[]> => {
      const issues: FieldIssue[] = [];
      const sessionId = localIdOf(input.sessionId, 'Session');
      if (sessionId === null) {
        issues.push({
          path: ['input', 'sessionId'],
          localized: bilingual('is not the ID of a session|不是有效的课次ID'),
        });
      }
      if (input.entries.length === 0 || input.entries.length > maxRosterEntries) {
        issues.push({
          path: ['input', 'entries'],
          localized: bilingual(
            `must hold 1 to ${maxRosterEntries} entries|应包含1至${maxRosterEntries}条记录`,
          ),
        });
      }
      const entries: RosterEntry[] = input.entries.map((entry, i) => {
        const enrollmentId = localIdOf(entry.enrollmentId, 'Enrollment');
        if (enrollmentId === null) {
          issues.push({
            path: ['input', 'entries', String(i), 'enrollmentId'],
            localized: bilingual('is not the ID of an enrollment|不是有效的参训记录ID'),
          });
        }
        return { enrollmentId, status: entry.status as AttendanceStatus, minutes: entry.minutes };
      });
      if (issues.length || sessionId === null) throw new ValidationError(issues);

      const session = await context.loaders.session.load(sessionId);
      if (!session) throw new NotFoundError(bilingual('The session|该课次'));
      const activity = await visibleActivity(context, session.activityId);
      const writer = await writerFor(context, activity);
      if (!(await writableSessions(context.db, writer, [session.id])).has(session.id)) {
        throw notWriter();
      }

      const enrollmentIds = entries.flatMap((e) =>
        e.enrollmentId === null ? [] : [e.enrollmentId],
      );
      const enrollments = await findEnrollmentsOfActivity(context.db, activity.id, enrollmentIds);
      const byId = new Map(enrollments.map((e) => [e.id, e]));
      for (const problem of checkRoster(entries, session, byId)) {
        issues.push({
          path: ['input', 'entries', String(problem.index), problem.field],
          localized: {
            en: describeRosterProblem(problem, 'en'),
            'zh-CN': describeRosterProblem(problem, 'zh-CN'),
          },
        });
      }
      if (issues.length) throw new ValidationError(issues);

      return context.db.transaction().execute(async (trx) => {
        await lockRunningActivity(trx, activity.id);
        const locked = await findLockedEnrollments(trx, activity.id, enrollmentIds);
        if (locked.size > 0) {
          throw lockedConflict(
            entries.flatMap((e, i) =>
              e.enrollmentId !== null && locked.has(e.enrollmentId)
                ? [`#${i + 1} ${byId.get(e.enrollmentId)?.nationalId ?? ''}`.trim()]
                : [],
            ),
          );
        }
        const { before, written } = await replaceAttendance(
          trx,
          entries.map((e) => ({
            activityId: activity.id,
            sessionId: session.id,
            enrollmentId: e.enrollmentId!,
            status: e.status,
            minutes: e.minutes,
            source: 'trainer',
            recordedBy: context.viewer?.id ?? null,
            importId: null,
          })),
        );
        // One audit entry per batch: the roster as it was and as it is now.
        await auditChange(
          context,
          trx,
          'attendance.recorded',
          'session',
          session.id,
          before,
          written,
        );
        const order = new Map(enrollmentIds.map((id, i) => [id, i]));
        return written.sort(
          (a, b) => (order.get(a.enrollmentId) ?? 0) - (order.get(b.enrollmentId) ?? 0),
        );
      });
    },
  }),
);
