import { insertEvaluation, type Evaluation } from '@registry/db';
import type { ActivityStatus } from '@registry/domain';
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
import { EvaluationRef } from './evaluation.schema';

/** An activity can be rated once it has closed: the participant has seen all of it. */
const ratableStatuses: readonly ActivityStatus[] = ['closed', 'credited', 'archived'];

/** Enrollments that took part; a rejected, replaced or withdrawn teacher did not. */
const nonParticipants = new Set(['eligibility_rejected', 'substituted', 'withdrawn']);

const maxCommentLength = 2000;

const RateActivityInput = builder.inputType('RateActivityInput', {
  description: 'A participant’s rating of an activity they took part in, after it closed.',
  fields: (t) => ({
    enrollmentId: t.id({ description: 'Global ID of your enrollment in the activity.' }),
    rating: t.int({ description: 'From 1 (poor) to 5 (excellent).' }),
    comment: t.string({
      required: false,
      description: 'What you want the provider to know, at most 2000 characters.',
    }),
  }),
});

builder.mutationField('rateActivity', (t) =>
  t.field({
    type: EvaluationRef,
    description:
      'Rates an activity once it has closed. Only the teacher of the enrollment, once per enrollment.',
    authScopes: { teacher: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: RateActivityInput, description: 'The rating.' }) },
    resolve: async (_root, { input }, context): Promise<Evaluation> => {
      const issues: FieldIssue[] = [];
      const enrollmentId = localIdOf(input.enrollmentId, 'Enrollment');
      if (enrollmentId === null) {
        issues.push({
          path: ['input', 'enrollmentId'],
          localized: bilingual('is not the ID of an enrollment|不是有效的参训记录ID'),
        });
      }
      if (!Number.isInteger(input.rating) || input.rating < 1 || input.rating > 5) {
        issues.push({
          path: ['input', 'rating'],
          localized: bilingual('must be a whole number from 1 to 5|必须是1至5的整数'),
        });
      }
      const comment = input.comment?.trim() || null;
      // Counted in characters as PostgreSQL's length() counts them, not UTF-16 units.
      if (comment !== null && [...comment].length > maxCommentLength) {
        issues.push({
          path: ['input', 'comment'],
          localized: bilingual(
            `must be at most ${maxCommentLength} characters|最多${maxCommentLength}个字符`,
          ),
        });
      }
      if (issues.length || enrollmentId === null) throw new ValidationError(issues);

      const notFound = new NotFoundError(bilingual('The enrollment|该参训记录'));
      const enrollment = await context.loaders.enrollment.load(enrollmentId);
      if (!enrollment) throw notFound;
      const teacherId = context.viewer?.teacherId ?? null;
      if (teacherId === null || enrollment.teacherId !== teacherId) {
        throw new ForbiddenError(
          bilingual(
            'Only the teacher of the enrollment may rate the activity.|仅参训教师本人可以评价该活动。',
          ),
        );
      }
      if (nonParticipants.has(enrollment.status)) {
        throw new ForbiddenError(
          bilingual('Only participants may rate the activity.|仅实际参训的教师可以评价该活动。'),
        );
      }
      const activity = await context.loaders.activity.load(enrollment.activityId);
      if (!activity) throw notFound;
      if (!ratableStatuses.includes(activity.status)) {
        throw new ConflictError(
          bilingual('The activity can be rated once it has closed.|活动结束后才能评价。'),
        );
      }

      return context.db.transaction().execute(async (trx) => {
        const evaluation = await insertEvaluation(trx, {
          enrollmentId,
          rating: input.rating,
          comment,
        });
        if (!evaluation) {
          throw new ConflictError(
            bilingual(
              'You have already rated this activity.|您已评价过该活动，每次参训只能评价一次。',
            ),
          );
        }
        await auditChange(context, trx, 'evaluation.created', 'evaluation', evaluation.id, null, {
          ...evaluation,
          activityId: enrollment.activityId,
        });
        return evaluation;
      });
    },
  }),
);
