import {
  appendAudit,
  countSessionsOfActivity,
  lockActivity,
  setActivityStatus,
  type Activity,
} from '@registry/db';
import {
  activityActions,
  describeLifecycleRefusal,
  transition,
  type ActivityAction,
} from '@registry/domain';
import { builder } from '../../builder';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors';
import { localIdOf } from '../ids';
import { bilingual } from '../validation';
import { actorFor } from './activity-actor';
import { ActivityRef } from './activity.schema';

/** Crediting writes awards, so it happens only through the office's roster confirmation. */
const actionsHere = activityActions.filter((action) => action !== 'credit');

const ActivityActionEnum = builder.enumType('ActivityAction', {
  description:
    'A step of the activity lifecycle: draft → submitted → approved or rejected → open → in progress → closed → credited → archived.',
  values: Object.fromEntries(
    actionsHere.map((action) => [
      action.toUpperCase(),
      { value: action, description: `The "${action}" step.` },
    ]),
  ) as unknown as Record<
    Uppercase<Exclude<ActivityAction, 'credit'>>,
    { value: Exclude<ActivityAction, 'credit'> }
  >,
});

const TransitionActivityInput = builder.inputType('TransitionActivityInput', {
  description: 'One lifecycle step for one activity.',
  fields: (t) => ({
    activityId: t.id({ description: 'Global ID of the activity.' }),
    action: t.field({ type: ActivityActionEnum, description: 'The step to take.' }),
    reason: t.string({
      required: false,
      description: 'Why; required to reject (shown to the provider), at most 1000 characters.',
    }),
    version: t.int({
      required: false,
      description:
        'The version you saw; when given, the step is refused if the activity changed since.',
    }),
  }),
});

builder.mutationField('transitionActivity', (t) =>
  t.field({
    type: ActivityRef,
    description:
      'Takes one lifecycle step: providers submit, open, start and close their activities; the education office of the region approves, rejects (with a reason) and archives. Crediting happens when the office confirms the roster.',
    authScopes: { authenticated: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: {
      input: t.arg({ type: TransitionActivityInput, description: 'The activity and the step.' }),
    },
    resolve: async (_root, { input }, context): Promise<Activity> => {
      const id = localIdOf(input.activityId, 'Activity');
      const notFound = new NotFoundError(bilingual('The activity|该活动'));
      const visible = id === null ? null : await context.loaders.activity.load(id);
      if (id === null || !visible) throw notFound;
      // Before the transaction: loaders read through context.db, and PGlite has one connection,
      // which the transaction holds. Provider and region do not change under a lifecycle step.
      const actor = await actorFor(context, visible);
      return context.db.transaction().execute(async (trx) => {
        // Locked, so two concurrent steps serialize and the second sees the first's result.
        const before = await lockActivity(trx, id);
        if (!before) throw notFound;
        if (input.version != null && input.version !== before.version) {
          throw new ConflictError(
            bilingual(
              'Someone changed this activity after you opened it; reload and try again.|该活动已被他人修改，请刷新后重试。',
            ),
          );
        }
        const decision = transition(before.status, input.action, actor, input.reason);
        if (!decision.ok) {
          const { refusal } = decision;
          const localized = {
            en: describeLifecycleRefusal(refusal, 'en'),
            'zh-CN': describeLifecycleRefusal(refusal, 'zh-CN'),
          };
          if (refusal.code === 'NOT_ALLOWED_FOR_ROLE') throw new ForbiddenError(localized);
          if (refusal.code === 'ILLEGAL_TRANSITION') throw new ConflictError(localized);
          throw new ValidationError([{ path: ['input', 'reason'], localized }]);
        }
        if (input.action === 'submit' && (await countSessionsOfActivity(trx, id)) === 0) {
          throw new ValidationError([
            {
              path: ['input', 'activityId'],
              localized: bilingual(
                'has no sessions; add at least one before submitting|尚无课次，提交前请至少添加一个课次',
              ),
            },
          ]);
        }
        const after = await setActivityStatus(trx, id, decision.status, decision.reason);
        await appendAudit(trx, {
          actorId: context.viewer?.id ?? null,
          action: `activity.${input.action}`,
          entityType: 'activity',
          entityId: id,
          before,
          after,
          requestId: context.requestId,
        });
        context.loaders.activity.clear(id).prime(id, after);
        return after;
      });
    },
  }),
);
