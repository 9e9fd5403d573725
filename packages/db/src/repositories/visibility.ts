import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DB } from '../generated/database';

/**
 * What a caller may see, derived from their memberships. Repositories turn it into SQL
 * predicates, so rows outside the caller's reach are never read — in lists, in nested fields
 * and through node(id:) alike — rather than read and then hidden.
 */
export interface Visibility {
  /** Platform admin: everything. */
  all: boolean;
  /** Education offices: their region and every region below it. */
  officeRegionPaths: string[];
  /** Training institutions administered by the caller. */
  institutionIds: number[];
  /** Trainer accounts: the trainer row and the institutions they teach for. */
  trainerId: number | null;
  trainerInstitutionIds: number[];
  /** Schools administered by the caller, with their region paths. */
  schoolIds: number[];
  schoolRegionPaths: string[];
  /** Teacher accounts: the teacher row and the region path of their school. */
  teacherId: number | null;
  teacherRegionPath: string | null;
}

export const nobody: Visibility = {
  all: false,
  officeRegionPaths: [],
  institutionIds: [],
  trainerId: null,
  trainerInstitutionIds: [],
  schoolIds: [],
  schoolRegionPaths: [],
  teacherId: null,
  teacherRegionPath: null,
};

export const everybody: Visibility = { ...nobody, all: true };

/** Statuses in which an approved activity is public to the schools and teachers of its region. */
export const publishedStatuses = ['open', 'in_progress', 'closed', 'credited', 'archived'] as const;

const never = sql<SqlBool>`false`;

function regionUnder(regionId: Expression<number>, paths: string[]) {
  // The region lies in (or is) one of the given subtrees.
  return sql<SqlBool>`exists (select 1 from regions r where r.id = ${regionId} and r.path like any (${paths.map((p) => `${p}%`)}::text[]))`;
}

function regionAbove(regionId: Expression<number>, paths: string[]) {
  // The region contains (or is) one of the given regions: an activity offered city-wide is
  // published to the schools of every district of that city.
  return sql<SqlBool>`exists (select 1 from regions r where r.id = ${regionId} and r.path = any (${allPrefixes(paths)}::text[]))`;
}

/** '/1/4/9/' → ['/1/', '/1/4/', '/1/4/9/']: the paths of a region and all its ancestors. */
export function allPrefixes(paths: string[]): string[] {
  const out = new Set<string>();
  for (const path of paths) {
    const ids = path.split('/').filter(Boolean);
    for (let i = 1; i <= ids.length; i += 1) out.add(`/${ids.slice(0, i).join('/')}/`);
  }
  return [...out];
}

export function activityVisible(
  eb: ExpressionBuilder<DB, 'activities'>,
  v: Visibility,
): Expression<SqlBool> {
  if (v.all) return sql<SqlBool>`true`;
  const ors: Expression<SqlBool>[] = [];
  if (v.officeRegionPaths.length)
    ors.push(regionUnder(eb.ref('activities.region_id'), v.officeRegionPaths));
  const providers = [...v.institutionIds, ...v.trainerInstitutionIds, ...v.schoolIds];
  if (providers.length) ors.push(eb('activities.provider_id', 'in', providers));
  const localPaths = [
    ...v.schoolRegionPaths,
    ...(v.teacherRegionPath ? [v.teacherRegionPath] : []),
  ];
  if (localPaths.length) {
    ors.push(
      eb.and([
        eb('activities.status', 'in', [...publishedStatuses]),
        regionAbove(eb.ref('activities.region_id'), localPaths),
      ]),
    );
  }
  if (v.schoolIds.length) {
    ors.push(
      eb.exists(
        eb
          .selectFrom('enrollments')
          .select(sql`1`.as('one'))
          .whereRef('enrollments.activity_id', '=', 'activities.id')
          .where('enrollments.school_id', 'in', v.schoolIds),
      ),
    );
  }
  if (v.teacherId !== null) {
    ors.push(
      eb.exists(
        eb
          .selectFrom('enrollments')
          .select(sql`1`.as('one'))
          .whereRef('enrollments.activity_id', '=', 'activities.id')
          .where('enrollments.teacher_id', '=', v.teacherId),
      ),
    );
  }
  if (v.trainerId !== null) {
    ors.push(
      eb.exists(
        eb
          .selectFrom('sessions')
          .innerJoin('session_trainers', 'session_trainers.session_id', 'sessions.id')
          .select(sql`1`.as('one'))
          .whereRef('sessions.activity_id', '=', 'activities.id')
          .where('session_trainers.trainer_id', '=', v.trainerId),
      ),
    );
  }
  return ors.length ? eb.or(ors) : never;
}

/**
 * A session is visible with its activity — except to someone who sees the activity only as a
 * trainer: they see the sessions they teach.
 */
export function sessionVisible(
  eb: ExpressionBuilder<DB, 'sessions'>,
  v: Visibility,
): Expression<SqlBool> {
  if (v.all) return sql<SqlBool>`true`;
  const asStaff: Visibility = { ...v, trainerId: null, trainerInstitutionIds: [] };
  const ors: Expression<SqlBool>[] = [
    eb.exists(
      eb
        .selectFrom('activities')
        .select(sql`1`.as('one'))
        .whereRef('activities.id', '=', 'sessions.activity_id')
        .where((inner) => activityVisible(inner, asStaff)),
    ),
  ];
  if (v.trainerId !== null) {
    ors.push(
      eb.exists(
        eb
          .selectFrom('session_trainers')
          .select(sql`1`.as('one'))
          .whereRef('session_trainers.session_id', '=', 'sessions.id')
          .where('session_trainers.trainer_id', '=', v.trainerId),
      ),
    );
  }
  return eb.or(ors);
}
