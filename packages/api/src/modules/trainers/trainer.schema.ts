import type { Trainer } from '../../loaders';
import { loadAll } from '../../loaders';
import { builder } from '../../builder';
import { TrainerKindEnum } from '../enums';
import { parseIntId } from '../ids';

export const TrainerRef = builder.objectRef<Trainer>('Trainer');

builder.node(TrainerRef, {
  authScopes: { authenticated: true },
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
  }),
});
