import { childCursor } from '@registry/db';
import type { AttendanceRecord } from '../../loaders';
import { loadAll } from '../../loaders';
import { audience, builder } from '../../builder';
import { parseIntId } from '../ids';
import { EnrollmentRef } from '../enrollments/enrollment.schema';
import { AttendanceSourceEnum, AttendanceStatusEnum } from '../enums';
import { childPageOf, connectionOf } from '../pagination';
import { SessionRef } from '../sessions/session.schema';
import { TeacherRef } from '../teachers/teacher.schema';

export const AttendanceRef = builder.objectRef<AttendanceRecord>('Attendance');

builder.node(AttendanceRef, {
  extensions: audience.signedIn,
  id: { resolve: (record) => record.id, parse: parseIntId },
  loadMany: (ids, context) => loadAll(context.loaders.attendance, ids),
  description: 'Whether and how long one enrolled teacher attended one session.',
  fields: (t) => ({
    status: t.expose('status', {
      type: AttendanceStatusEnum,
      description: 'Present, late, absent or excused.',
    }),
    minutes: t.exposeInt('minutes', {
      description: 'Minutes attended or studied online, 0 to 1440.',
    }),
    source: t.expose('source', { type: AttendanceSourceEnum, description: 'How it was recorded.' }),
    recordedAt: t.expose('recordedAt', { type: 'DateTime', description: 'When it was recorded.' }),
    locked: t.boolean({
      description:
        'True while a current confirmation covers the record (its school’s, or the office’s for the whole roster): writes to it are refused as a conflict, and corrections go through an amendment.',
      resolve: (record, _args, context) =>
        context.loaders.enrollmentLocked.load(record.enrollmentId),
    }),
    session: t.field({
      type: SessionRef,
      nullable: true,
      description: 'The session attended.',
      resolve: (record, _args, context) => context.loaders.session.load(record.sessionId),
    }),
    enrollment: t.field({
      type: EnrollmentRef,
      nullable: true,
      description: 'The enrollment it counts toward.',
      resolve: (record, _args, context) => context.loaders.enrollment.load(record.enrollmentId),
    }),
    teacher: t.field({
      type: TeacherRef,
      nullable: true,
      description: 'The teacher who attended; null if the caller may not see them.',
      resolve: (record, _args, context) => {
        // A session's attendance page reads the teacher with the record, under the enrollment's
        // visibility; other reads find it through the enrollment, under the same rule. Not
        // async: a teacher this request already holds is answered as a value (SettledLoader).
        if (record.visibleTeacherId !== undefined) {
          return record.visibleTeacherId === null
            ? null
            : context.loaders.teacher.now(record.visibleTeacherId);
        }
        return context.loaders.enrollment
          .load(record.enrollmentId)
          .then((enrollment) =>
            enrollment ? context.loaders.teacher.load(enrollment.teacherId) : null,
          );
      },
    }),
  }),
});

builder.objectField(SessionRef, 'attendance', (t) =>
  t.connection(
    {
      type: AttendanceRef,
      description:
        'Attendance recorded for the session, in recording order. Trainers see the sessions they teach; schools their own teachers.',
      resolve: async (session, args, context) => {
        const { first, after } = childPageOf(args, 50);
        const page = await context.loaders.attendancePageOfSession(first, after).load(session.id);
        return connectionOf(
          page.rows,
          page.hasNextPage,
          (a) => childCursor(a.id),
          after !== null,
          () => context.loaders.attendanceCountOfSession.load(session.id),
        );
      },
    },
    { name: 'AttendanceConnection' },
    { name: 'AttendanceEdge' },
  ),
);
