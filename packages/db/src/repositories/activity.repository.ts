import {
  completionRulesSchema,
  eligibilityRulesSchema,
  type ActivityLevel,
  type ActivityStatus,
  type CompletionRules,
  type DeliveryMode,
  type EligibilityRules,
} from '@registry/domain';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ZodType } from 'zod';
import type { Activities, DB } from '../generated/database';
import { compiledByIds, executePrepared, visibilityKey } from './compiled-once';
import { organizationAt, organizationColumns, type Organization } from './organization.repository';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from './pagination';
import { activityVisible, type Visibility } from './visibility';

export interface Activity {
  id: number;
  code: string;
  title: string;
  description: string;
  providerId: number;
  regionId: number;
  category: string;
  level: ActivityLevel;
  deliveryMode: DeliveryMode;
  creditHours: number;
  capacity: number | null;
  selfEnrollment: boolean;
  eligibilityRules: EligibilityRules;
  completionRules: CompletionRules;
  status: ActivityStatus;
  rejectionReason: string | null;
  startsOn: string;
  endsOn: string;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** Raised when a stored rule no longer parses: the row was written around this layer. */
export class StoredRuleError extends Error {
  constructor(activityId: number, field: string, cause: unknown) {
    super(`activity ${activityId}: stored ${field} do not match their schema`, { cause });
  }
}

function storedRule<T>(activityId: number, field: string, schema: ZodType<T>, stored: unknown): T {
  const parsed = schema.safeParse(stored);
  if (!parsed.success) throw new StoredRuleError(activityId, field, parsed.error);
  return parsed.data;
}

function toActivity(row: Selectable<Activities>): Activity {
  // The rules are parsed when first read, not with the row: a list page reads 50 activities and
  // none of their rules, and parsing both cost about a twentieth of its CPU (pnpm bench, W2).
  // A rule written around this layer still never reaches a caller unparsed: reading it raises
  // StoredRuleError.
  let eligibility: EligibilityRules | undefined;
  let completion: CompletionRules | undefined;
  return {
    id: row.id,
    code: row.code,
    title: row.title,
    description: row.description,
    providerId: row.provider_id,
    regionId: row.region_id,
    category: row.category,
    level: row.level as ActivityLevel,
    deliveryMode: row.delivery_mode as DeliveryMode,
    creditHours: row.credit_hours,
    capacity: row.capacity,
    selfEnrollment: row.self_enrollment,
    get eligibilityRules() {
      return (eligibility ??= storedRule(
        row.id,
        'eligibility rules',
        eligibilityRulesSchema,
        row.eligibility_rules,
      ));
    },
    get completionRules() {
      return (completion ??= storedRule(
        row.id,
        'completion rules',
        completionRulesSchema,
        row.completion_rules,
      ));
    },
    status: row.status as ActivityStatus,
    rejectionReason: row.rejection_reason,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

export interface ActivityFilter {
  search?: string | null | undefined;
  statuses?: ReadonlyArray<ActivityStatus> | null | undefined;
  deliveryModes?: ReadonlyArray<DeliveryMode> | null | undefined;
  levels?: ReadonlyArray<ActivityLevel> | null | undefined;
  providerIds?: ReadonlyArray<number> | null | undefined;
  /** Region subtree: the region's materialized path prefix, e.g. '/1/4/'. */
  regionPath?: string | null | undefined;
  categories?: ReadonlyArray<string> | null | undefined;
  startsFrom?: string | null | undefined;
  startsTo?: string | null | undefined;
}

/** LIKE pattern for a user's search text, with LIKE's own wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filtered(db: Kysely<DB>, visibility: Visibility, filter: ActivityFilter) {
  let query = db.selectFrom('activities').where((eb) => activityVisible(eb, visibility));
  const search = filter.search?.trim();
  if (search) {
    const pattern = containsPattern(search);
    query = query.where((eb) =>
      eb.or([eb('activities.title', 'ilike', pattern), eb('activities.code', 'ilike', pattern)]),
    );
  }
  if (filter.statuses?.length) query = query.where('activities.status', 'in', filter.statuses);
  if (filter.deliveryModes?.length) {
    query = query.where('activities.delivery_mode', 'in', filter.deliveryModes);
  }
  if (filter.levels?.length) query = query.where('activities.level', 'in', filter.levels);
  if (filter.providerIds?.length) {
    query = query.where('activities.provider_id', 'in', filter.providerIds);
  }
  if (filter.categories?.length)
    query = query.where('activities.category', 'in', filter.categories);
  if (filter.regionPath) {
    const path = `${filter.regionPath}%`;
    query = query.where((eb) =>
      eb(
        'activities.region_id',
        'in',
        eb.selectFrom('regions').select('regions.id').where('regions.path', 'like', path),
      ),
    );
  }
  if (filter.startsFrom) query = query.where('activities.starts_on', '>=', filter.startsFrom);
  if (filter.startsTo) query = query.where('activities.starts_on', '<=', filter.startsTo);
  return query;
}

/** Newest first; id breaks ties so the order is total and pages never overlap. */
export async function findActivities(
  db: Kysely<DB>,
  visibility: Visibility,
  filter: ActivityFilter,
  page: PageRequest,
): Promise<Page<Activity> & { providers: Organization[] }> {
  // The providers come along (a list shows who runs each activity): one statement, not two.
  let query = filtered(db, visibility, filter)
    .innerJoin('organizations as provider', 'provider.id', 'activities.provider_id')
    .selectAll('activities')
    .select(providerColumns);
  if (page.after) {
    const [startsOn, id] = decodeCursor(page.after, ['string', 'number']) as [string, number];
    query = query.where(
      sql<boolean>`(activities.starts_on, activities.id) < (${startsOn}::date, ${id}::int)`,
    );
  }
  // Prepared: it plans in about 1 ms and executes in 0.3 (W2's page, bench dataset).
  const rows = await executePrepared(
    db,
    query
      .orderBy('activities.starts_on', 'desc')
      .orderBy('activities.id', 'desc')
      .limit(page.first + 1),
  );
  const shown = rows.slice(0, page.first);
  return {
    rows: shown.map(toActivity),
    providers: shown.map(providerOf),
    hasNextPage: rows.length > page.first,
    cursorOf: (a) => encodeCursor([a.startsOn, a.id]),
  };
}

export async function countActivities(
  db: Kysely<DB>,
  visibility: Visibility,
  filter: ActivityFilter,
): Promise<number> {
  const row = await filtered(db, visibility, filter)
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function findActivitiesByIds(
  db: Kysely<DB>,
  visibility: Visibility,
  ids: ReadonlyArray<number>,
): Promise<Activity[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('activities')
    .selectAll()
    .where('id', 'in', ids)
    .where((eb) => activityVisible(eb, visibility))
    .execute();
  return rows.map(toActivity);
}

/**
 * Activities with their providers, in one statement: nearly every screen that shows an
 * activity shows who runs it, and the provider's row is one primary-key join away, so the
 * activity loader hands the providers to the organization loader instead of a second round
 * trip (pnpm bench W1: 3 statements → 2).
 */
export async function findActivitiesWithProvidersByIds(
  db: Kysely<DB>,
  visibility: Visibility,
  ids: ReadonlyArray<number>,
): Promise<Array<{ activity: Activity; provider: Organization }>> {
  if (ids.length === 0) return [];
  const rows = await activitiesWithProvidersByIds(db, visibility, ids);
  return rows.map((row) => ({ activity: toActivity(row), provider: providerOf(row) }));
}

const activitiesWithProvidersByIds = compiledByIds({
  shapeKey: visibilityKey,
  build: (db, anyId, visibility: Visibility) =>
    db
      .selectFrom('activities')
      .innerJoin('organizations as provider', 'provider.id', 'activities.provider_id')
      .selectAll('activities')
      .select(providerColumns)
      .where('activities.id', '=', anyId)
      .where((eb) => activityVisible(eb, visibility)),
});

/**
 * The activities table's columns beside another table's row, each prefixed (`activity_code`),
 * as organizationColumns does for organizations: the id is the joining row's foreign key. The
 * table keeps its name in the join, so activityVisible can be its join condition. Every column,
 * so the row equals the activity loader's.
 */
export function activityColumns<P extends string>(prefix: P) {
  return activityColumnNames.map(
    (name) =>
      `activities.${name} as ${prefix}_${name}` as `activities.${ActivityColumn} as ${P}_${ActivityColumn}`,
  );
}

type ActivityColumn = Exclude<keyof Activities, 'id'>;
/** Every column but the id, checked against the table's type: a new column fails to compile. */
const activityColumnSet: Record<ActivityColumn, true> = {
  code: true,
  title: true,
  description: true,
  provider_id: true,
  region_id: true,
  category: true,
  level: true,
  delivery_mode: true,
  credit_hours: true,
  capacity: true,
  self_enrollment: true,
  eligibility_rules: true,
  completion_rules: true,
  status: true,
  rejection_reason: true,
  starts_on: true,
  ends_on: true,
  created_by: true,
  approved_by: true,
  approved_at: true,
  created_at: true,
  updated_at: true,
  version: true,
};
const activityColumnNames = Object.keys(activityColumnSet) as ActivityColumn[];

/**
 * The activity selected by activityColumns(prefix), its id from the joining row; null when the
 * join found none (a left join whose condition, the caller's visibility, left it out).
 */
export function activityAt(prefix: string, id: number, row: object): Activity | null {
  const c = row as Record<string, unknown>;
  const k = prefixedNames(prefix);
  if (c[k.code] == null) return null;
  // One object literal, not a loop of assignments: a transcript maps a row per entry, and the
  // loop's string keys and growing object took 5 % of the gateway's CPU (pnpm bench W4).
  const columns: Record<keyof Activities, unknown> = {
    id,
    code: c[k.code],
    title: c[k.title],
    description: c[k.description],
    provider_id: c[k.provider_id],
    region_id: c[k.region_id],
    category: c[k.category],
    level: c[k.level],
    delivery_mode: c[k.delivery_mode],
    credit_hours: c[k.credit_hours],
    capacity: c[k.capacity],
    self_enrollment: c[k.self_enrollment],
    eligibility_rules: c[k.eligibility_rules],
    completion_rules: c[k.completion_rules],
    status: c[k.status],
    rejection_reason: c[k.rejection_reason],
    starts_on: c[k.starts_on],
    ends_on: c[k.ends_on],
    created_by: c[k.created_by],
    approved_by: c[k.approved_by],
    approved_at: c[k.approved_at],
    created_at: c[k.created_at],
    updated_at: c[k.updated_at],
    version: c[k.version],
  };
  return toActivity(columns as unknown as Selectable<Activities>);
}

const prefixes = new Map<string, Record<ActivityColumn, string>>();
function prefixedNames(prefix: string): Record<ActivityColumn, string> {
  let names = prefixes.get(prefix);
  if (!names) {
    names = Object.fromEntries(
      activityColumnNames.map((name) => [name, `${prefix}_${name}`]),
    ) as Record<ActivityColumn, string>;
    prefixes.set(prefix, names);
  }
  return names;
}

/** The provider's columns beside an activity's, prefixed, for one join instead of a lookup. */
const providerColumns = organizationColumns('provider');

const providerOf = (row: { provider_id: number }) =>
  organizationAt('provider', row.provider_id, row);

export interface NewActivity {
  code: string;
  title: string;
  description?: string;
  providerId: number;
  regionId: number;
  category: string;
  level: ActivityLevel;
  deliveryMode: DeliveryMode;
  creditHours: number;
  capacity?: number | null;
  selfEnrollment?: boolean;
  eligibilityRules?: EligibilityRules;
  completionRules?: Partial<CompletionRules>;
  startsOn: string;
  endsOn: string;
  createdBy?: number | null;
}

/** Rules are parsed before they are stored, so every stored rule parses when read. */
export async function insertActivity(db: Kysely<DB>, activity: NewActivity): Promise<Activity> {
  const eligibilityRules = eligibilityRulesSchema.parse(activity.eligibilityRules ?? {});
  const completionRules = completionRulesSchema.parse(activity.completionRules ?? {});
  const row = await db
    .insertInto('activities')
    .values({
      code: activity.code,
      title: activity.title,
      description: activity.description ?? '',
      provider_id: activity.providerId,
      region_id: activity.regionId,
      category: activity.category,
      level: activity.level,
      delivery_mode: activity.deliveryMode,
      credit_hours: activity.creditHours,
      capacity: activity.capacity ?? null,
      self_enrollment: activity.selfEnrollment ?? false,
      eligibility_rules: JSON.stringify(eligibilityRules),
      completion_rules: JSON.stringify(completionRules),
      starts_on: activity.startsOn,
      ends_on: activity.endsOn,
      created_by: activity.createdBy ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toActivity(row);
}

export type ActivityPatch = Partial<
  Pick<
    NewActivity,
    | 'title'
    | 'description'
    | 'category'
    | 'level'
    | 'deliveryMode'
    | 'creditHours'
    | 'capacity'
    | 'selfEnrollment'
    | 'eligibilityRules'
    | 'completionRules'
    | 'startsOn'
    | 'endsOn'
  >
>;

/**
 * Applies a patch when the stored version still equals `version` (optimistic concurrency);
 * returns null when someone else changed the activity first.
 */
export async function updateActivity(
  db: Kysely<DB>,
  id: number,
  version: number,
  patch: ActivityPatch,
): Promise<Activity | null> {
  const row = await db
    .updateTable('activities')
    .set((eb) => ({
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.category !== undefined ? { category: patch.category } : {}),
      ...(patch.level !== undefined ? { level: patch.level } : {}),
      ...(patch.deliveryMode !== undefined ? { delivery_mode: patch.deliveryMode } : {}),
      ...(patch.creditHours !== undefined ? { credit_hours: patch.creditHours } : {}),
      ...(patch.capacity !== undefined ? { capacity: patch.capacity } : {}),
      ...(patch.selfEnrollment !== undefined ? { self_enrollment: patch.selfEnrollment } : {}),
      ...(patch.eligibilityRules !== undefined
        ? {
            eligibility_rules: JSON.stringify(eligibilityRulesSchema.parse(patch.eligibilityRules)),
          }
        : {}),
      ...(patch.completionRules !== undefined
        ? { completion_rules: JSON.stringify(completionRulesSchema.parse(patch.completionRules)) }
        : {}),
      ...(patch.startsOn !== undefined ? { starts_on: patch.startsOn } : {}),
      ...(patch.endsOn !== undefined ? { ends_on: patch.endsOn } : {}),
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  return row ? toActivity(row) : null;
}

/** Locks the activity row for the rest of the transaction (state checks before a change). */
export async function lockActivity(db: Kysely<DB>, id: number): Promise<Activity | null> {
  const row = await db
    .selectFrom('activities')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row ? toActivity(row) : null;
}

export async function activityCodeTaken(db: Kysely<DB>, code: string): Promise<boolean> {
  const row = await db
    .selectFrom('activities')
    .select('id')
    .where('code', '=', code)
    .executeTakeFirst();
  return row !== undefined;
}

export async function creditCategoryExists(db: Kysely<DB>, code: string): Promise<boolean> {
  const row = await db
    .selectFrom('credit_categories')
    .select('code')
    .where('code', '=', code)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Moves a locked activity to the status the lifecycle rule decided. The rejection reason is
 * kept while rejected and cleared by any other step, so it always explains the current state.
 */
export async function setActivityStatus(
  db: Kysely<DB>,
  id: number,
  status: ActivityStatus,
  rejectionReason: string | null,
): Promise<Activity> {
  const row = await db
    .updateTable('activities')
    .set((eb) => ({
      status,
      rejection_reason: status === 'rejected' ? rejectionReason : null,
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toActivity(row);
}

export async function countSessionsOfActivity(db: Kysely<DB>, id: number): Promise<number> {
  const row = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .where('activity_id', '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
