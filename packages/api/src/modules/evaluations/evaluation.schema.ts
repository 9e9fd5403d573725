import { findEvaluationsByEnrollmentIds, type Evaluation } from '@registry/db';
import DataLoader from 'dataloader';
import { audience, builder } from '../../builder';
import { requestCache, type Context } from '../../context';
import { EnrollmentRef } from '../enrollments/enrollment.schema';

export const EvaluationRef = builder.objectRef<Evaluation>('Evaluation');

/** Evaluations per enrollment, batched per request and bound to the caller's visibility. */
export const evaluationOfEnrollment = requestCache(
  (context: Context) =>
    new DataLoader(async (ids: readonly number[]) => {
      const rows = new Map(
        (await findEvaluationsByEnrollmentIds(context.db, context.visibility, ids)).map((e) => [
          e.enrollmentId,
          e,
        ]),
      );
      return ids.map((id): Evaluation | null => rows.get(id) ?? null);
    }),
);

EvaluationRef.implement({
  extensions: audience.signedIn,
  description:
    'A participant’s rating of an activity after it closed, once per enrollment. Visible with the enrollment.',
  fields: (t) => ({
    rating: t.exposeInt('rating', { description: 'From 1 (poor) to 5 (excellent).' }),
    comment: t.exposeString('comment', {
      nullable: true,
      description: 'What the participant wrote, at most 2000 characters.',
    }),
    ratedAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was given.' }),
    enrollment: t.field({
      type: EnrollmentRef,
      nullable: true,
      description: 'The enrollment rated through.',
      resolve: (evaluation, _args, context) =>
        context.loaders.enrollment.load(evaluation.enrollmentId),
    }),
  }),
});

builder.objectFields(EnrollmentRef, (t) => ({
  evaluation: t.field({
    type: EvaluationRef,
    nullable: true,
    description: 'The participant’s rating of the activity, once given.',
    resolve: (enrollment, _args, context) => evaluationOfEnrollment(context).load(enrollment.id),
  }),
}));
