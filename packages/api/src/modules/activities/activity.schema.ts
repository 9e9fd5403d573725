import {
  countActivities,
  findActivities,
  InvalidCursorError,
  maxPageSize,
  type ActivityFilter,
} from '@registry/db';
import { GraphQLError } from 'graphql';
import type { Activity } from '../../loaders';
import { loadAll } from '../../loaders';
import { audience, builder } from '../../builder';
import { ActivityLevelEnum, ActivityStatusEnum, DeliveryModeEnum } from '../enums';
import { localIdOf, parseIntId } from '../ids';
import { connectionOf } from '../pagination';
import {
  CreditCategoryRef,
  OrganizationRef,
  RegionRef,
  regionOf,
} from '../organizations/organization.schema';
import { SessionRef } from '../sessions/session.schema';
import { CompletionRulesRef, EligibilityRulesRef } from './activity-rules.schema';
import { selectsAnyOf } from '../selection';

/** Activity.sessions reads the sessions' trainers with them when they are asked for. */
const trainersField: ReadonlySet<string> = new Set(['trainers']);

export const ActivityRef = builder.objectRef<Activity>('Activity');

builder.node(ActivityRef, {
  extensions: audience.signedIn,
  description:
    'A registered training activity: a course, programme, workshop, mentoring pair or open class.',
  id: { resolve: (activity) => activity.id, parse: parseIntId },
  loadMany: (ids, context) => loadAll(context.loaders.activity, ids),
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Registry code, unique.' }),
    title: t.exposeString('title', { description: 'Title as shown to teachers.' }),
    description: t.exposeString('description', { description: 'What the activity offers.' }),
    status: t.expose('status', { type: ActivityStatusEnum, description: 'Lifecycle status.' }),
    level: t.expose('level', { type: ActivityLevelEnum, description: 'Who runs it.' }),
    deliveryMode: t.expose('deliveryMode', {
      type: DeliveryModeEnum,
      description: 'How it is delivered.',
    }),
    creditHours: t.exposeFloat('creditHours', {
      description: 'Credit hours a completed participant is awarded before conversion.',
    }),
    capacity: t.exposeInt('capacity', {
      nullable: true,
      description: 'Most participants it takes; null for no limit.',
    }),
    selfEnrollment: t.exposeBoolean('selfEnrollment', {
      description: 'Whether teachers may register themselves.',
    }),
    startsOn: t.expose('startsOn', { type: 'Date', description: 'First day.' }),
    endsOn: t.expose('endsOn', { type: 'Date', description: 'Last day.' }),
    category: t.field({
      type: CreditCategoryRef,
      description: 'The credit category its hours count toward.',
      resolve: async (activity, _args, context) =>
        (await context.loaders.creditCategory.load(activity.category))!,
    }),
    provider: t.field({
      type: OrganizationRef,
      description: 'The training institution or school that runs it.',
      resolve: (activity, _args, context) =>
        context.loaders.organization.nowExisting(activity.providerId),
    }),
    region: t.field({
      type: RegionRef,
      description: 'Where it is offered; that region’s education office approves it.',
      resolve: async (activity, _args, context) =>
        (await context.loaders.region.load(activity.regionId))!,
    }),
    version: t.exposeInt('version', {
      description: 'Bumped by every change; send it back with updateActivity.',
    }),
    rejectionReason: t.exposeString('rejectionReason', {
      nullable: true,
      description: 'Why the office rejected it, while rejected.',
    }),
    eligibilityRules: t.field({
      type: EligibilityRulesRef,
      description: 'Who may take part.',
      resolve: (activity) => activity.eligibilityRules,
    }),
    completionRules: t.field({
      type: CompletionRulesRef,
      description: 'What completes.',
      resolve: (activity) => activity.completionRules,
    }),
    sessions: t.field({
      type: [SessionRef],
      description: 'Its sessions in order.',
      resolve: (activity, _args, context, info) =>
        (selectsAnyOf(info, trainersField)
          ? context.loaders.sessionsWithTrainersOfActivity
          : context.loaders.sessionsOfActivity
        ).load(activity.id),
    }),
  }),
});

builder.objectField(SessionRef, 'activity', (t) =>
  t.field({
    type: ActivityRef,
    description: 'The activity the session belongs to.',
    resolve: async (session, _args, context) => {
      // Whoever sees a session sees its activity (sessionVisible implies activityVisible: a
      // trainer of the session reaches the activity through session_trainers), so a miss here
      // is a broken invariant, not an invisible row.
      const activity = await context.loaders.activity.load(session.activityId);
      if (!activity) throw new Error(`session ${session.id}: activity not visible`);
      return activity;
    },
  }),
);

const ActivityFilterInput = builder.inputType('ActivityFilter', {
  description: 'Narrows an activity list; every field is optional and they combine with AND.',
  fields: (t) => ({
    search: t.string({
      required: false,
      description: 'Text contained in the title or code; Chinese works as typed.',
    }),
    status: t.field({
      type: [ActivityStatusEnum],
      required: false,
      description: 'Any of these statuses.',
    }),
    deliveryMode: t.field({
      type: [DeliveryModeEnum],
      required: false,
      description: 'Any of these modes.',
    }),
    level: t.field({
      type: [ActivityLevelEnum],
      required: false,
      description: 'Any of these levels.',
    }),
    regionId: t.id({
      required: false,
      description: 'Offered in this region or a region below it.',
    }),
    providerId: t.id({ required: false, description: 'Run by this institution or school.' }),
    category: t.stringList({
      required: false,
      description: 'In any of these credit categories (codes).',
    }),
    startsFrom: t.field({ type: 'Date', required: false, description: 'Starting on or after.' }),
    startsTo: t.field({ type: 'Date', required: false, description: 'Starting on or before.' }),
  }),
});

builder.queryField('activities', (t) =>
  t.connection(
    {
      type: ActivityRef,
      description:
        'Activities the caller may see, newest first (by start date, then id). Offices see their region and below; institutions their own; schools and teachers what is published in their region or what they take part in.',
      authScopes: { authenticated: true },
      args: {
        filter: t.arg({
          type: ActivityFilterInput,
          required: false,
          description: 'What to narrow the list to.',
        }),
      },
      resolve: async (_root, args, context) => {
        if (args.last != null || args.before != null) {
          throw new GraphQLError('Only forward pagination (first/after) is supported', {
            extensions: { code: 'BAD_USER_INPUT' },
          });
        }
        const first = args.first ?? 20;
        if (first < 0 || first > maxPageSize) {
          throw new GraphQLError(`first must be between 0 and ${maxPageSize}`, {
            extensions: { code: 'BAD_USER_INPUT', field: 'first' },
          });
        }
        const regionId = args.filter?.regionId;
        const region = regionId == null ? null : await regionOf(String(regionId), context);
        const providerId = args.filter?.providerId;
        const filter: ActivityFilter = {
          // An unknown region or provider matches nothing rather than everything.
          regionPath: regionId == null ? null : (region?.path ?? '/none/'),
          providerIds:
            providerId == null ? null : [localIdOf(String(providerId), 'Organization') ?? 0],
          categories: args.filter?.category,
          search: args.filter?.search,
          statuses: args.filter?.status,
          deliveryModes: args.filter?.deliveryMode,
          levels: args.filter?.level,
          startsFrom: args.filter?.startsFrom,
          startsTo: args.filter?.startsTo,
        };
        const page = await findActivities(context.db, context.visibility, filter, {
          first,
          after: args.after,
        }).catch((error: unknown) => {
          if (error instanceof InvalidCursorError) {
            throw new GraphQLError('after is not a cursor from this list', {
              extensions: { code: 'BAD_USER_INPUT', field: 'after' },
            });
          }
          throw error;
        });
        for (const activity of page.rows) context.loaders.activity.prime(activity.id, activity);
        for (const provider of page.providers)
          context.loaders.organization.prime(provider.id, provider);
        return connectionOf(page.rows, page.hasNextPage, page.cursorOf, Boolean(args.after), () =>
          countActivities(context.db, context.visibility, filter),
        );
      },
    },
    { name: 'ActivityConnection' },
    { name: 'ActivityEdge' },
  ),
);
