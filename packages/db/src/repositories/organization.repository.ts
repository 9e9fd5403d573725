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
