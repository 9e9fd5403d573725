import type { Kysely } from 'kysely';
import type { RoleTag, Stage, TrainerKind } from '@registry/domain';
import type { DB } from '../generated/database';
import type { Calendar } from './calendar';
import type { Random } from './random';

/** What every stage of the generator gets: the transaction, its random stream and the calendar. */
export interface SeedContext {
  db: Kysely<DB>;
  random: Random;
  seed: number;
  calendar: Calendar;
  teacherCount: number;
}

export interface RegionRef {
  id: number;
  code: string;
  name: string;
  path: string;
}

export interface District extends RegionRef {
  index: number;
  county: boolean;
  towns: readonly string[];
}

export interface RegionTree {
  province: RegionRef;
  city: RegionRef;
  districts: District[];
}

export interface Organization {
  id: number;
  code: string;
  name: string;
  kind: 'education_office' | 'training_institution' | 'school';
  regionId: number;
}

export interface School extends Organization {
  kind: 'school';
  index: number;
  district: District;
  stages: Stage[];
  isRural: boolean;
  teachers: Teacher[];
}

export interface OrganizationSet {
  cityOffice: Organization;
  /** The education office of a region (city or district), by region id: it approves activities there. */
  officeByRegion: Map<number, Organization>;
  /** 临江市教师发展中心: the city's teacher-training centre. */
  centre: Organization;
  /** Each district's further-education school (教师进修学校), by district id. */
  furtherSchoolByDistrict: Map<number, Organization>;
  schools: School[];
}

export interface Policy {
  id: number;
  startsOn: string;
  endsOn: string;
}

export interface Teacher {
  id: number;
  nationalId: string;
  name: string;
  school: School;
  stage: Stage;
  subjects: string[];
  roleTags: RoleTag[];
  yearsOfService: number;
  isRural: boolean;
}

export interface Trainer {
  id: number;
  name: string;
  kind: TrainerKind;
  title: string;
  organizationId: number | null;
  teacher: Teacher | null;
}

export interface TrainerSet {
  all: Trainer[];
  /** The trainer behind the `trainer` demo login. */
  demo: Trainer;
  experts: Trainer[];
  famousTeachers: Trainer[];
  backboneByDistrict: Map<number, Trainer[]>;
  backboneBySchool: Map<number, Trainer[]>;
  mentorBySchool: Map<number, Trainer>;
}

export interface AccountSet {
  adminId: number;
  /** The `office` demo login: officer of the demo district's education office. */
  officeUserId: number;
  officerByOrganization: Map<number, number>;
  institutionAdminByOrganization: Map<number, number>;
  schoolAdminBySchool: Map<number, number>;
  trainerUserId: number;
  teacherUserId: number;
  demoSchool: School;
  demoTeacher: Teacher;
}
