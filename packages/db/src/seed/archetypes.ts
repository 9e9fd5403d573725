import type {
  ActivityLevel,
  ActivityStatus,
  CompletionRules,
  DeliveryMode,
  EligibilityRules,
  Stage,
} from '@registry/domain';
import { addDays, termOf, timestampAt, yearOf, type Calendar } from './calendar';
import {
  cityName,
  generalCourseTitles,
  lectureTopics,
  openClassTopics,
  schoolStudyThemes,
  stageLabels,
  subjectsByStage,
} from './names';
import { at, type Random } from './random';
import type {
  AccountSet,
  District,
  Organization,
  OrganizationSet,
  RegionTree,
  School,
  Teacher,
  Trainer,
  TrainerSet,
} from './world';

/**
 * The kinds of activity the city runs, each with its believable shape: who offers it, to whom,
 * how its sessions are laid out, what completes it. Dates are decided later from the status.
 */

export type Archetype =
  | 'nationalBackbone'
  | 'distanceTraining'
  | 'openClass'
  | 'schoolStudy'
  | 'mentoring'
  | 'observation'
  | 'ethicsOnline'
  | 'generalOnline'
  | 'newTeacherInduction'
  | 'classTeacher'
  | 'subjectWorkshop'
  | 'ruralSupport'
  | 'principalForum';

export interface SessionPlan {
  title: string;
  mode: 'in_person' | 'online';
  startsAt: string;
  endsAt: string;
  hours: number;
  location: string | null;
  onlineMinMinutes: number | null;
  trainers: { trainer: Trainer; role: 'lead' | 'assistant' | 'tutor' }[];
}

export interface AssignmentPlan {
  title: string;
  dueAt: string;
}

export interface Slot {
  archetype: Archetype;
  status: ActivityStatus;
  district?: District;
  school?: School;
  /** Offered by the city's centre rather than the district's further-education school. */
  byCentre?: boolean;
  /** The demo trainer leads every session. */
  demoTrainer?: boolean;
  /** Days from today to the first session; otherwise chosen from the status. */
  startOffset?: number;
  focus?: { stage: Stage; subject: string };
  days?: number;
}

/** What an archetype decides before the dates are known. */
export interface Shape {
  title(start: string): string;
  description: string;
  category: string;
  level: ActivityLevel;
  mode: DeliveryMode;
  provider: Organization;
  regionId: number;
  capacity: number | null;
  selfEnrollment: boolean;
  eligibility: EligibilityRules;
  completion: Partial<CompletionRules>;
  pool: readonly Teacher[];
  reach: number;
  /** Days from the first session to the last. */
  span: number;
  sessions(start: string): Omit<SessionPlan, 'trainers'>[];
  assignments(start: string): AssignmentPlan[];
  leads: Trainer[];
  creditHours?: number;
}

export interface PlanWorld {
  calendar: Calendar;
  regions: RegionTree;
  orgs: OrganizationSet;
  teachers: Teacher[];
  teachersByDistrict: Map<number, Teacher[]>;
  trainers: TrainerSet;
  accounts: AccountSet;
}

// --- session shapes -------------------------------------------------------------------------

const dayTimes = { 6: ['09:00', '17:00'], 3: ['14:00', '17:00'], 2: ['15:30', '17:30'] } as const;

function inPerson(date: string, title: string, location: string, hours: 6 | 3 | 2) {
  const [from, to] = dayTimes[hours];
  return {
    title,
    mode: 'in_person' as const,
    startsAt: timestampAt(date, from),
    endsAt: timestampAt(date, to),
    hours,
    location,
    onlineMinMinutes: null,
  };
}

/** An online study block: open all day on the platform, counts when the minimum is reached. */
function onlineBlock(date: string, title: string, minutes: number) {
  return {
    title,
    mode: 'online' as const,
    startsAt: timestampAt(date, '08:00'),
    endsAt: timestampAt(date, '22:00'),
    hours: Math.round((minutes / 60) * 100) / 100,
    location: null,
    onlineMinMinutes: minutes,
  };
}

function homework(date: string, title: string): AssignmentPlan {
  return { title, dueAt: timestampAt(date, '22:00') };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

// --- archetypes -----------------------------------------------------------------------------

export type Build = (w: PlanWorld, slot: Slot, random: Random) => Shape;

const centreHall = `${cityName}教师发展中心报告厅`;

function districtLabel(d: District): string {
  return d.county ? d.name : `${cityName}${d.name}`;
}

function centreLeads(w: PlanWorld): Trainer[] {
  return [...w.trainers.experts, ...w.trainers.famousTeachers];
}

function districtLeads(w: PlanWorld, district: District): Trainer[] {
  return [
    ...w.trainers.experts.slice(1),
    ...w.trainers.famousTeachers,
    ...(w.trainers.backboneByDistrict.get(district.id) ?? []),
  ];
}

function schoolLeads(w: PlanWorld, school: School): Trainer[] {
  const own = w.trainers.backboneBySchool.get(school.id) ?? [];
  if (own.length) return own;
  const district = w.trainers.backboneByDistrict.get(school.district.id) ?? [];
  return district.length ? district : w.trainers.famousTeachers;
}

function furtherSchool(w: PlanWorld, district: District): Organization {
  const org = w.orgs.furtherSchoolByDistrict.get(district.id);
  if (!org) throw new Error(`district ${district.code} has no further-education school`);
  return org;
}

function pickFocus(random: Random): { stage: Stage; subject: string } {
  const stage = random.weighted<Stage>([
    ['primary', 5],
    ['junior', 3],
    ['senior', 2],
  ]);
  const subjects = subjectsByStage[stage];
  return { stage, subject: random.weighted(subjects.map((s, i) => [s, i < 3 ? 4 : 1] as const)) };
}

function pickSchool(w: PlanWorld, random: Random, minimumStaff: number): School {
  const big = w.orgs.schools.filter((s) => s.teachers.length >= minimumStaff);
  return random.pick(big.length ? big : w.orgs.schools);
}

function mentoringSchool(w: PlanWorld, random: Random): School {
  const candidates = w.orgs.schools.filter(
    (s) =>
      w.trainers.mentorBySchool.has(s.id) &&
      s.teachers.some((t) => t.roleTags.includes('new_teacher')),
  );
  return random.pick(candidates);
}

/** City-wide online courses grow with the city: a province's course takes over a thousand. */
function onlineCapacity(w: PlanWorld, random: Random): number {
  const scale = Math.min(2.5, Math.max(1, w.teachers.length / 60_000));
  return Math.round(random.int(300, 600) * scale);
}

export const archetypes: Record<Archetype, Build> = {
  nationalBackbone: (w, _slot, random) => ({
    title: (start) => `国培计划（${yearOf(start)}）——中小学骨干教师能力提升研修项目`,
    description:
      '教育部“中小学幼儿园教师国家级培训计划”项目，面向市、县级骨干教师，围绕新课标落地、课堂教学改进与校本研修指导开展集中研修。',
    category: 'professional',
    level: 'national',
    mode: 'centralized',
    provider: w.orgs.centre,
    regionId: w.regions.city.id,
    capacity: random.int(40, 60),
    selfEnrollment: false,
    eligibility: { roleTags: ['backbone_teacher'] },
    completion: { minAttendanceRatio: 0.9, minAssignmentsOnTime: 1, minAssessment: 'qualified' },
    pool: w.teachers,
    reach: 0.8,
    span: 4,
    sessions: (start) =>
      range(5).map((i) =>
        inPerson(
          addDays(start, i),
          `第${i + 1}天：${at(lectureTopics, i % lectureTopics.length)}`,
          centreHall,
          6,
        ),
      ),
    assignments: (start) => [homework(addDays(start, 4), '研修成果：个人课堂教学改进方案')],
    leads: centreLeads(w),
  }),

  distanceTraining: (w, slot, random) => {
    const district = slot.district ?? random.pick(w.regions.districts);
    const provider = slot.byCentre ? w.orgs.centre : furtherSchool(w, district);
    const hall = slot.byCentre ? centreHall : `${provider.name}多功能厅`;
    return {
      title: (start) =>
        `${districtLabel(district)}${termOf(start).replace('学期', '')}中小学教师远程研修`,
      description:
        '混合式研修：第一天集中面授，随后五天在线学习，每天在线学习不少于 60 分钟，并按时提交研修作业。',
      category: 'professional',
      level: 'district',
      mode: 'blended',
      provider,
      regionId: district.id,
      capacity: random.int(60, 120),
      selfEnrollment: false,
      eligibility: { regionIds: [district.id] },
      completion: { minAttendanceRatio: 0.8, requireOnlineMinimums: true, minAssignmentsOnTime: 2 },
      pool: w.teachersByDistrict.get(district.id) ?? [],
      reach: 0.5,
      span: 5,
      sessions: (start) => [
        inPerson(start, '集中面授：开班仪式与专题讲座', hall, 6),
        ...range(5).map((i) =>
          onlineBlock(
            addDays(start, i + 1),
            `第${i + 2}天在线学习：${at(lectureTopics, (i + 3) % lectureTopics.length)}`,
            60,
          ),
        ),
      ],
      assignments: (start) => [
        homework(addDays(start, 2), '研修日志（一）'),
        homework(addDays(start, 4), '教学设计作业'),
        homework(addDays(start, 5), '研修总结'),
      ],
      creditHours: 12,
      leads: slot.byCentre ? centreLeads(w) : districtLeads(w, district),
    };
  },

  openClass: (w, slot, random) => {
    const school = slot.school ?? pickSchool(w, random, 6);
    const topics = openClassTopics[at(school.stages, 0)];
    return {
      title: (start) => `${school.name}公开课研讨（${termOf(start)}）`,
      description: '本校教师轮流执教公开课，课后集体评课、议课，形成改进意见。',
      category: 'school_based',
      level: 'school',
      mode: 'school_based',
      provider: school,
      regionId: school.district.id,
      capacity: Math.max(5, school.teachers.length),
      selfEnrollment: false,
      eligibility: { schoolIds: [school.id] },
      completion: { minAttendanceRatio: 0.75 },
      pool: school.teachers,
      reach: 0.8,
      span: 21,
      sessions: (start) =>
        range(4).map((i) =>
          inPerson(
            addDays(start, i * 7),
            `公开课：${at(topics, (i + school.index) % topics.length)}`,
            `${school.name}录播教室`,
            2,
          ),
        ),
      assignments: () => [],
      leads: schoolLeads(w, school),
    };
  },

  schoolStudy: (w, slot, random) => {
    const school = slot.school ?? pickSchool(w, random, 6);
    const theme = random.pick(schoolStudyThemes);
    return {
      title: (start) => `${school.name}校本研修：${theme}（${termOf(start)}）`,
      description: `以教研组为单位，围绕“${theme}”开展专题学习、课例研讨与反思交流。`,
      category: 'school_based',
      level: 'school',
      mode: 'school_based',
      provider: school,
      regionId: school.district.id,
      capacity: Math.max(5, school.teachers.length + 5),
      selfEnrollment: false,
      eligibility: { schoolIds: [school.id] },
      completion: { minAttendanceRatio: 0.75 },
      pool: school.teachers,
      reach: 0.9,
      span: 70,
      sessions: (start) =>
        range(6).map((i) =>
          inPerson(
            addDays(start, i * 14),
            `${theme}专题研讨（第${i + 1}次）`,
            `${school.name}会议室`,
            2,
          ),
        ),
      assignments: () => [],
      leads: schoolLeads(w, school),
    };
  },

  mentoring: (w, slot, random) => {
    const school = slot.school ?? mentoringSchool(w, random);
    const mentor = w.trainers.mentorBySchool.get(school.id);
    if (!mentor) throw new Error(`${school.name} has no mentor`);
    return {
      title: (start) => `${school.name}新教师师徒结对（${termOf(start)}）`,
      description: `由${mentor.name}老师指导新入职教师，每周听课、评课与教学指导一次，学期末进行考核。`,
      category: 'school_based',
      level: 'school',
      mode: 'mentoring',
      provider: school,
      regionId: school.district.id,
      capacity: 3,
      selfEnrollment: false,
      eligibility: { schoolIds: [school.id], roleTags: ['new_teacher'], maxYearsOfService: 2 },
      completion: { minAttendanceRatio: 0.8, minAssessment: 'qualified' },
      pool: school.teachers,
      reach: 1,
      span: 17 * 7,
      sessions: (start) =>
        range(18).map((i) =>
          inPerson(
            addDays(start, i * 7),
            `第${i + 1}周：听课、评课与教学指导`,
            `${school.name}教研室`,
            2,
          ),
        ),
      assignments: () => [],
      leads: [mentor],
    };
  },

  observation: (w, slot, random) => {
    const focus = slot.focus ?? pickFocus(random);
    const hosts = w.orgs.schools.filter((s) => !s.isRural && s.stages.includes(focus.stage));
    const host = hosts.length ? random.pick(hosts) : random.pick(w.orgs.schools);
    const days = slot.days ?? random.int(1, 2);
    const label = `${stageLabels[focus.stage]}${focus.subject}`;
    return {
      title: (start) => `${yearOf(start)}年名师课堂教学观摩（${label}）`,
      description: `走进${host.name}，观摩名师现场课并参加评课研讨。观摩学时按规定折算。`,
      category: 'professional',
      level: 'municipal',
      mode: 'observation',
      provider: w.orgs.centre,
      regionId: w.regions.city.id,
      capacity: random.int(40, 80),
      selfEnrollment: true,
      eligibility: { stages: [focus.stage], subjects: [focus.subject] },
      completion: { minAttendanceRatio: days === 1 ? 1 : 0.5 },
      pool: w.teachers,
      reach: 0.6,
      span: days - 1,
      sessions: (start) =>
        range(days).map((i) =>
          inPerson(
            addDays(start, i),
            i === 0 ? `课堂观摩：${label}名师示范课` : '评课研讨与专家点评',
            `${host.name}报告厅`,
            3,
          ),
        ),
      assignments: () => [],
      leads: w.trainers.famousTeachers,
    };
  },

  ethicsOnline: (w, _slot, random) => ({
    title: (start) => `${yearOf(start)}年师德师风专题网络培训`,
    description:
      '学习新时代中小学教师职业行为十项准则，结合典型案例开展警示教育。每个学习单元在线学习不少于 120 分钟。',
    category: 'ethics',
    level: 'municipal',
    mode: 'online',
    provider: w.orgs.centre,
    regionId: w.regions.city.id,
    capacity: onlineCapacity(w, random),
    selfEnrollment: true,
    eligibility: {},
    completion: { minAttendanceRatio: 0.8, requireOnlineMinimums: true, minAssignmentsOnTime: 1 },
    pool: w.teachers,
    reach: 0.3,
    span: 4,
    sessions: (start) =>
      range(5).map((i) =>
        onlineBlock(addDays(start, i), `第${i + 1}单元：师德规范与案例研讨`, 120),
      ),
    assignments: (start) => [homework(addDays(start, 4), '师德学习心得')],
    leads: centreLeads(w),
  }),

  generalOnline: (w, _slot, random) => {
    const course = random.pick(generalCourseTitles);
    return {
      title: (start) => `${course}（${yearOf(start)}）`,
      description: '全省公需科目网络课程，每个学习单元在线学习不少于 120 分钟，完成课程作业。',
      category: 'general',
      level: 'provincial',
      mode: 'online',
      provider: w.orgs.centre,
      regionId: w.regions.city.id,
      capacity: onlineCapacity(w, random),
      selfEnrollment: true,
      eligibility: {},
      completion: { minAttendanceRatio: 0.8, requireOnlineMinimums: true, minAssignmentsOnTime: 1 },
      pool: w.teachers,
      reach: 0.3,
      span: 5,
      sessions: (start) =>
        range(6).map((i) => onlineBlock(addDays(start, i), `第${i + 1}单元在线学习`, 120)),
      assignments: (start) => [homework(addDays(start, 5), '课程作业')],
      leads: centreLeads(w),
    };
  },

  newTeacherInduction: (w, _slot, random) => ({
    title: (start) => `${yearOf(start)}年${cityName}新入职教师岗前培训`,
    description:
      '面向入职三年内的新教师：教育法规、师德规范、课堂常规与班级管理，结业考核合格后计入学时。',
    category: 'professional',
    level: 'municipal',
    mode: 'centralized',
    provider: w.orgs.centre,
    regionId: w.regions.city.id,
    capacity: random.int(80, 120),
    selfEnrollment: false,
    eligibility: { roleTags: ['new_teacher'], maxYearsOfService: 2 },
    completion: { minAttendanceRatio: 0.9, minAssignmentsOnTime: 1, minAssessment: 'qualified' },
    pool: w.teachers,
    reach: 1,
    span: 2,
    sessions: (start) =>
      range(3).map((i) =>
        inPerson(
          addDays(start, i),
          `岗前培训第${i + 1}天：${at(lectureTopics, (i * 3) % lectureTopics.length)}`,
          centreHall,
          6,
        ),
      ),
    assignments: (start) => [homework(addDays(start, 2), '岗前培训总结')],
    leads: centreLeads(w),
  }),

  classTeacher: (w, slot, random) => {
    const district = slot.district ?? random.pick(w.regions.districts);
    const byCentre = slot.byCentre ?? false;
    const provider = byCentre ? w.orgs.centre : furtherSchool(w, district);
    const days = slot.days ?? random.int(2, 3);
    return {
      title: (start) =>
        byCentre
          ? `${yearOf(start)}年${cityName}班主任专业能力提升研修班`
          : `${districtLabel(district)}${yearOf(start)}年班主任工作能力提升培训`,
      description: '聚焦班级建设、学生心理支持与家校沟通，案例研讨与情景模拟相结合。',
      category: 'professional',
      level: byCentre ? 'municipal' : 'district',
      mode: 'centralized',
      provider,
      regionId: byCentre ? w.regions.city.id : district.id,
      capacity: random.int(50, 80),
      selfEnrollment: false,
      eligibility: byCentre
        ? { roleTags: ['class_teacher'] }
        : { roleTags: ['class_teacher'], regionIds: [district.id] },
      completion: { minAttendanceRatio: 0.8 },
      pool: byCentre ? w.teachers : (w.teachersByDistrict.get(district.id) ?? []),
      reach: byCentre ? 0.3 : 0.5,
      span: days - 1,
      sessions: (start) =>
        range(days).map((i) =>
          inPerson(
            addDays(start, i),
            `第${i + 1}天：${i === 0 ? '班级管理与家校沟通' : i === 1 ? '学生心理健康教育' : '班会课设计与展示'}`,
            byCentre ? centreHall : `${provider.name}多功能厅`,
            6,
          ),
        ),
      assignments: () => [],
      leads: byCentre ? centreLeads(w) : districtLeads(w, district),
    };
  },

  subjectWorkshop: (w, slot, random) => {
    const district = slot.district ?? random.pick(w.regions.districts);
    const focus = slot.focus ?? pickFocus(random);
    const provider = furtherSchool(w, district);
    const label = `${stageLabels[focus.stage]}${focus.subject}`;
    return {
      title: (start) => `${districtLabel(district)}${label}学科教研活动（${termOf(start)}）`,
      description: `${label}学科教研：新课标下的单元教学设计与课例研讨。`,
      category: 'professional',
      level: 'district',
      mode: 'centralized',
      provider,
      regionId: district.id,
      capacity: random.int(40, 80),
      selfEnrollment: true,
      eligibility: { regionIds: [district.id], stages: [focus.stage], subjects: [focus.subject] },
      completion: { minAttendanceRatio: 1 },
      pool: w.teachersByDistrict.get(district.id) ?? [],
      reach: 0.9,
      span: 0,
      sessions: (start) => [
        inPerson(start, `${label}单元教学设计与课例研讨`, `${provider.name}多功能厅`, 6),
      ],
      assignments: () => [],
      leads: districtLeads(w, district),
    };
  },

  ruralSupport: (w, _slot, random) => ({
    title: (start) => `${yearOf(start)}年乡村教师素质提升培训`,
    description: '面向乡村学校教师的省级项目：学科教学能力、复式教学与留守儿童关爱。',
    category: 'professional',
    level: 'provincial',
    mode: 'centralized',
    provider: w.orgs.centre,
    regionId: w.regions.city.id,
    capacity: random.int(60, 100),
    selfEnrollment: false,
    eligibility: { locality: 'rural', minYearsOfService: 3 },
    completion: { minAttendanceRatio: 0.8 },
    pool: w.teachers,
    reach: 0.5,
    span: 3,
    sessions: (start) =>
      range(4).map((i) =>
        inPerson(
          addDays(start, i),
          `第${i + 1}天：${at(lectureTopics, (i + 5) % lectureTopics.length)}`,
          centreHall,
          6,
        ),
      ),
    assignments: () => [],
    leads: centreLeads(w),
  }),

  principalForum: (w, _slot, random) => ({
    title: (start) => `${yearOf(start)}年中小学校长领导力专题研修`,
    description: '学校发展规划、课程领导与教师队伍建设专题研修，含名校跟岗交流。',
    category: 'general',
    level: 'municipal',
    mode: 'centralized',
    provider: w.orgs.centre,
    regionId: w.regions.city.id,
    capacity: random.int(40, 60),
    selfEnrollment: false,
    eligibility: { roleTags: ['principal'] },
    completion: { minAttendanceRatio: 0.8 },
    pool: w.teachers,
    reach: 1,
    span: 1,
    sessions: (start) =>
      range(2).map((i) =>
        inPerson(
          addDays(start, i),
          i === 0 ? '学校发展规划与课程领导' : '教师队伍建设与名校跟岗',
          centreHall,
          6,
        ),
      ),
    assignments: () => [],
    leads: centreLeads(w),
  }),
};
