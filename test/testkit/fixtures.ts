import {
  hashPassword,
  insertActivity,
  type Activity,
  type DB,
  type NewActivity,
  type Teachers,
} from '@registry/db';
import type { Role } from '@registry/domain';
import type { Insertable, Kysely } from 'kysely';

/**
 * Builds data step by step the way the domain reads: region → organizations → teachers →
 * activity → sessions → enrollments. Every call fills what the caller does not care about
 * with valid defaults and unique codes, and returns the row's id with its key facts.
 */
export class Fixtures {
  #next = 0;

  constructor(readonly db: Kysely<DB>) {}

  #unique(prefix: string): string {
    this.#next += 1;
    return `${prefix}${String(this.#next).padStart(4, '0')}`;
  }

  async region(parent?: { id: number; path: string }) {
    const kind = parent ? (parent.path.split('/').length > 3 ? 'district' : 'city') : 'province';
    const row = await this.db
      .insertInto('regions')
      .values({
        parent_id: parent?.id ?? null,
        code: this.#unique('R'),
        name: `区域${this.#next}`,
        kind,
      })
      .returning(['id', 'path'])
      .executeTakeFirstOrThrow();
    return row;
  }

  async organization(
    kind: 'education_office' | 'training_institution' | 'school',
    region: { id: number },
    options: { isRural?: boolean; stages?: string[] } = {},
  ) {
    const row = await this.db
      .insertInto('organizations')
      .values({
        kind,
        code: this.#unique('O'),
        name: `机构${this.#next}`,
        region_id: region.id,
        stages: kind === 'school' ? (options.stages ?? ['primary']) : [],
        is_rural: kind === 'school' ? (options.isRural ?? false) : null,
      })
      .returning(['id', 'region_id'])
      .executeTakeFirstOrThrow();
    return { id: row.id, regionId: row.region_id };
  }

  async teacher(school: { id: number }, overrides: Partial<Insertable<Teachers>> = {}) {
    return this.db
      .insertInto('teachers')
      .values({
        national_id: this.#unique('T00'),
        name: `教师${this.#next}`,
        school_id: school.id,
        stage: 'primary',
        subjects: ['数学'],
        role_tags: [],
        years_of_service: 5,
        is_rural: false,
        ...overrides,
      })
      .returning(['id', 'national_id', 'school_id'])
      .executeTakeFirstOrThrow();
  }

  async trainer(organization?: { id: number }) {
    return this.db
      .insertInto('trainers')
      .values({
        name: `讲师${this.#next++}`,
        kind: 'expert',
        organization_id: organization?.id ?? null,
      })
      .returning(['id'])
      .executeTakeFirstOrThrow();
  }

  async category(code = 'professional') {
    await this.db
      .insertInto('credit_categories')
      .values({ code, name_en: code, name_zh: code })
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    return { code };
  }

  async activity(
    provider: { id: number; regionId: number },
    overrides: Partial<NewActivity> = {},
  ): Promise<Activity> {
    const { code: category } = await this.category(overrides.category);
    return insertActivity(this.db, {
      code: this.#unique('A'),
      title: `培训活动${this.#next}`,
      providerId: provider.id,
      regionId: provider.regionId,
      category,
      level: 'district',
      deliveryMode: 'centralized',
      creditHours: 6,
      startsOn: '2026-03-01',
      endsOn: '2026-03-02',
      ...overrides,
    });
  }

  async session(
    activity: { id: number },
    overrides: Partial<{
      sequence: number;
      starts_at: string;
      ends_at: string;
      hours: number;
    }> = {},
  ) {
    return this.db
      .insertInto('sessions')
      .values({
        activity_id: activity.id,
        sequence: overrides.sequence ?? (this.#next += 1),
        title: `第${this.#next}讲`,
        mode: 'in_person',
        starts_at: overrides.starts_at ?? '2026-03-01T01:00:00Z',
        ends_at: overrides.ends_at ?? '2026-03-01T07:00:00Z',
        hours: overrides.hours ?? 6,
        location: '教师发展中心报告厅',
      })
      .returning(['id', 'activity_id'])
      .executeTakeFirstOrThrow();
  }

  async enrollment(activity: { id: number }, teacher: { id: number; school_id: number }) {
    return this.db
      .insertInto('enrollments')
      .values({
        activity_id: activity.id,
        teacher_id: teacher.id,
        school_id: teacher.school_id,
        source: 'school',
      })
      .returning(['id', 'activity_id', 'teacher_id'])
      .executeTakeFirstOrThrow();
  }

  static readonly password = 'correct horse 马';
  static #passwordHash: Promise<string> | undefined;

  /** An account holding one role (for one organization unless platform admin). */
  async account(
    role: Role,
    organization: { id: number } | null,
    links: { teacherId?: number; trainerId?: number } = {},
  ) {
    Fixtures.#passwordHash ??= hashPassword(Fixtures.password);
    const username = this.#unique(`${role.replace('_', '-')}.`).toLowerCase();
    const user = await this.db
      .insertInto('user_accounts')
      .values({
        username,
        display_name: username,
        password_hash: await Fixtures.#passwordHash,
        teacher_id: links.teacherId ?? null,
        trainer_id: links.trainerId ?? null,
      })
      .returning(['id', 'username'])
      .executeTakeFirstOrThrow();
    await this.db
      .insertInto('memberships')
      .values({ user_id: user.id, role, organization_id: organization?.id ?? null })
      .execute();
    return { ...user, password: Fixtures.password };
  }

  /** A small, complete world: one district with an office, an institution, a school and a teacher. */
  async world() {
    const province = await this.region();
    const city = await this.region(province);
    const district = await this.region(city);
    const office = await this.organization('education_office', district);
    const institution = await this.organization('training_institution', district);
    const school = await this.organization('school', district);
    const teacher = await this.teacher(school);
    const activity = await this.activity(institution);
    const session = await this.session(activity);
    return { province, city, district, office, institution, school, teacher, activity, session };
  }
}
