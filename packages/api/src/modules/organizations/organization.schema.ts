import type { CreditCategory, Organization, Region } from '../../loaders';
import { loadAll } from '../../loaders';
import { builder } from '../../builder';
import { OrganizationKindEnum, RegionKindEnum } from '../enums';
import { parseIntId } from '../ids';

export const RegionRef = builder.objectRef<Region>('Region');
export const OrganizationRef = builder.objectRef<Organization>('Organization');
export const CreditCategoryRef = builder.objectRef<CreditCategory>('CreditCategory');

builder.node(RegionRef, {
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
  description:
    'A credit category such as school-based study; requirement minimums and caps are per category.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code, e.g. school_based.' }),
    nameEn: t.exposeString('nameEn', { description: 'Name in English.' }),
    nameZh: t.exposeString('nameZh', { description: 'Name in Simplified Chinese.' }),
  }),
});
