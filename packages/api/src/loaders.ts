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
  findCreditEntriesWithActivitiesByTeacherIds,
  findEnrollmentPagesByActivityIds,
  findEnrollmentsByIds,
  findEnrollmentsByTeacherIds,
  findTeachersWithSchoolsByIds,
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
  findSessionsWithTrainersByActivityIds,
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
import type { ReferenceCache } from './reference-cache';

/**
 * Per-request batch loaders: whatever the shape of a query, each kind of row is fetched with
 * one statement per level of nesting, never one per parent row. Loaders are bound to the
 * caller's visibility, so an invisible row loads as null wherever it is reached from.
 *
 * Each loader is made when a request first asks for it: a request uses two or three of them,
 * and making all 27 (a DataLoader, its cache and closures each) for every request took a
 * one-row read from 62 to 75 KB allocated (pnpm bench W1's read in one process).
 */
export class Loaders {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly visibility: Visibility,
    /** The process's categories and policies (decision 0023). */
    private readonly reference: ReferenceCache,
  ) {}

  #activity: SettledLoader<number, Activity> | undefined;
  get activity() {
    return (this.#activity ??= byKey(
      async (ids: readonly number[]) => {
        const rows = await findActivitiesWithProvidersByIds(this.db, this.visibility, ids);
        for (const { provider } of rows) this.organization.prime(provider.id, provider);
        return rows.map((row) => row.activity);
      },
      (a) => a.id,
    ));
  }

  #session: SettledLoader<number, Session> | undefined;
  get session() {
    return (this.#session ??= byKey(
      async (ids: readonly number[]) => findSessionsByIds(this.db, this.visibility, ids),
      (s) => s.id,
    ));
  }

  #trainer: SettledLoader<number, Trainer> | undefined;
  get trainer() {
    return (this.#trainer ??= byKey(
      async (ids: readonly number[]) => findTrainersByIds(this.db, ids),
      (t) => t.id,
    ));
  }

  #organization: SettledLoader<number, Organization> | undefined;
  get organization() {
    return (this.#organization ??= byKey(
      async (ids: readonly number[]) => findOrganizationsByIds(this.db, ids),
      (o) => o.id,
    ));
  }

  #region: SettledLoader<number, Region> | undefined;
  get region() {
    return (this.#region ??= byKey(
      async (ids: readonly number[]) => findRegionsByIds(this.db, ids),
      (r) => r.id,
    ));
  }

  #creditCategory: SettledLoader<string, CreditCategory> | undefined;
  get creditCategory() {
    return (this.#creditCategory ??= byKey(
      async (codes: readonly string[]) =>
        this.reference.categories(codes, (missing) =>
          findCreditCategoriesByCodes(this.db, missing),
        ),
      (c) => c.code,
    ));
  }

  #sessionsOfActivity: DataLoader<number, Session[]> | undefined;
  get sessionsOfActivity() {
    return (this.#sessionsOfActivity ??= groupedBy(
      async (ids: readonly number[]) => findSessionsByActivityIds(this.db, this.visibility, ids),
      (s) => s.activityId,
    ));
  }

  /**
   * Sessions with their trainers, for a selection that asks for both (Activity.sessions looks
   * ahead): the trainers are handed to trainersOfSession, [] for a session without any, so
   * Session.trainers reads nothing more.
   */
  #sessionsWithTrainersOfActivity: DataLoader<number, Session[]> | undefined;
  get sessionsWithTrainersOfActivity() {
    return (this.#sessionsWithTrainersOfActivity ??= groupedBy(
      async (ids: readonly number[]) => {
        const rows = await findSessionsWithTrainersByActivityIds(this.db, this.visibility, ids);
        for (const { session, trainers } of rows) {
          this.trainersOfSession.prime(
            session.id,
            trainers.map((trainer) => ({ ...trainer, sessionId: session.id })),
          );
        }
        return rows.map((row) => row.session);
      },
      (s) => s.activityId,
    ));
  }

  #teacher: SettledLoader<number, Teacher> | undefined;
  get teacher() {
    return (this.#teacher ??= byKey(
      async (ids: readonly number[]) => {
        const rows = await findTeachersWithSchoolsByIds(this.db, this.visibility, ids);
        for (const { school } of rows) this.organization.prime(school.id, school);
        return rows.map((row) => row.teacher);
      },
      (t) => t.id,
    ));
  }

  #enrollment: SettledLoader<number, Enrollment> | undefined;
  get enrollment() {
    return (this.#enrollment ??= byKey(
      async (ids: readonly number[]) => findEnrollmentsByIds(this.db, this.visibility, ids),
      (e) => e.id,
    ));
  }

  #confirmation: SettledLoader<number, Confirmation> | undefined;
  get confirmation() {
    return (this.#confirmation ??= byKey(
      async (ids: readonly number[]) => findConfirmationsByIds(this.db, this.visibility, ids),
      (c) => c.id,
    ));
  }

  #requirementPolicy: SettledLoader<number, RequirementPolicy> | undefined;
  get requirementPolicy() {
    return (this.#requirementPolicy ??= byKey(
      async (ids: readonly number[]) =>
        this.reference.policies(ids, (missing) => findRequirementPoliciesByIds(this.db, missing)),
      (p) => p.id,
    ));
  }

  #attendance: SettledLoader<number, AttendanceRecord> | undefined;
  get attendance() {
    return (this.#attendance ??= byKey(
      async (ids: readonly number[]) => findAttendanceByIds(this.db, this.visibility, ids),
      (a) => a.id,
    ));
  }

  #creditEntry: SettledLoader<number, CreditEntry> | undefined;
  get creditEntry() {
    return (this.#creditEntry ??= byKey(
      async (ids: readonly number[]) => findCreditEntriesByIds(this.db, this.visibility, ids),
      (e) => e.id,
    ));
  }

  #certificate: SettledLoader<number, Certificate> | undefined;
  get certificate() {
    return (this.#certificate ??= byKey(
      async (ids: readonly number[]) => findCertificatesByIds(this.db, this.visibility, ids),
      (c) => c.id,
    ));
  }

  #enrollmentsOfTeacher: DataLoader<number, Enrollment[]> | undefined;
  get enrollmentsOfTeacher() {
    return (this.#enrollmentsOfTeacher ??= groupedBy(
      async (ids: readonly number[]) => findEnrollmentsByTeacherIds(this.db, this.visibility, ids),
      (e) => e.teacherId,
    ));
  }

  #creditEntriesOfTeacher: DataLoader<number, CreditEntry[]> | undefined;
  #ledgerWithActivities = false;
  /**
   * One loader for every reader of a teacher's ledger (the transcript's entries, progress, the
   * hours to date), so a request reads each ledger once. Once a field of the request has asked
   * for the entries' activities (`readLedgerWithActivities`), the ledger reads that follow bring
   * them, and their providers, in the same statement and hand them to the activity and
   * organization loaders. A ledger read already under way when that is asked keeps its shape;
   * the activities then come through the activity loader, as before: the same rows either way.
   */
  get creditEntriesOfTeacher() {
    return (this.#creditEntriesOfTeacher ??= groupedBy(
      async (ids: readonly number[]) =>
        this.#ledgerWithActivities
          ? this.#creditEntriesWithActivities(ids)
          : findCreditEntriesByTeacherIds(this.db, this.visibility, ids),
      (e) => e.teacherId,
    ));
  }

  readLedgerWithActivities(): void {
    this.#ledgerWithActivities = true;
  }

  async #creditEntriesWithActivities(ids: readonly number[]): Promise<CreditEntry[]> {
    const rows = await findCreditEntriesWithActivitiesByTeacherIds(this.db, this.visibility, ids);
    for (const { entry, activity, provider } of rows) {
      if (entry.activityId === null) continue;
      // null too: an activity the caller may not see is known to load as null.
      this.activity.prime(entry.activityId, activity);
      if (provider) this.organization.prime(provider.id, provider);
    }
    return rows.map((row) => row.entry);
  }

  #certificatesOfTeacher: DataLoader<number, Certificate[]> | undefined;
  get certificatesOfTeacher() {
    return (this.#certificatesOfTeacher ??= groupedBy(
      async (ids: readonly number[]) => findCertificatesByTeacherIds(this.db, this.visibility, ids),
      (c) => c.teacherId,
    ));
  }

  #enrollmentCountOfActivity: DataLoader<number, number> | undefined;
  get enrollmentCountOfActivity() {
    return (this.#enrollmentCountOfActivity ??= new DataLoader<number, number>(async (ids) => {
      const counts = await countEnrollmentsByActivityIds(this.db, this.visibility, ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }));
  }

  #enrollmentPageOfActivity: PagedLoaders<Enrollment> | undefined;
  get enrollmentPageOfActivity() {
    return (this.#enrollmentPageOfActivity ??= pagedBy((ids, first, after) =>
      findEnrollmentPagesByActivityIds(this.db, this.visibility, ids, first, after),
    ));
  }

  #attendanceCountOfSession: DataLoader<number, number> | undefined;
  get attendanceCountOfSession() {
    return (this.#attendanceCountOfSession ??= new DataLoader<number, number>(async (ids) => {
      const counts = await countAttendanceBySessionIds(this.db, this.visibility, ids);
      return ids.map((id) => counts.get(id) ?? 0);
    }));
  }

  #attendancePageOfSession: PagedLoaders<AttendanceRecord> | undefined;
  get attendancePageOfSession() {
    return (this.#attendancePageOfSession ??= pagedBy((ids, first, after) =>
      findAttendancePagesBySessionIds(this.db, this.visibility, ids, first, after),
    ));
  }

  #regionChildren: DataLoader<number, Region[]> | undefined;
  get regionChildren() {
    return (this.#regionChildren ??= groupedBy(
      async (ids: readonly number[]) => findRegionsByParentIds(this.db, ids),
      (r) => r.parentId!,
    ));
  }

  #confirmationsOfActivity: DataLoader<number, Confirmation[]> | undefined;
  get confirmationsOfActivity() {
    return (this.#confirmationsOfActivity ??= groupedBy(
      async (ids: readonly number[]) =>
        findConfirmationsByActivityIds(this.db, this.visibility, ids),
      (c) => c.activityId,
    ));
  }

  #policiesForRegion: DataLoader<number, RequirementPolicy[]> | undefined;
  /** Policies that bind a region: its own and those of the regions above it. */
  get policiesForRegion() {
    return (this.#policiesForRegion ??= new DataLoader<number, RequirementPolicy[]>(async (ids) => {
      const policies = await findRequirementPoliciesAbove(this.db, ids);
      const regions = await findRegionsByIds(this.db, ids);
      const pathOf = new Map(regions.map((r) => [r.id, r.path]));
      const policyPath = new Map(
        (await findRegionsByIds(this.db, [...new Set(policies.map((p) => p.regionId))])).map(
          (r) => [r.id, r.path],
        ),
      );
      return ids.map((id) => {
        const path = pathOf.get(id) ?? '';
        return policies.filter((p) => path.startsWith(policyPath.get(p.regionId) ?? '\u0000'));
      });
    }));
  }

  #enrollmentLocked: DataLoader<number, boolean> | undefined;
  /** Whether an enrollment's attendance is locked by a current confirmation. */
  get enrollmentLocked() {
    return (this.#enrollmentLocked ??= new DataLoader<number, boolean>(async (ids) => {
      const locked = await findLockedEnrollmentIds(this.db, ids);
      return ids.map((id) => locked.has(id));
    }));
  }

  #trainersOfSession: DataLoader<number, Array<Trainer & { sessionId: number }>> | undefined;
  get trainersOfSession() {
    return (this.#trainersOfSession ??= groupedBy(
      async (ids: readonly number[]) => findTrainersBySessionIds(this.db, ids),
      (t) => t.sessionId,
    ));
  }
}
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

type PagedLoaders<V> = (first: number, after: number | null) => DataLoader<number, ChildPage<V>>;

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
): PagedLoaders<V> {
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
  return new SettledLoader<K, V>(async (keys) => {
    const rows = new Map((await load(keys)).map((row) => [keyOf(row), row]));
    return keys.map((key) => rows.get(key) ?? null);
  });
}

/**
 * A by-key loader that also answers synchronously for rows it already holds: a row handed over
 * by a join (a teacher's school, an activity's provider) or loaded earlier in the request. A
 * resolver returning `loader.now(key)` then gives graphql-jit a value instead of a promise, so
 * the field completes in the same pass (pnpm bench W3: 260 teacher → school fields per answer,
 * each of which cost an async resolver, a cached promise and a deferred completion).
 * `settled` mirrors DataLoader's cache for the keys whose values are known; clear and prime
 * keep the two in step.
 */
export class SettledLoader<K, V> extends DataLoader<K, V | null> {
  readonly #settled: Map<K, V | null>;

  constructor(batch: (keys: readonly K[]) => Promise<Array<V | null>>) {
    const settled = new Map<K, V | null>();
    super(async (keys) => {
      const values = await batch(keys);
      keys.forEach((key, i) => settled.set(key, values[i]!));
      return values;
    });
    this.#settled = settled;
  }

  /** The row if this request already holds it (null: known not to exist or not visible). */
  now(key: K): V | null | Promise<V | null> {
    const value = this.#settled.get(key);
    return value !== undefined || this.#settled.has(key) ? (value as V | null) : this.load(key);
  }

  /**
   * `now` for a row a foreign key guarantees (an activity's provider, a teacher's school): typed
   * as present, as the `!` after a load was; a missing row still reaches GraphQL as a null in a
   * non-null field.
   */
  nowExisting(key: K): V | Promise<V> {
    return this.now(key) as V | Promise<V>;
  }

  override prime(key: K, value: V | null | PromiseLike<V | null> | Error): this {
    // DataLoader keeps an entry it already has; so does settled. (A row primed while its own
    // load is in flight is the same row: both come from this request's reads.)
    if (!(value instanceof Error) && !isPromiseLike(value) && !this.#settled.has(key)) {
      this.#settled.set(key, value);
    }
    return super.prime(key, value);
  }

  override clear(key: K): this {
    this.#settled.delete(key);
    return super.clear(key);
  }

  override clearAll(): this {
    this.#settled.clear();
    return super.clearAll();
  }
}

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

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
