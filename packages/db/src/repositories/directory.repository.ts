import type { ConfirmationLevel, OrganizationKind } from '@registry/domain';
import { categoryHoursSchema, conversionFactorsSchema } from '@registry/domain';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Confirmations, DB, RequirementPolicies } from '../generated/database';
import { containsPattern } from './activity.repository';
import { compiledByIds } from './compiled-once';
import type { Organization, Region } from './organization.repository';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from './pagination';
import { activityVisible, type Visibility } from './visibility';

/**
 * The directory — regions, organizations, requirement policies — is public to every signed-in
 * caller: a school must find the institution that runs a course, a teacher the rules that apply
 * to them. Nothing in it is personal.
 */
export interface OrganizationFilter {
  kinds?: ReadonlyArray<OrganizationKind> | null | undefined;
  /** Region subtree by materialized path, e.g. '/1/4/'. */
  regionPath?: string | null | undefined;
  search?: string | null | undefined;
}

function organizationsFiltered(db: Kysely<DB>, filter: OrganizationFilter) {
  let query = db.selectFrom('organizations');
  if (filter.kinds?.length) query = query.where('organizations.kind', 'in', filter.kinds);
  if (filter.regionPath) {
    const path = `${filter.regionPath}%`;
    query = query.where((eb) =>
      eb(
        'organizations.region_id',
        'in',
        eb.selectFrom('regions').select('regions.id').where('regions.path', 'like', path),
      ),
    );
  }
  const search = filter.search?.trim();
  if (search) {
    const pattern = containsPattern(search);
    query = query.where((eb) =>
      eb.or([
        eb('organizations.name', 'ilike', pattern),
        eb('organizations.code', 'ilike', pattern),
      ]),
    );
  }
  return query;
}

export async function findOrganizations(
  db: Kysely<DB>,
  filter: OrganizationFilter,
  page: PageRequest,
): Promise<Page<Organization>> {
  let query = organizationsFiltered(db, filter).selectAll('organizations');
  if (page.after) {
    const [name, id] = decodeCursor(page.after, ['string', 'number']) as [string, number];
    query = query.where(
      sql<boolean>`(organizations.name, organizations.id) > (${name}, ${id}::int)`,
    );
  }
  const rows = await query
    .orderBy('organizations.name')
    .orderBy('organizations.id')
    .limit(page.first + 1)
    .execute();
  return {
    rows: rows.slice(0, page.first).map((row) => ({
      id: row.id,
      kind: row.kind as OrganizationKind,
      code: row.code,
      name: row.name,
      regionId: row.region_id,
      stages: row.stages,
      isRural: row.is_rural,
    })),
    hasNextPage: rows.length > page.first,
    cursorOf: (o) => encodeCursor([o.name, o.id]),
  };
}

export async function countOrganizations(
  db: Kysely<DB>,
  filter: OrganizationFilter,
): Promise<number> {
  const row = await organizationsFiltered(db, filter)
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Children of a region (or the roots), by code. */
export async function findRegionsByParentIds(
  db: Kysely<DB>,
  parentIds: ReadonlyArray<number | null>,
): Promise<Region[]> {
  const ids = parentIds.filter((id): id is number => id !== null);
  const rows = await db
    .selectFrom('regions')
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(ids.length ? [eb('parent_id', 'in', ids)] : []),
        ...(parentIds.includes(null) ? [eb('parent_id', 'is', null)] : []),
      ]),
    )
    .orderBy('code')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    parentId: row.parent_id,
    code: row.code,
    name: row.name,
    kind: row.kind as Region['kind'],
    path: row.path,
  }));
}

export interface RequirementPolicy {
  id: number;
  regionId: number;
  name: string;
  cycleStartsOn: string;
  cycleEndsOn: string;
  totalHours: number;
  categoryMinimums: Record<string, number>;
  categoryCaps: Record<string, number>;
  yearlyCap: number | null;
  conversionFactors: Record<string, number>;
}

/**
 * Policies of the given regions and every region above them, newest cycle first: a teacher of a
 * district is bound by the district's policy and, where it has none, by the city's.
 */
export async function findRequirementPoliciesAbove(
  db: Kysely<DB>,
  regionIds: ReadonlyArray<number>,
): Promise<RequirementPolicy[]> {
  if (regionIds.length === 0) return [];
  const rows = await db
    .selectFrom('requirement_policies')
    .selectAll('requirement_policies')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('regions as r')
          .select(sql`1`.as('one'))
          .where('r.id', 'in', regionIds)
          .where(
            sql<boolean>`r.path like (select p.path from regions p where p.id = requirement_policies.region_id) || '%'`,
          ),
      ),
    )
    .orderBy('cycle_starts_on', 'desc')
    .orderBy('id')
    .execute();
  return rows.map(toPolicy);
}

export async function findRequirementPoliciesByIds(
  db: Kysely<DB>,
  ids: ReadonlyArray<number>,
): Promise<RequirementPolicy[]> {
  if (ids.length === 0) return [];
  const rows = await requirementPoliciesByIds(db, null, ids);
  return rows.map(toPolicy);
}

const requirementPoliciesByIds = compiledByIds({
  build: (db, anyId) => db.selectFrom('requirement_policies').selectAll().where('id', '=', anyId),
});

/** A requirement_policies row as the domain's policy, its stored rules checked. */
export function toPolicy(row: Selectable<RequirementPolicies>): RequirementPolicy {
  return {
    id: row.id,
    regionId: row.region_id,
    name: row.name,
    cycleStartsOn: row.cycle_starts_on,
    cycleEndsOn: row.cycle_ends_on,
    totalHours: row.total_hours,
    // Parsed on the way out like every stored rule: a bad row fails loudly here, not in a report.
    categoryMinimums: categoryHoursSchema.parse(row.category_minimums),
    categoryCaps: categoryHoursSchema.parse(row.category_caps),
    yearlyCap: row.yearly_cap,
    conversionFactors: conversionFactorsSchema.parse(row.conversion_factors),
  };
}

export interface Confirmation {
  id: number;
  activityId: number;
  level: ConfirmationLevel;
  organizationId: number;
  revision: number;
  confirmedAt: Date;
  supersededAt: Date | null;
  note: string | null;
}

/** Confirmations are visible with their activity; the chain in the order it was signed. */
export async function findConfirmationsByActivityIds(
  db: Kysely<DB>,
  visibility: Visibility,
  activityIds: ReadonlyArray<number>,
): Promise<Confirmation[]> {
  if (activityIds.length === 0) return [];
  const rows = await db
    .selectFrom('confirmations')
    .selectAll('confirmations')
    .where('confirmations.activity_id', 'in', activityIds)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('activities')
          .select(sql`1`.as('one'))
          .whereRef('activities.id', '=', 'confirmations.activity_id')
          .where((inner) => activityVisible(inner, visibility)),
      ),
    )
    .orderBy('confirmations.confirmed_at')
    .orderBy('confirmations.id')
    .execute();
  return rows.map(toConfirmation);
}

function toConfirmation(row: Selectable<Confirmations>): Confirmation {
  return {
    id: row.id,
    activityId: row.activity_id,
    level: row.level as ConfirmationLevel,
    organizationId: row.organization_id,
    revision: row.revision,
    confirmedAt: row.confirmed_at,
    supersededAt: row.superseded_at,
    note: row.note,
  };
}

export async function findConfirmationsByIds(
  db: Kysely<DB>,
  visibility: Visibility,
  ids: ReadonlyArray<number>,
): Promise<Confirmation[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('confirmations')
    .selectAll('confirmations')
    .where('confirmations.id', 'in', ids)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('activities')
          .select(sql`1`.as('one'))
          .whereRef('activities.id', '=', 'confirmations.activity_id')
          .where((inner) => activityVisible(inner, visibility)),
      ),
    )
    .execute();
  return rows.map(toConfirmation);
}
