import type { Role } from '@registry/domain';
import { insertRows } from './bulk';
import { personName } from './people';
import { at } from './random';
import type { AccountSet, OrganizationSet, SeedContext, Teacher, TrainerSet } from './world';

export const demoPassword = 'demo1234';

/** One sign-in per role, printed by `pnpm seed` and at start-up. */
export const demoLogins: readonly {
  role: Role;
  username: string;
  password: string;
  description: string;
}[] = [
  {
    role: 'platform_admin',
    username: 'admin',
    password: demoPassword,
    description: '平台管理员 — sees everything',
  },
  {
    role: 'office_officer',
    username: 'office',
    password: demoPassword,
    description: '江滨区教育局 — approves activities and confirms rosters of the district',
  },
  {
    // The centre's activities are the city's, and only an office of the city or above decides on
    // them: without this login no demo account could approve what 'institution' submits.
    role: 'office_officer',
    username: 'office.city',
    password: demoPassword,
    description:
      '临江市教育局 — approves the city’s activities (those of the centre) and confirms their rosters',
  },
  {
    role: 'institution_admin',
    username: 'institution',
    password: demoPassword,
    description: '临江市教师发展中心 — registers activities, sessions and trainers',
  },
  {
    role: 'trainer',
    username: 'trainer',
    password: demoPassword,
    description: 'an expert of the centre teaching today’s sessions',
  },
  {
    role: 'school_admin',
    username: 'school',
    password: demoPassword,
    description: '临江市第一实验小学 — confirms eligibility and attendance of its teachers',
  },
  {
    role: 'teacher',
    username: 'teacher',
    password: demoPassword,
    description: 'a mathematics teacher with awarded credits and current enrollments',
  },
];

interface AccountDraft {
  username: string;
  displayName: string;
  role: Role;
  organizationId: number | null;
  teacherId: number | null;
  trainerId: number | null;
}

/**
 * The demo logins (one per role, and the city's office beside the district's), plus one staff account per office, institution and school so that
 * approvals, confirmations and enrollments name who did them. All share one password hash:
 * argon2id costs ~50 ms per hash, which thousands of school accounts cannot afford.
 */
export async function seedAccounts(
  ctx: SeedContext,
  orgs: OrganizationSet,
  trainers: TrainerSet,
  demoTeacher: Teacher,
  passwordHash: string,
): Promise<AccountSet> {
  const random = ctx.random.fork('accounts');
  const demoSchool = demoTeacher.school;
  const demoOffice = orgs.officeByRegion.get(demoSchool.district.id);
  if (!demoOffice) throw new Error('the demo district has no office');
  const lower = (code: string) => code.toLowerCase();
  const staff = (role: Role, organizationId: number, username: string): AccountDraft => ({
    username,
    displayName: personName(random),
    role,
    organizationId,
    teacherId: null,
    trainerId: null,
  });

  const drafts: AccountDraft[] = [
    {
      username: 'admin',
      displayName: '平台管理员',
      role: 'platform_admin',
      organizationId: null,
      teacherId: null,
      trainerId: null,
    },
    staff('office_officer', demoOffice.id, 'office'),
    ...[...orgs.officeByRegion.values()]
      .filter((o) => o.id !== demoOffice.id)
      .map((o) =>
        staff(
          'office_officer',
          o.id,
          o.id === orgs.cityOffice.id ? 'office.city' : `office.${lower(o.code)}`,
        ),
      ),
    staff('institution_admin', orgs.centre.id, 'institution'),
    ...[...orgs.furtherSchoolByDistrict.values()].map((o) =>
      staff('institution_admin', o.id, `institution.${lower(o.code)}`),
    ),
    {
      username: 'trainer',
      displayName: trainers.demo.name,
      role: 'trainer',
      organizationId: orgs.centre.id,
      teacherId: null,
      trainerId: trainers.demo.id,
    },
    staff('school_admin', demoSchool.id, 'school'),
    ...orgs.schools
      .filter((s) => s.id !== demoSchool.id)
      .map((s) => staff('school_admin', s.id, `school.${lower(s.code)}`)),
    {
      username: 'teacher',
      displayName: demoTeacher.name,
      role: 'teacher',
      organizationId: demoSchool.id,
      teacherId: demoTeacher.id,
      trainerId: null,
    },
  ];

  const ids = await insertRows(
    ctx.db,
    'user_accounts',
    {
      username: 'text',
      display_name: 'text',
      password_hash: 'text',
      teacher_id: 'int4',
      trainer_id: 'int4',
    },
    drafts.map((d) => ({
      username: d.username,
      display_name: d.displayName,
      password_hash: passwordHash,
      teacher_id: d.teacherId,
      trainer_id: d.trainerId,
    })),
    { returning: 'id' },
  );
  await insertRows(
    ctx.db,
    'memberships',
    { user_id: 'int4', role: 'text', organization_id: 'int4' },
    drafts.map((d, i) => ({
      user_id: at(ids, i),
      role: d.role,
      organization_id: d.organizationId,
    })),
  );

  const set: AccountSet = {
    adminId: 0,
    officeUserId: 0,
    officerByOrganization: new Map(),
    institutionAdminByOrganization: new Map(),
    schoolAdminBySchool: new Map(),
    trainerUserId: 0,
    teacherUserId: 0,
    demoSchool,
    demoTeacher,
  };
  drafts.forEach((d, i) => {
    const id = at(ids, i);
    if (d.role === 'platform_admin') set.adminId = id;
    if (d.username === 'office') set.officeUserId = id;
    if (d.role === 'trainer') set.trainerUserId = id;
    if (d.role === 'teacher') set.teacherUserId = id;
    if (d.organizationId === null) return;
    if (d.role === 'office_officer') set.officerByOrganization.set(d.organizationId, id);
    if (d.role === 'institution_admin')
      set.institutionAdminByOrganization.set(d.organizationId, id);
    if (d.role === 'school_admin') set.schoolAdminBySchool.set(d.organizationId, id);
  });
  return set;
}
