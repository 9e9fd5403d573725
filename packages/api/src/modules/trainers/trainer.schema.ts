import { countTrainers, findTrainers, type TrainerFilter } from '@registry/db';
import type { Trainer } from '../../loaders';
import { loadAll } from '../../loaders';
import { audience, builder } from '../../builder';
import { TrainerKindEnum } from '../enums';
import { localIdOf, parseIntId } from '../ids';
import { OrganizationRef } from '../organizations/organization.schema';
import { connectionOf, pageOf, rethrowCursorAsync } from '../pagination';

export const TrainerRef = builder.objectRef<Trainer>('Trainer');

builder.node(TrainerRef, {
  extensions: audience.signedIn,
  description:
    'A person who teaches or tutors: expert, famous teacher, backbone teacher or mentor.',
  id: { resolve: (trainer) => trainer.id, parse: parseIntId },
  loadMany: (ids, context) => loadAll(context.loaders.trainer, ids),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'Full name.' }),
    kind: t.expose('kind', { type: TrainerKindEnum, description: 'What kind of trainer.' }),
    title: t.exposeString('title', {
      nullable: true,
      description: 'Professional title, e.g. 正高级教师.',
    }),
    organization: t.field({
      type: OrganizationRef,
      nullable: true,
      description: 'The institution or school the trainer teaches for; null for independents.',
      resolve: (trainer, _args, context) =>
        trainer.organizationId === null
          ? null
          : context.loaders.organization.load(trainer.organizationId),
    }),
  }),
});

const TrainerFilterInput = builder.inputType('TrainerFilter', {
  description: 'Narrows a trainer list; every field is optional and they combine with AND.',
  fields: (t) => ({
    search: t.string({
      required: false,
      description: 'Part of the name; Chinese works as typed.',
    }),
    organizationId: t.id({
      required: false,
      description: 'Only trainers of this institution or school.',
    }),
  }),
});

builder.queryField('trainers', (t) =>
  t.connection(
    {
      type: TrainerRef,
      description:
        'Trainers the caller may list, by name then id. Institution and school admins see their own organization’s trainers; offices the trainers of organizations in their region and below; a trainer or teacher account its own trainer record; platform admins all.',
      authScopes: { authenticated: true },
      args: {
        filter: t.arg({
          type: TrainerFilterInput,
          required: false,
          description: 'What to narrow the list to.',
        }),
      },
      resolve: async (_root, args, context) => {
        const page = pageOf(args);
        const organizationId = args.filter?.organizationId;
        const filter: TrainerFilter = {
          search: args.filter?.search,
          // An unknown or malformed organization ID matches nothing rather than everything.
          organizationIds:
            organizationId == null
              ? null
              : [localIdOf(String(organizationId), 'Organization') ?? 0],
        };
        const result = await rethrowCursorAsync(
          findTrainers(context.db, context.visibility, filter, page),
        );
        for (const trainer of result.rows) context.loaders.trainer.prime(trainer.id, trainer);
        return connectionOf(
          result.rows,
          result.hasNextPage,
          result.cursorOf,
          page.after !== null,
          () => countTrainers(context.db, context.visibility, filter),
        );
      },
    },
    { name: 'TrainerConnection' },
    { name: 'TrainerEdge' },
  ),
);
