import { childCursor } from '@registry/db';
import type { Enrollment } from '../../loaders';
import { loadAll } from '../../loaders';
import { builder } from '../../builder';
import { ActivityRef } from '../activities/activity.schema';
import { AssessmentResultEnum, EnrollmentSourceEnum, EnrollmentStatusEnum } from '../enums';
import { parseIntId } from '../ids';
import { OrganizationRef } from '../organizations/organization.schema';
import { childPageOf, connectionOf, sliceConnection } from '../pagination';
import { TeacherRef } from '../teachers/teacher.schema';

export const EnrollmentRef = builder.objectRef<Enrollment>('Enrollment');

builder.node(EnrollmentRef, {
  authScopes: { authenticated: true },
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
      resolve: async (enrollment, _args, context) =>
        (await context.loaders.organization.load(enrollment.schoolId))!,
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
