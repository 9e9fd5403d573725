import type { OrganizationKind, RegionKind } from '@registry/domain';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../generated/database';
import { compiledByIds, compiledOnce } from './compiled-once';

export interface Organization {
  id: number;
  kind: OrganizationKind;
  code: string;
  name: string;
  regionId: number;
  stages: string[];
  isRural: boolean | null;
}

export interface Region {
  id: number;
  parentId: number | null;
  code: string;
  name: string;
  kind: RegionKind;
  path: string;
}

export interface CreditCategory {
  code: string;
  nameEn: string;
  nameZh: string;
}

export async function findOrganizationsByIds(
  db: Kysely<DB>,
  ids: ReadonlyArray<number>,
): Promise<Organization[]> {
  if (ids.length === 0) return [];
  const rows = await organizationsByIds(db, null, ids);
  return rows.map(toOrganization);
}

const organizationsByIds = compiledByIds({
  build: (db, anyId) => db.selectFrom('organizations').selectAll().where('id', '=', anyId),
});

export function toOrganization(row: {
  id: number;
  kind: string;
  code: string;
  name: string;
  region_id: number;
  stages: string[];
  is_rural: boolean | null;
}): Organization {
  return {
    id: row.id,
    kind: row.kind as OrganizationKind,
    code: row.code,
    name: row.name,
    regionId: row.region_id,
    stages: row.stages,
    isRural: row.is_rural,
  };
}

/**
 * An organization's columns beside another table's row, prefixed with the join's alias (an
 * activity's provider, a teacher's school): one primary-key join instead of a second round
 * trip, the row handed to the organization loader by the caller.
 */
export function organizationColumns<A extends string>(alias: A) {
  return [
    `${alias}.kind as ${alias}_kind`,
    `${alias}.code as ${alias}_code`,
    `${alias}.name as ${alias}_name`,
    `${alias}.region_id as ${alias}_region_id`,
    `${alias}.stages as ${alias}_stages`,
    `${alias}.is_rural as ${alias}_is_rural`,
  ] as const;
}

/** The organization selected by organizationColumns(alias), its id from the joining row. */
export function organizationAt(alias: string, id: number, row: object): Organization {
  const column = row as Record<string, unknown>;
  return toOrganization({
    id,
    kind: column[`${alias}_kind`] as string,
    code: column[`${alias}_code`] as string,
    name: column[`${alias}_name`] as string,
    region_id: column[`${alias}_region_id`] as number,
    stages: column[`${alias}_stages`] as string[],
    is_rural: column[`${alias}_is_rural`] as boolean | null,
  });
}

export async function findRegionsByIds(
  db: Kysely<DB>,
  ids: ReadonlyArray<number>,
): Promise<Region[]> {
  if (ids.length === 0) return [];
  const rows = await regionsByIds(db, null, ids);
  return rows.map((row) => ({
    id: row.id,
    parentId: row.parent_id,
    code: row.code,
    name: row.name,
    kind: row.kind as RegionKind,
    path: row.path,
  }));
}

export async function findCreditCategoriesByCodes(
  db: Kysely<DB>,
  codes: ReadonlyArray<string>,
): Promise<CreditCategory[]> {
  if (codes.length === 0) return [];
  const rows = await creditCategoriesByCodes(db, null, { codes: [...codes] });
  return rows.map((row) => ({ code: row.code, nameEn: row.name_en, nameZh: row.name_zh }));
}

export async function findAllCreditCategories(db: Kysely<DB>): Promise<CreditCategory[]> {
  const rows = await db.selectFrom('credit_categories').selectAll().orderBy('code').execute();
  return rows.map((row) => ({ code: row.code, nameEn: row.name_en, nameZh: row.name_zh }));
}

const creditCategoriesByCodes = compiledOnce({
  placeholders: ['codes'],
  build: (db, p) =>
    db
      .selectFrom('credit_categories')
      .selectAll()
      .where('code', '=', sql<string>`any(${p.codes}::text[])`),
});

const regionsByIds = compiledByIds({
  build: (db, anyId) => db.selectFrom('regions').selectAll().where('id', '=', anyId),
});
