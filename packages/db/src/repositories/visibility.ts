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

function organizationUnder(schoolId: Expression<number>, paths: string[]) {
  return sql<SqlBool>`exists (select 1 from organizations o join regions r on r.id = o.region_id where o.id = ${schoolId} and r.path like any (${paths.map((p) => `${p}%`)}::text[]))`;
}

/**
 * Teachers: offices see the teachers of schools in their region subtree; schools their own
 * staff; a teacher themself; institutions and trainers the teachers enrolled in what they run
 * or teach (a roster must show names).
 */
export function teacherVisible(
  eb: ExpressionBuilder<DB, 'teachers'>,
  v: Visibility,
): Expression<SqlBool> {
  if (v.all) return sql<SqlBool>`true`;
  const ors: Expression<SqlBool>[] = [];
  if (v.officeRegionPaths.length)
    ors.push(organizationUnder(eb.ref('teachers.school_id'), v.officeRegionPaths));
  if (v.schoolIds.length) ors.push(eb('teachers.school_id', 'in', v.schoolIds));
  if (v.teacherId !== null) ors.push(eb('teachers.id', '=', v.teacherId));
  if (v.institutionIds.length || v.trainerId !== null) {
    ors.push(
      eb.exists(
        eb
          .selectFrom('enrollments')
          .innerJoin('activities', 'activities.id', 'enrollments.activity_id')
          .select(sql`1`.as('one'))
          .whereRef('enrollments.teacher_id', '=', 'teachers.id')
          .where((inner) => rosterOf(inner, v)),
      ),
    );
  }
  return ors.length ? eb.or(ors) : never;
}

/** Activities whose rosters institution staff see: their institution's, or the ones they teach. */
function rosterOf(eb: ExpressionBuilder<DB, 'activities'>, v: Visibility): Expression<SqlBool> {
  const ors: Expression<SqlBool>[] = [];
  if (v.institutionIds.length) ors.push(eb('activities.provider_id', 'in', v.institutionIds));
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
 * Enrollments: the activity's roster for its institution, its trainers and the offices above
 * its region; a school the enrollments of its own teachers; a teacher their own.
 */
export function enrollmentVisible(
  eb: ExpressionBuilder<DB, 'enrollments'>,
  v: Visibility,
): Expression<SqlBool> {
  if (v.all) return sql<SqlBool>`true`;
  const ors: Expression<SqlBool>[] = [];
  if (v.officeRegionPaths.length || v.institutionIds.length || v.trainerId !== null) {
    ors.push(
      eb.exists(
        eb
          .selectFrom('activities')
          .select(sql`1`.as('one'))
          .whereRef('activities.id', '=', 'enrollments.activity_id')
          .where((inner) =>
            inner.or([
              rosterOf(inner, v),
              v.officeRegionPaths.length
                ? regionUnder(inner.ref('activities.region_id'), v.officeRegionPaths)
                : never,
            ]),
          ),
      ),
    );
  }
  if (v.officeRegionPaths.length)
    ors.push(organizationUnder(eb.ref('enrollments.school_id'), v.officeRegionPaths));
  if (v.schoolIds.length) ors.push(eb('enrollments.school_id', 'in', v.schoolIds));
  if (v.teacherId !== null) ors.push(eb('enrollments.teacher_id', '=', v.teacherId));
  return ors.length ? eb.or(ors) : never;
}

/**
 * Ledger entries and certificates belong to a teacher: visible to whoever sees the teacher's
 * record as an office, their school or themself; institutions see the awards of their own
 * activities.
 */
export function ledgerVisible(
  eb: ExpressionBuilder<DB, 'credit_ledger'>,
  v: Visibility,
): Expression<SqlBool> {
  if (v.all) return sql<SqlBool>`true`;
  const ors: Expression<SqlBool>[] = [];
  const asOwner: Visibility = { ...v, institutionIds: [], trainerId: null };
  if (v.officeRegionPaths.length || v.schoolIds.length || v.teacherId !== null) {
    ors.push(
      eb.exists(
        eb
          .selectFrom('teachers')
          .select(sql`1`.as('one'))
          .whereRef('teachers.id', '=', 'credit_ledger.teacher_id')
          .where((inner) => teacherVisible(inner, asOwner)),
      ),
    );
  }
  if (v.institutionIds.length) {
    ors.push(
      eb.exists(
        eb
          .selectFrom('activities')
          .select(sql`1`.as('one'))
          .whereRef('activities.id', '=', 'credit_ledger.activity_id')
          .where('activities.provider_id', 'in', v.institutionIds),
      ),
    );
  }
  return ors.length ? eb.or(ors) : never;
}

/** Certificates follow their teacher like the ledger, without the institution view. */
export function certificateVisible(
  eb: ExpressionBuilder<DB, 'certificates'>,
  v: Visibility,
): Expression<SqlBool> {
  if (v.all) return sql<SqlBool>`true`;
  const asOwner: Visibility = { ...v, institutionIds: [], trainerId: null };
  if (!v.officeRegionPaths.length && !v.schoolIds.length && v.teacherId === null) return never;
  return eb.exists(
    eb
      .selectFrom('teachers')
      .select(sql`1`.as('one'))
      .whereRef('teachers.id', '=', 'certificates.teacher_id')
      .where((inner) => teacherVisible(inner, asOwner)),
  );
}

/**
 * Trainers in the directory list: the platform sees all; offices the trainers of organizations
 * in their region subtree; institution and school admins their own organization's trainers; a
 * trainer or teacher account its own trainer row. (A session's trainers show wherever the
 * session shows: that path does not go through this predicate.)
 */
export function trainerVisible(
  eb: ExpressionBuilder<DB, 'trainers'>,
  v: Visibility,
): Expression<SqlBool> {
  if (v.all) return sql<SqlBool>`true`;
  const ors: Expression<SqlBool>[] = [];
  if (v.officeRegionPaths.length) {
    ors.push(
      eb.and([
        eb('trainers.organization_id', 'is not', null),
        organizationUnder(
          eb.ref('trainers.organization_id') as Expression<number>,
          v.officeRegionPaths,
        ),
      ]),
    );
  }
  const organizations = [...v.institutionIds, ...v.schoolIds];
  if (organizations.length) ors.push(eb('trainers.organization_id', 'in', organizations));
  if (v.trainerId !== null) ors.push(eb('trainers.id', '=', v.trainerId));
  if (v.teacherId !== null) ors.push(eb('trainers.teacher_id', '=', v.teacherId));
  return ors.length ? eb.or(ors) : never;
}
