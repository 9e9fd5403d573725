import type { RoleTag, Stage, TrainerKind } from '@registry/domain';
import { insertRows } from './bulk';
import {
  coreSubjects,
  expertTitles,
  famousTeacherTitles,
  givenNameCharacters,
  subjectsByStage,
  surnames,
} from './names';
import { at, type Random } from './random';
import { staffWeightOf } from './regions';
import type { OrganizationSet, School, SeedContext, Teacher, Trainer, TrainerSet } from './world';

/** A Chinese name: common surnames are drawn more often, given names have one or two characters. */
export function personName(random: Random): string {
  const surname = at(surnames, Math.floor(surnames.length * random.next() ** 1.6));
  const first = random.pick(givenNameCharacters);
  return random.chance(0.3)
    ? `${surname}${first}`
    : `${surname}${first}${random.pick(givenNameCharacters)}`;
}

/** Smallest staff room: a principal, a mentor, a new teacher and one more. */
const minimumStaff = 4;
/** The demo school needs room for the demo teacher, new teachers and their mentor. */
const minimumDemoStaff = 14;

/** Spreads teachers over schools by staff weight (largest schools first when rounding). */
function allocateStaff(total: number, schools: School[]): number[] {
  const weights = schools.map(staffWeightOf);
  const sum = weights.reduce((a, b) => a + b, 0);
  const minimum = (i: number) => (i === 0 ? minimumDemoStaff : minimumStaff);
  const counts = weights.map((w, i) => Math.max(minimum(i), Math.floor((total * w) / sum)));
  let diff = total - counts.reduce((a, b) => a + b, 0);
  const order = schools.map((_, i) => i).sort((a, b) => at(weights, b) - at(weights, a) || a - b);
  for (let k = 0; diff !== 0; k = (k + 1) % order.length) {
    const i = at(order, k);
    if (diff > 0) {
      counts[i] = at(counts, i) + 1;
      diff -= 1;
    } else if (at(counts, i) > minimum(i)) {
      counts[i] = at(counts, i) - 1;
      diff += 1;
    }
  }
  return counts;
}

interface TeacherDraft {
  school: School;
  name: string;
  stage: Stage;
  subjects: string[];
  roleTags: RoleTag[];
  yearsOfService: number;
}

function pickSubject(random: Random, stage: Stage): string {
  const subjects = subjectsByStage[stage];
  const coreWeight = stage === 'primary' ? 9 : 4;
  return random.weighted(subjects.map((s) => [s, coreSubjects.has(s) ? coreWeight : 1] as const));
}

function canonicalTags(tags: Set<RoleTag>): RoleTag[] {
  const order: RoleTag[] = ['new_teacher', 'backbone_teacher', 'class_teacher', 'principal'];
  return order.filter((tag) => tags.has(tag));
}

/**
 * Teachers of one school. The first is its principal; in the demo school the next four are
 * fixed so the demo logins always find what they need: the demo teacher (a backbone and class
 * teacher of mathematics), two new teachers and an experienced colleague to mentor them.
 */
function draftStaff(random: Random, school: School, count: number): TeacherDraft[] {
  const drafts: TeacherDraft[] = [];
  for (let j = 0; j < count; j += 1) {
    const stage =
      school.stages.length === 1
        ? at(school.stages, 0)
        : random.chance(0.6)
          ? at(school.stages, 0)
          : at(school.stages, 1);
    const subject = pickSubject(random, stage);
    const subjects = [subject];
    if (random.chance(stage === 'primary' ? 0.2 : 0.05)) {
      const second = pickSubject(random, stage);
      if (second !== subject) subjects.push(second);
    }
    const tags = new Set<RoleTag>();
    let years: number;
    const fixed = school.index === 0 ? j : -1;
    if (j === 0) {
      years = random.int(18, 32);
      tags.add('principal');
      if (random.chance(0.4)) tags.add('backbone_teacher');
    } else if (fixed === 1) {
      years = 12;
      subjects.splice(0, subjects.length, '数学');
      tags.add('backbone_teacher').add('class_teacher');
    } else if (fixed === 2 || fixed === 3) {
      years = fixed - 2;
    } else if (fixed === 4) {
      years = 20;
      tags.add('backbone_teacher');
    } else {
      years = random.chance(0.14)
        ? random.int(0, 2)
        : Math.min(40, 3 + Math.floor(random.next() ** 1.3 * 34));
      if (years >= 8 && random.chance(0.18)) tags.add('backbone_teacher');
      if (years >= 1 && random.chance(0.45)) tags.add('class_teacher');
    }
    if (years < 3) tags.add('new_teacher');
    drafts.push({
      school,
      name: personName(random),
      stage: fixed === 1 ? 'primary' : stage,
      subjects,
      roleTags: canonicalTags(tags),
      yearsOfService: years,
    });
  }
  return drafts;
}

export async function seedTeachers(ctx: SeedContext, orgs: OrganizationSet): Promise<Teacher[]> {
  const random = ctx.random.fork('teachers');
  const counts = allocateStaff(ctx.teacherCount, orgs.schools);
  const drafts = orgs.schools.flatMap((school, i) => draftStaff(random, school, at(counts, i)));
  const rows = drafts.map((d, i) => ({
    national_id: `T${String(i + 1).padStart(9, '0')}`,
    name: d.name,
    school_id: d.school.id,
    stage: d.stage,
    subjects: d.subjects,
    role_tags: d.roleTags,
    years_of_service: d.yearsOfService,
    is_rural: d.school.isRural,
  }));
  const ids = await insertRows(
    ctx.db,
    'teachers',
    {
      national_id: 'text',
      name: 'text',
      school_id: 'int4',
      stage: 'text',
      subjects: 'text[]',
      role_tags: 'text[]',
      years_of_service: 'int4',
      is_rural: 'bool',
    },
    rows,
    { returning: 'id' },
  );
  return drafts.map((d, i) => {
    const teacher: Teacher = {
      id: at(ids, i),
      nationalId: at(rows, i).national_id,
      name: d.name,
      school: d.school,
      stage: d.stage,
      subjects: d.subjects,
      roleTags: d.roleTags,
      yearsOfService: d.yearsOfService,
      isRural: d.school.isRural,
    };
    d.school.teachers.push(teacher);
    return teacher;
  });
}

/** The demo teacher: the fixed second member of the demo school's staff. */
export function demoTeacherOf(orgs: OrganizationSet): Teacher {
  return at(at(orgs.schools, 0).teachers, 1);
}

interface TrainerDraft {
  name: string;
  kind: TrainerKind;
  title: string;
  organizationId: number | null;
  teacher: Teacher | null;
}

/**
 * Experts and famous teachers come from universities, research institutes and the centre;
 * backbone teachers and mentors are teachers of the registry (linked by teacher_id), so a
 * mentor is always a colleague at the new teacher's school.
 */
export async function seedTrainers(
  ctx: SeedContext,
  orgs: OrganizationSet,
  teachers: Teacher[],
): Promise<TrainerSet> {
  const random = ctx.random.fork('trainers');
  const demoTeacher = demoTeacherOf(orgs);
  const drafts: TrainerDraft[] = [];
  const expertCount = Math.max(6, Math.round(ctx.teacherCount / 4000));
  for (let i = 0; i < expertCount; i += 1) {
    const title =
      i === 0 ? '临江市教师发展中心研训员（高级讲师）' : at(expertTitles, i % expertTitles.length);
    drafts.push({
      name: personName(random),
      kind: 'expert',
      title,
      organizationId: title.includes('教师发展中心') ? orgs.centre.id : null,
      teacher: null,
    });
  }
  const urbanSchools = orgs.schools.filter((s) => !s.isRural);
  const famousCount = Math.max(4, Math.round(ctx.teacherCount / 5000));
  for (let i = 0; i < famousCount; i += 1) {
    drafts.push({
      name: personName(random),
      kind: 'famous_teacher',
      title: at(famousTeacherTitles, i % famousTeacherTitles.length),
      organizationId: random.pick(urbanSchools).id,
      teacher: null,
    });
  }
  // Mentors first: every school with new teachers needs one, and a backbone teacher who
  // already tutors city-wide should not take the only experienced colleague of a small school.
  const taken = new Set<number>([demoTeacher.id]);
  const mentors: TrainerDraft[] = [];
  for (const school of orgs.schools) {
    if (!school.teachers.some((t) => t.roleTags.includes('new_teacher'))) continue;
    const candidates = school.teachers.filter(
      (t) => t.yearsOfService >= 10 && !taken.has(t.id) && !t.roleTags.includes('principal'),
    );
    const mentor = candidates.find((t) => t.roleTags.includes('backbone_teacher')) ?? candidates[0];
    if (!mentor) continue;
    taken.add(mentor.id);
    mentors.push({
      name: mentor.name,
      kind: 'mentor',
      title: '新教师指导教师',
      organizationId: school.id,
      teacher: mentor,
    });
  }
  const backboneCount = Math.max(10, Math.round(ctx.teacherCount / 300));
  const backboneCandidates = random.shuffle(
    teachers.filter((t) => t.roleTags.includes('backbone_teacher') && !taken.has(t.id)),
  );
  for (const teacher of backboneCandidates.slice(0, backboneCount)) {
    drafts.push({
      name: teacher.name,
      kind: 'backbone_teacher',
      title: `${teacher.school.district.county ? '县级' : random.pick(['市级', '区级'])}骨干教师（${at(teacher.subjects, 0)}）`,
      organizationId: teacher.school.id,
      teacher,
    });
  }
  drafts.push(...mentors);
  const ids = await insertRows(
    ctx.db,
    'trainers',
    { name: 'text', kind: 'text', title: 'text', organization_id: 'int4', teacher_id: 'int4' },
    drafts.map((d) => ({
      name: d.name,
      kind: d.kind,
      title: d.title,
      organization_id: d.organizationId,
      teacher_id: d.teacher?.id ?? null,
    })),
    { returning: 'id' },
  );
  const all = drafts.map((d, i): Trainer => ({ ...d, id: at(ids, i) }));
  const set: TrainerSet = {
    all,
    demo: at(all, 0),
    experts: all.filter((t) => t.kind === 'expert'),
    famousTeachers: all.filter((t) => t.kind === 'famous_teacher'),
    backboneByDistrict: new Map(),
    backboneBySchool: new Map(),
    mentorBySchool: new Map(),
  };
  for (const trainer of all) {
    if (!trainer.teacher) continue;
    const school = trainer.teacher.school;
    if (trainer.kind === 'mentor') set.mentorBySchool.set(school.id, trainer);
    if (trainer.kind === 'backbone_teacher') {
      pushTo(set.backboneBySchool, school.id, trainer);
      pushTo(set.backboneByDistrict, school.district.id, trainer);
    }
  }
  return set;
}

export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
