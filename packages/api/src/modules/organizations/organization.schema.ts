import type { CreditCategory, Organization, Region } from '../../loaders';
import { loadAll } from '../../loaders';
import { audience, builder } from '../../builder';
import { OrganizationKindEnum, RegionKindEnum } from '../enums';
import {
  countOrganizations,
  findAllCreditCategories,
  findOrganizations,
  findRegionsByParentIds,
  type OrganizationFilter,
} from '@registry/db';
import type { Context } from '../../context';
import { localIdOf, parseIntId } from '../ids';
import { connectionOf, pageOf, rethrowCursorAsync } from '../pagination';

export const RegionRef = builder.objectRef<Region>('Region');
export const OrganizationRef = builder.objectRef<Organization>('Organization');
export const CreditCategoryRef = builder.objectRef<CreditCategory>('CreditCategory');

builder.node(RegionRef, {
  // Directory and sign-in data: its root fields decide who reaches it.
  extensions: audience.anyone,
  description: 'A province, city or district. Requirement policies and activities hang here.',
  id: { resolve: (region) => region.id, parse: parseIntId },
  loadMany: (ids, context) => loadAll(context.loaders.region, ids),
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Administrative code, unique.' }),
    name: t.exposeString('name', { description: 'Name as people write it, e.g. 临江市.' }),
    kind: t.expose('kind', { type: RegionKindEnum, description: 'Level in the region tree.' }),
    parent: t.field({
      type: RegionRef,
      nullable: true,
      description: 'The region this one lies in; null for a province.',
      resolve: (region, _args, context) =>
        region.parentId === null ? null : context.loaders.region.load(region.parentId),
    }),
  }),
});

builder.node(OrganizationRef, {
  // Directory and sign-in data: its root fields decide who reaches it.
  extensions: audience.anyone,
  description: 'An education office, a training institution or a school.',
  id: { resolve: (organization) => organization.id, parse: parseIntId },
  loadMany: (ids, context) => loadAll(context.loaders.organization, ids),
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Registry code, unique.' }),
    name: t.exposeString('name', { description: 'Full name, e.g. 临江市教师发展中心.' }),
    kind: t.expose('kind', {
      type: OrganizationKindEnum,
      description: 'What the organization is.',
    }),
    isRural: t.exposeBoolean('isRural', {
      nullable: true,
      description: 'Schools only: whether the school is rural.',
    }),
    region: t.field({
      type: RegionRef,
      description: 'The region the organization belongs to.',
      resolve: async (organization, _args, context) =>
        (await context.loaders.region.load(organization.regionId))!,
    }),
  }),
});

builder.objectType(CreditCategoryRef, {
  extensions: audience.signedIn,
  description:
    'A credit category such as school-based study; requirement minimums and caps are per category.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code, e.g. school_based.' }),
    nameEn: t.exposeString('nameEn', { description: 'Name in English.' }),
    nameZh: t.exposeString('nameZh', { description: 'Name in Simplified Chinese.' }),
  }),
});

const OrganizationFilterInput = builder.inputType('OrganizationFilter', {
  description: 'Narrows the organization directory; fields combine with AND.',
  fields: (t) => ({
    kind: t.field({
      type: [OrganizationKindEnum],
      required: false,
      description: 'Any of these kinds.',
    }),
    regionId: t.id({
      required: false,
      description: 'Only organizations in this region or below it.',
    }),
    search: t.string({
      required: false,
      description: 'Text contained in the name or code; Chinese works as typed.',
    }),
  }),
});

builder.queryField('organizations', (t) =>
  t.connection(
    {
      type: OrganizationRef,
      description:
        'The directory of offices, institutions and schools, by name then id. Public to every signed-in caller: nothing in it is personal.',
      authScopes: { authenticated: true },
      args: {
        filter: t.arg({
          type: OrganizationFilterInput,
          required: false,
          description: 'What to narrow the list to.',
        }),
      },
      resolve: async (_root, args, context) => {
        const page = pageOf(args);
        const regionId = args.filter?.regionId;
        const region = regionId == null ? null : await regionOf(String(regionId), context);
        const filter: OrganizationFilter = {
          kinds: args.filter?.kind,
          search: args.filter?.search,
          // An unknown region matches nothing rather than everything.
          regionPath: regionId == null ? null : (region?.path ?? '/none/'),
        };
        const result = await rethrowCursorAsync(findOrganizations(context.db, filter, page));
        for (const organization of result.rows)
          context.loaders.organization.prime(organization.id, organization);
        return connectionOf(
          result.rows,
          result.hasNextPage,
          result.cursorOf,
          page.after !== null,
          () => countOrganizations(context.db, filter),
        );
      },
    },
    { name: 'OrganizationConnection' },
    { name: 'OrganizationEdge' },
  ),
);

builder.queryField('regions', (t) =>
  t.field({
    type: [RegionRef],
    description:
      'The region tree one level at a time: the children of a region, or the top regions without one.',
    authScopes: { authenticated: true },
    args: {
      parentId: t.arg.id({ required: false, description: 'Region whose children to list.' }),
    },
    resolve: async (_root, args, context) => {
      if (args.parentId == null) return findRegionsByParentIds(context.db, [null]);
      const parent = await regionOf(String(args.parentId), context);
      return parent ? findRegionsByParentIds(context.db, [parent.id]) : [];
    },
  }),
);

builder.objectField(RegionRef, 'children', (t) =>
  t.field({
    type: [RegionRef],
    description: 'Regions directly below this one, by code.',
    resolve: (region, _args, context) => context.loaders.regionChildren.load(region.id),
  }),
);

builder.queryField('creditCategories', (t) =>
  t.field({
    type: [CreditCategoryRef],
    description: 'Every credit category, by code.',
    authScopes: { authenticated: true },
    resolve: (_root, _args, context) => findAllCreditCategories(context.db),
  }),
);

/** The region a global ID names, or null when malformed, of another type or unknown. */
export async function regionOf(globalId: string, context: Context): Promise<Region | null> {
  const id = localIdOf(globalId, 'Region');
  return id === null ? null : context.loaders.region.load(id);
}
