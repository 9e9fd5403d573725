import type { RequirementPolicy } from '../../loaders';
import { loadAll } from '../../loaders';
import { audience, builder } from '../../builder';
import { parseIntId } from '../ids';
import { RegionRef, regionOf } from '../organizations/organization.schema';

export const RequirementPolicyRef = builder.objectRef<RequirementPolicy>('RequirementPolicy');

const CategoryHoursRef = builder.objectRef<{ category: string; hours: number }>(
  'CategoryHoursRule',
);
CategoryHoursRef.implement({
  extensions: audience.signedIn,
  description: 'Hours set for one credit category by a policy.',
  fields: (t) => ({
    category: t.exposeString('category', { description: 'Credit category code.' }),
    hours: t.exposeFloat('hours', { description: 'Hours.' }),
  }),
});

const ConversionFactorRef = builder.objectRef<{ key: string; factor: number }>('ConversionFactor');
ConversionFactorRef.implement({
  extensions: audience.signedIn,
  description: 'How awarded hours of one kind convert into credit hours under a policy.',
  fields: (t) => ({
    key: t.exposeString('key', {
      description: 'What the factor applies to, e.g. a delivery mode or level.',
    }),
    factor: t.exposeFloat('factor', {
      description: 'Multiplier applied to the activity’s credit hours.',
    }),
  }),
});

const entries = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, hours]) => ({ category, hours }));

builder.node(RequirementPolicyRef, {
  extensions: audience.signedIn,
  id: { resolve: (policy) => policy.id, parse: parseIntId },
  loadMany: (ids, context) => loadAll(context.loaders.requirementPolicy, ids),
  description:
    'What a region requires of its teachers in one cycle: total credit hours, minimums and caps per category, and how hours convert.',
  fields: (t) => ({
    name: t.exposeString('name', {
      description: 'Name of the policy, e.g. 临江市“十四五”教师继续教育学分管理办法.',
    }),
    cycleStartsOn: t.expose('cycleStartsOn', {
      type: 'Date',
      description: 'First day of the cycle.',
    }),
    cycleEndsOn: t.expose('cycleEndsOn', { type: 'Date', description: 'Last day of the cycle.' }),
    totalHours: t.exposeFloat('totalHours', {
      description: 'Credit hours required over the cycle.',
    }),
    yearlyCap: t.exposeFloat('yearlyCap', {
      nullable: true,
      description: 'Most hours that count in one calendar year; null for no cap.',
    }),
    categoryMinimums: t.field({
      type: [CategoryHoursRef],
      description: 'Hours required in particular categories.',
      resolve: (policy) => entries(policy.categoryMinimums),
    }),
    categoryCaps: t.field({
      type: [CategoryHoursRef],
      description: 'Most hours that count in particular categories.',
      resolve: (policy) => entries(policy.categoryCaps),
    }),
    conversionFactors: t.field({
      type: [ConversionFactorRef],
      description: 'Conversion of awarded hours into credit hours.',
      resolve: (policy) =>
        Object.entries(policy.conversionFactors)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, factor]) => ({ key, factor })),
    }),
    region: t.field({
      type: RegionRef,
      description: 'The region that set the policy.',
      resolve: async (policy, _args, context) =>
        (await context.loaders.region.load(policy.regionId))!,
    }),
  }),
});

builder.queryField('requirementPolicies', (t) =>
  t.field({
    type: [RequirementPolicyRef],
    description:
      'Policies that bind teachers of a region — its own and those of the regions above it — newest cycle first. Public to every signed-in caller.',
    authScopes: { authenticated: true },
    args: { regionId: t.arg.id({ description: 'The region whose teachers are bound.' }) },
    resolve: async (_root, args, context) => {
      const region = await regionOf(String(args.regionId), context);
      return region ? context.loaders.policiesForRegion.load(region.id) : [];
    },
  }),
);
