import type { Confirmation } from '../../loaders';
import { loadAll } from '../../loaders';
import { audience, builder } from '../../builder';
import { parseIntId } from '../ids';
import { ActivityRef } from '../activities/activity.schema';
import { ConfirmationLevelEnum } from '../enums';
import { OrganizationRef } from '../organizations/organization.schema';

export const ConfirmationRef = builder.objectRef<Confirmation>('Confirmation');

builder.node(ConfirmationRef, {
  extensions: audience.signedIn,
  id: { resolve: (confirmation) => confirmation.id, parse: parseIntId },
  loadMany: (ids, context) => loadAll(context.loaders.confirmation, ids),
  description:
    'One link of an activity’s confirmation chain: a school confirming its own teachers’ attendance, then the education office confirming the roster. An amendment supersedes it with a new revision.',
  fields: (t) => ({
    level: t.expose('level', { type: ConfirmationLevelEnum, description: 'School or office.' }),
    revision: t.exposeInt('revision', {
      description: 'Counts up with every amendment of the chain.',
    }),
    confirmedAt: t.expose('confirmedAt', {
      type: 'DateTime',
      description: 'When it was confirmed.',
    }),
    supersededAt: t.expose('supersededAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When an amendment replaced it; null while it stands.',
    }),
    note: t.exposeString('note', { nullable: true, description: 'What the confirmer noted.' }),
    organization: t.field({
      type: OrganizationRef,
      description: 'The school or office that confirmed.',
      resolve: async (confirmation, _args, context) =>
        (await context.loaders.organization.load(confirmation.organizationId))!,
    }),
  }),
});

builder.objectField(ActivityRef, 'confirmations', (t) =>
  t.field({
    type: [ConfirmationRef],
    description: 'The confirmation chain in the order it was signed, superseded links included.',
    resolve: (activity, _args, context) =>
      context.loaders.confirmationsOfActivity.load(activity.id),
  }),
);
