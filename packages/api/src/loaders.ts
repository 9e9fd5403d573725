import {
  countAttendanceBySessionIds,
  findAttendanceByIds,
  findLockedEnrollmentIds,
  findCertificatesByIds,
  findCreditEntriesByIds,
  findConfirmationsByActivityIds,
  findConfirmationsByIds,
  findRequirementPoliciesByIds,
  findRegionsByParentIds,
  findRequirementPoliciesAbove,
  type Confirmation,
  type RequirementPolicy,
  countEnrollmentsByActivityIds,
  findAttendancePagesBySessionIds,
  findCertificatesByTeacherIds,
  findCreditEntriesByTeacherIds,
  findEnrollmentPagesByActivityIds,
  findEnrollmentsByIds,
  findEnrollmentsByTeacherIds,
  findTeachersByIds,
  type AttendanceRecord,
  type Certificate,
  type ChildPage,
  type CreditEntry,
  type Enrollment,
  type Teacher,
  findActivitiesWithProvidersByIds,
  findCreditCategoriesByCodes,
  findOrganizationsByIds,
  findRegionsByIds,
  findSessionsByActivityIds,
  findSessionsByIds,
  findTrainersByIds,
  findTrainersBySessionIds,
  type Activity,
  type CreditCategory,
  type DB,
  type Organization,
  type Region,
  type Session,
  type Trainer,
  type Visibility,
} from '@registry/db';
import DataLoader from 'dataloader';
import type { Kysely } from 'kysely';

/**
 * Per-request batch loaders: whatever the shape of a query, each kind of row is fetched with
 * one statement per level of nesting, never one per parent row. Loaders are bound to the
 * caller's visibility, so an invisible row loads as null wherever it is reached from.
 */
export function createLoaders(db: Kysely<DB>, visibility: Visibility) {
  const loaders = {
    activity: byKey(
      async (ids: readonly number[]) => {
        const rows = await findActivitiesWithProvidersByIds(db, visibility, ids);
        for (const { provider } of rows) loaders.organization.prime(provider.id, provider);
        return rows.map((row) => row.activity);
      },
      (a) => a.id,
    ),
    session: byKey(
      async (ids: readonly number[]) => findSessionsByIds(db, visibility, ids),
      (s) => s.id,
    ),
    trainer: byKey(
      async (ids: readonly number[]) => findTrainersByIds(db, ids),
      (t) => t.id,
    ),
    organization: byKey(
      async (ids: readonly number[]) => findOrganizationsByIds(db, ids),
      (o) => o.id,
    ),
    region: byKey(
      async (ids: readonly number[]) => findRegionsByIds(db, ids),
      (r) => r.id,
    ),
    creditCategory: byKey(
      async (codes: readonly string[]) => findCreditCategoriesByCodes(db, codes),
      (c) => c.code,
    ),
    sessionsOfActivity: groupedBy(
      async (ids: readonly number[]) => findSessionsByActivityIds(db, visibility, ids),
      (s) => s.activityId,
    ),
    teacher: byKey(
      async (ids: readonly number[]) => findTeachersByIds(db, visibility, ids),
      (t) => t.id,
    ),
    enrollment: byKey(
      async (ids: readonly number[]) => findEnrollmentsByIds(db, visibility, ids),
      (e) => e.id,
    ),
    confirmation: byKey(
      async (ids: readonly number[]) => findConfirmationsByIds(db, visibility, ids),
      (c) => c.id,
    ),
    requirementPolicy: byKey(
      async (ids: readonly number[]) => findRequirementPoliciesByIds(db, ids),
      (p) => p.id,
    ),
    attendance: byKey(
      async (ids: readonly number[]) => findAttendanceByIds(db, visibility, ids),
      (a) => a.id,
    ),
    creditEntry: byKey(
      async (ids: readonly number[]) => findCreditEntriesByIds(db, visibility, ids),
      (e) => e.id,
    ),
    certificate: byKey(
      async (ids: readonly number[]) => findCertificatesByIds(db, visibility, ids),
      (c) => c.id,
    ),
    enrollmentsOfTeacher: groupedBy(
      async (ids: readonly number[]) => findEnrollmentsByTeacherIds(db, visibility, ids),
      (e) => e.teacherId,
    ),
    creditEntriesOfTeacher: groupedBy(
      async (ids: readonly number[]) => findCreditEntriesByTeacherIds(db, visibility, ids),
      (e) => e.teacherId,
    ),
    certificatesOfTeacher: groupedBy(
      async (ids: readonly number[]) => findCertificatesByTeacherIds(db, visibility, ids),
      (c) => c.teacherId,
    ),
    enrollmentCountOfActivity: new DataLoader<number, number>(async (ids) => {
      const counts = await countEnrollmentsByActivityIds(db, visibility, ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    enrollmentPageOfActivity: pagedBy((ids, first, after) =>
      findEnrollmentPagesByActivityIds(db, visibility, ids, first, after),
    ),
    attendanceCountOfSession: new DataLoader<number, number>(async (ids) => {
      const counts = await countAttendanceBySessionIds(db, visibility, ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }),
    attendancePageOfSession: pagedBy((ids, first, after) =>
      findAttendancePagesBySessionIds(db, visibility, ids, first, after),
    ),
    regionChildren: groupedBy(
      async (ids: readonly number[]) => findRegionsByParentIds(db, ids),
      (r) => r.parentId!,
    ),
    confirmationsOfActivity: groupedBy(
      async (ids: readonly number[]) => findConfirmationsByActivityIds(db, visibility, ids),
      (c) => c.activityId,
    ),
    /** Policies that bind a region: its own and those of the regions above it. */
    policiesForRegion: new DataLoader<number, RequirementPolicy[]>(async (ids) => {
      const policies = await findRequirementPoliciesAbove(db, ids);
      const regions = await findRegionsByIds(db, ids);
      const pathOf = new Map(regions.map((r) => [r.id, r.path]));
      const policyPath = new Map(
        (await findRegionsByIds(db, [...new Set(policies.map((p) => p.regionId))])).map((r) => [
          r.id,
          r.path,
        ]),
      );
      return ids.map((id) => {
        const path = pathOf.get(id) ?? '';
        return policies.filter((p) => path.startsWith(policyPath.get(p.regionId) ?? '\u0000'));
      });
    }),
    /** Whether an enrollment's attendance is locked by a current confirmation. */
    enrollmentLocked: new DataLoader<number, boolean>(async (ids) => {
      const locked = await findLockedEnrollmentIds(db, ids);
      return ids.map((id) => locked.has(id));
    }),
    trainersOfSession: groupedBy(
      async (ids: readonly number[]) => findTrainersBySessionIds(db, ids),
      (t) => t.sessionId,
    ),
  };
  return loaders;
}

export type Loaders = ReturnType<typeof createLoaders>;
export type {
  Activity,
  Confirmation,
  RequirementPolicy,
  AttendanceRecord,
  Certificate,
  CreditCategory,
  CreditEntry,
  Enrollment,
  Organization,
  Region,
  Session,
  Teacher,
  Trainer,
};

/**
 * A page of children for each parent, batched per page shape: every parent asked for with the
 * same `first`/`after` in one request shares one statement.
 */
function pagedBy<V>(
  load: (
    parentIds: readonly number[],
    first: number,
    after: number | null,
  ) => Promise<Map<number, ChildPage<V>>>,
) {
  const loaders = new Map<string, DataLoader<number, ChildPage<V>>>();
  return (first: number, after: number | null) => {
    const shape = `${first}:${after ?? ''}`;
    let loader = loaders.get(shape);
    if (!loader) {
      loader = new DataLoader<number, ChildPage<V>>(async (ids) => {
        const pages = await load(ids, first, after);
        return ids.map((id) => pages.get(id) ?? { rows: [], hasNextPage: false });
      });
      loaders.set(shape, loader);
    }
    return loader;
  };
}

/** One row per key; a missing row resolves to null (it may be invisible or gone). */
function byKey<K extends number | string, V>(
  load: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (row: V) => K,
) {
  return new DataLoader<K, V | null>(async (keys) => {
    const rows = new Map((await load(keys)).map((row) => [keyOf(row), row]));
    return keys.map((key) => rows.get(key) ?? null);
  });
}

/** Many rows per key, in the order the query returned them. */
function groupedBy<K extends number | string, V>(
  load: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (row: V) => K,
) {
  return new DataLoader<K, V[]>(async (keys) => {
    const groups = new Map<K, V[]>(keys.map((key) => [key, []]));
    for (const row of await load(keys)) groups.get(keyOf(row))?.push(row);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/** Loads many keys through a loader (one batch); errors reject instead of appearing as values. */
export function loadAll<K, V>(loader: DataLoader<K, V>, keys: readonly K[]): Promise<V[]> {
  return Promise.all(keys.map((key) => loader.load(key)));
}
