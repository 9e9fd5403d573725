import type { Activity, Teacher } from '@registry/db';
import { audience, builder } from '../../builder';
import type { ReasonView } from '../../errors';
import { ActivityRef } from '../activities/activity.schema';
import { EligibilityReasonRef } from '../errors/error.schema';
import { localIdOf } from '../ids';
import { TeacherRef } from '../teachers/teacher.schema';
import { judge } from './eligibility';

interface Explanation {
  activity: Activity;
  teacher: Teacher;
  eligible: boolean;
  reasons: ReasonView[];
}

const EligibilityExplanationRef = builder.objectRef<Explanation>('EligibilityExplanation');

EligibilityExplanationRef.implement({
  extensions: audience.signedIn,
  description:
    'Whether one teacher may take part in one activity, with every reason why not (profile, seats, clashing sessions, already completed).',
  fields: (t) => ({
    eligible: t.exposeBoolean('eligible', { description: 'True when no reason stands.' }),
    reasons: t.field({
      type: [EligibilityReasonRef],
      description: 'Every condition not met, in a fixed order; empty when eligible.',
      resolve: (explanation) => explanation.reasons,
    }),
    activity: t.field({
      type: ActivityRef,
      description: 'The activity asked about.',
      resolve: (explanation) => explanation.activity,
    }),
    teacher: t.field({
      type: TeacherRef,
      description: 'The teacher asked about.',
      resolve: (explanation) => explanation.teacher,
    }),
  }),
});

builder.queryField('eligibility', (t) =>
  t.field({
    type: EligibilityExplanationRef,
    nullable: true,
    description:
      'Explains one teacher against one activity. Null when the caller cannot see the activity or the teacher. A teacher already on the roster is judged as if their own seat were free.',
    authScopes: { authenticated: true },
    args: {
      activityId: t.arg.id({ description: 'Global ID of the activity.' }),
      teacherId: t.arg.id({ description: 'Global ID of the teacher.' }),
    },
    resolve: async (_root, args, context) => {
      const activityId = localIdOf(String(args.activityId), 'Activity');
      const teacherId = localIdOf(String(args.teacherId), 'Teacher');
      if (activityId === null || teacherId === null) return null;
      const [activity, teacher] = await Promise.all([
        context.loaders.activity.load(activityId),
        context.loaders.teacher.load(teacherId),
      ]);
      if (!activity || !teacher) return null;
      const verdict = (await judge(context.db, activity, [teacherId])).verdict(teacherId);
      if (!verdict) return null;
      return { activity, teacher, ...verdict };
    },
  }),
);
