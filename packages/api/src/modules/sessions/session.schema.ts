import type { Session } from '../../loaders';
import { loadAll } from '../../loaders';
import { audience, builder } from '../../builder';
import { SessionModeEnum } from '../enums';
import { parseIntId } from '../ids';
import { TrainerRef } from '../trainers/trainer.schema';

export const SessionRef = builder.objectRef<Session>('Session');

builder.node(SessionRef, {
  extensions: audience.signedIn,
  description: 'One dated meeting or online study block of an activity.',
  id: { resolve: (session) => session.id, parse: parseIntId },
  loadMany: (ids, context) => loadAll(context.loaders.session, ids),
  fields: (t) => ({
    sequence: t.exposeInt('sequence', { description: 'Position within the activity, from 1.' }),
    title: t.exposeString('title', { description: 'What the session covers.' }),
    mode: t.expose('mode', { type: SessionModeEnum, description: 'In person or online.' }),
    startsAt: t.expose('startsAt', { type: 'DateTime', description: 'When it starts.' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', description: 'When it ends; after startsAt.' }),
    hours: t.exposeFloat('hours', { description: 'Hours of study the session is worth.' }),
    location: t.exposeString('location', {
      nullable: true,
      description: 'Where it meets; null for online blocks.',
    }),
    onlineMinMinutes: t.exposeInt('onlineMinMinutes', {
      nullable: true,
      description: 'Online blocks: minutes a teacher must study that day for it to count.',
    }),
    trainers: t.field({
      type: [TrainerRef],
      description: 'Who teaches the session, lead trainers first.',
      resolve: (session, _args, context) => context.loaders.trainersOfSession.load(session.id),
    }),
  }),
});
