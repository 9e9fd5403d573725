import {
  childCursor,
  countEnrollments,
  findEnrollments,
  type EnrollmentFilter,
} from '@registry/db';
import type { Enrollment } from '../../loaders';
import { loadAll } from '../../loaders';
import { audience, builder } from '../../builder';
import { ActivityRef } from '../activities/activity.schema';
import { AssessmentResultEnum, EnrollmentSourceEnum, EnrollmentStatusEnum } from '../enums';
import { localIdOf, parseIntId } from '../ids';
import { OrganizationRef } from '../organizations/organization.schema';
import {
  childPageOf,
  connectionOf,
  pageOf,
  rethrowCursorAsync,
  sliceConnection,
} from '../pagination';
import { TeacherRef } from '../teachers/teacher.schema';

export const EnrollmentRef = builder.objectRef<Enrollment>('Enrollment');

builder.node(EnrollmentRef, {
  extensions: audience.signedIn,
  description:
    'A teacher on an activity’s roster: how they got there, whether their school confirmed their eligibility, and how they were assessed.',
  id: { resolve: (enrollment) => enrollment.id, parse: parseIntId },
  loadMany: (ids, context) => loadAll(context.loaders.enrollment, ids),
  fields: (t) => ({
    status: t.expose('status', {
      type: EnrollmentStatusEnum,
      description: 'Where the enrollment stands.',
    }),
    source: t.expose('source', {
      type: EnrollmentSourceEnum,
      description: 'Who enrolled the teacher.',
    }),
    rejectionReason: t.exposeString('rejectionReason', {
      nullable: true,
      description: 'Why the school rejected the participant, when it did.',
    }),
    assessmentResult: t.expose('assessmentResult', {
      type: AssessmentResultEnum,
      nullable: true,
      description: 'The final assessment, once given.',
    }),
    enrolledAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When the teacher was enrolled.',
    }),
    decidedAt: t.expose('decidedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the school confirmed or rejected eligibility.',
    }),
    activity: t.field({
      type: ActivityRef,
      nullable: true,
      description: 'The activity; null if the caller may see the enrollment but not the activity.',
      resolve: (enrollment, _args, context) => context.loaders.activity.load(enrollment.activityId),
    }),
    teacher: t.field({
      type: TeacherRef,
      nullable: true,
      description: 'The participant; null if the caller may not see them.',
      resolve: (enrollment, _args, context) => context.loaders.teacher.load(enrollment.teacherId),
    }),
    school: t.field({
      type: OrganizationRef,
      description: 'The school the teacher was at when enrolled; it confirms their eligibility.',
      resolve: (enrollment, _args, context) =>
        context.loaders.organization.nowExisting(enrollment.schoolId),
    }),
    attendanceLocked: t.boolean({
      description:
        'True while a current confirmation covers this participant’s attendance (their school’s, or the office’s for the whole roster): new or changed records are refused as a conflict, also for sessions not yet recorded.',
      resolve: (enrollment, _args, context) => context.loaders.enrollmentLocked.load(enrollment.id),
    }),
    substitutes: t.field({
      type: EnrollmentRef,
      nullable: true,
      description: 'The rejected enrollment this one replaced, keeping the roster’s history.',
      resolve: (enrollment, _args, context) =>
        enrollment.substitutesEnrollmentId === null
          ? null
          : context.loaders.enrollment.load(enrollment.substitutesEnrollmentId),
    }),
  }),
});

builder.objectField(ActivityRef, 'enrollments', (t) =>
  t.connection(
    {
      type: EnrollmentRef,
      description: 'The roster in enrollment order, as far as the caller may see it.',
      resolve: async (activity, args, context) => {
        const { first, after } = childPageOf(args);
        const page = await context.loaders.enrollmentPageOfActivity(first, after).load(activity.id);
        for (const enrollment of page.rows)
          context.loaders.enrollment.prime(enrollment.id, enrollment);
        return connectionOf(
          page.rows,
          page.hasNextPage,
          (e) => childCursor(e.id),
          after !== null,
          () => context.loaders.enrollmentCountOfActivity.load(activity.id),
        );
      },
    },
    { name: 'EnrollmentConnection' },
    { name: 'EnrollmentEdge' },
  ),
);

builder.objectField(TeacherRef, 'enrollments', (t) =>
  t.connection(
    {
      type: EnrollmentRef,
      description:
        'Every activity the teacher was enrolled in that the caller may see, newest first.',
      resolve: async (teacher, args, context) =>
        sliceConnection(
          await context.loaders.enrollmentsOfTeacher.load(teacher.id),
          args,
          (e) => e.id,
        ),
    },
    { name: 'TeacherEnrollmentConnection' },
    { name: 'TeacherEnrollmentEdge' },
  ),
);

const EnrollmentFilterInput = builder.inputType('EnrollmentFilter', {
  description: 'Narrows an enrollment list; every field is optional and they combine with AND.',
  fields: (t) => ({
    schoolId: t.id({
      required: false,
      description: 'Only enrollments this school vouches for (its teachers at enrollment).',
    }),
    activityId: t.id({ required: false, description: 'Only the roster of this activity.' }),
    status: t.field({
      type: [EnrollmentStatusEnum],
      required: false,
      description: 'Any of these statuses; REGISTERED is the queue awaiting a school’s decision.',
    }),
  }),
});

builder.queryField('enrollments', (t) =>
  t.connection(
    {
      type: EnrollmentRef,
      description:
        'Enrollments across activities that the caller may see, oldest first. Schools see their own teachers’ enrollments; institutions and trainers the rosters they run or teach; offices those of their region and below; a teacher their own.',
      authScopes: { authenticated: true },
      args: {
        filter: t.arg({
          type: EnrollmentFilterInput,
          required: false,
          description: 'What to narrow the list to.',
        }),
      },
      resolve: async (_root, args, context) => {
        const page = pageOf(args);
        const schoolId = args.filter?.schoolId;
        const activityId = args.filter?.activityId;
        const filter: EnrollmentFilter = {
          // An unknown or malformed ID matches nothing rather than everything.
          schoolIds: schoolId == null ? null : [localIdOf(String(schoolId), 'Organization') ?? 0],
          activityIds: activityId == null ? null : [localIdOf(String(activityId), 'Activity') ?? 0],
          statuses: args.filter?.status,
        };
        const result = await rethrowCursorAsync(
          findEnrollments(context.db, context.visibility, filter, page),
        );
        for (const enrollment of result.rows)
          context.loaders.enrollment.prime(enrollment.id, enrollment);
        return connectionOf(
          result.rows,
          result.hasNextPage,
          result.cursorOf,
          page.after !== null,
          () => countEnrollments(context.db, context.visibility, filter),
        );
      },
    },
    { name: 'RootEnrollmentConnection' },
    { name: 'RootEnrollmentEdge' },
  ),
);
