import type { RoleTag, Stage } from '@registry/domain';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, Teachers } from '../generated/database';
import { containsPattern } from './activity.repository';
import { compiledByIds, visibilityKey } from './compiled-once';
import { organizationAt, organizationColumns, type Organization } from './organization.repository';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from './pagination';
import { teacherVisible, type Visibility } from './visibility';

export interface Teacher {
  id: number;
  nationalId: string;
  name: string;
  schoolId: number;
  stage: Stage;
  subjects: string[];
  roleTags: RoleTag[];
  yearsOfService: number;
  isRural: boolean;
}

function toTeacher(row: Selectable<Teachers>): Teacher {
  return {
    id: row.id,
    nationalId: row.national_id,
    name: row.name,
    schoolId: row.school_id,
    stage: row.stage as Stage,
    subjects: row.subjects,
    roleTags: row.role_tags as RoleTag[],
    yearsOfService: row.years_of_service,
    isRural: row.is_rural,
  };
}

export interface TeacherFilter {
  /** Part of the name (Chinese as typed) or the start of the national teacher ID. */
  search?: string | null | undefined;
  schoolIds?: ReadonlyArray<number> | null | undefined;
  stages?: ReadonlyArray<Stage> | null | undefined;
}

function filtered(db: Kysely<DB>, visibility: Visibility, filter: TeacherFilter) {
  let query = db.selectFrom('teachers').where((eb) => teacherVisible(eb, visibility));
  const search = filter.search?.trim();
  if (search) {
    query = query.where((eb) =>
      eb.or([
        eb('teachers.name', 'ilike', containsPattern(search)),
        eb('teachers.national_id', 'like', `${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`),
      ]),
    );
  }
  if (filter.schoolIds?.length) query = query.where('teachers.school_id', 'in', filter.schoolIds);
  if (filter.stages?.length) query = query.where('teachers.stage', 'in', filter.stages);
  return query;
}

/** By name, then id: the order a school administrator scans a staff list in. */
export async function findTeachers(
  db: Kysely<DB>,
  visibility: Visibility,
  filter: TeacherFilter,
  page: PageRequest,
): Promise<Page<Teacher>> {
  let query = filtered(db, visibility, filter).selectAll('teachers');
  if (page.after) {
    const [name, id] = decodeCursor(page.after, ['string', 'number']) as [string, number];
    query = query.where(sql<boolean>`(teachers.name, teachers.id) > (${name}, ${id}::int)`);
  }
  const rows = await query
    .orderBy('teachers.name')
    .orderBy('teachers.id')
    .limit(page.first + 1)
    .execute();
  return {
    rows: rows.slice(0, page.first).map(toTeacher),
    hasNextPage: rows.length > page.first,
    cursorOf: (t) => encodeCursor([t.name, t.id]),
  };
}

export async function countTeachers(
  db: Kysely<DB>,
  visibility: Visibility,
  filter: TeacherFilter,
): Promise<number> {
  const row = await filtered(db, visibility, filter)
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Teachers with their schools, in one statement: the screens that show a teacher show where
 * they teach (rosters, attendance, search results), and the school is one primary-key join
 * away, so the teacher loader hands the schools to the organization loader instead of a
 * second round trip (pnpm bench W3: activity → … → teacher → school one statement fewer).
 * The school comes with the teacher under the teacher's visibility only: organizations are
 * public (the organization loader has no visibility rule).
 */
export async function findTeachersWithSchoolsByIds(
  db: Kysely<DB>,
  visibility: Visibility,
  ids: ReadonlyArray<number>,
): Promise<Array<{ teacher: Teacher; school: Organization }>> {
  if (ids.length === 0) return [];
  const rows = await teachersWithSchoolsByIds(db, visibility, ids);
  return rows.map((row) => ({
    teacher: toTeacher(row),
    school: organizationAt('school', row.school_id, row),
  }));
}

const teachersWithSchoolsByIds = compiledByIds({
  shapeKey: visibilityKey,
  build: (db, anyId, visibility: Visibility) =>
    db
      .selectFrom('teachers')
      .innerJoin('organizations as school', 'school.id', 'teachers.school_id')
      .selectAll('teachers')
      .select(organizationColumns('school'))
      .where('teachers.id', '=', anyId)
      .where((eb) => teacherVisible(eb, visibility)),
});
