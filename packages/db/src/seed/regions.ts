import type { Stage } from '@registry/domain';
import { addDays, yearOf } from './calendar';
import { insertRows } from './bulk';
import { chineseNumeral as cn, cityName, districtSpecs, provinceName, villages } from './names';
import { at } from './random';
import type {
  District,
  Organization,
  OrganizationSet,
  Policy,
  RegionRef,
  RegionTree,
  School,
  SeedContext,
} from './world';

/**
 * Province > city > districts. Three statements, one per level: the path trigger reads the
 * parent's path, so a parent must be committed to the table before its children arrive.
 */
export async function seedRegions(ctx: SeedContext): Promise<RegionTree> {
  const insertLevel = async (
    rows: { parent_id: number | null; code: string; name: string; kind: string }[],
  ): Promise<RegionRef[]> => {
    const inserted = await ctx.db
      .insertInto('regions')
      .values(rows)
      .returning(['id', 'code', 'name', 'path'])
      .execute();
    // Matched back by code, so the mapping never depends on the order RETURNING reports.
    return rows.map((row) => {
      const found = inserted.find((r) => r.code === row.code);
      if (!found) throw new Error(`region ${row.code} was not inserted`);
      return found;
    });
  };
  const [province] = await insertLevel([
    { parent_id: null, code: 'JN', name: provinceName, kind: 'province' },
  ]);
  if (!province) throw new Error('province missing');
  const [city] = await insertLevel([
    { parent_id: province.id, code: 'JN-LJ', name: cityName, kind: 'city' },
  ]);
  if (!city) throw new Error('city missing');
  const districtRows = districtSpecs.map((spec, index) => ({
    parent_id: city.id,
    code: `JN-LJ-${String(index + 1).padStart(2, '0')}`,
    name: spec.name,
    kind: 'district',
  }));
  const districts = (await insertLevel(districtRows)).map((region, index): District => ({
    ...region,
    index,
    county: at(districtSpecs, index).county,
    towns: at(districtSpecs, index).towns,
  }));
  return { province, city, districts };
}

export async function seedCreditCategories(ctx: SeedContext): Promise<void> {
  await ctx.db
    .insertInto('credit_categories')
    .values([
      { code: 'general', name_en: 'General subjects', name_zh: '公需科目' },
      { code: 'professional', name_en: 'Professional subjects', name_zh: '专业科目' },
      { code: 'school_based', name_en: 'School-based study', name_zh: '校本研修' },
      { code: 'ethics', name_en: 'Professional ethics', name_zh: '师德师风' },
    ])
    .execute();
}

/**
 * The city's requirement: 360 hours per 5-year cycle. Cycles are aligned on calendar years
 * (2021–2025, 2026–2030, ...); the previous cycle is seeded too, because activities credited a
 * year ago may have been earned in it and their ledger entries must point at the cycle they
 * count toward.
 */
export async function seedPolicies(
  ctx: SeedContext,
  regions: RegionTree,
): Promise<{ current: Policy; previous: Policy }> {
  const year = yearOf(ctx.calendar.today);
  const currentStart = year - ((((year - 2021) % 5) + 5) % 5);
  const cycles = [currentStart - 5, currentStart].map((start) => ({
    startsOn: `${start}-01-01`,
    endsOn: addDays(`${start + 5}-01-01`, -1),
    label: `${start}—${start + 4}`,
  }));
  const rows = cycles.map((cycle) => ({
    region_id: regions.city.id,
    name: `${cityName}中小学教师继续教育学时要求（${cycle.label} 周期）`,
    cycle_starts_on: cycle.startsOn,
    cycle_ends_on: cycle.endsOn,
    total_hours: 360,
    category_minimums: JSON.stringify({ school_based: 120 }),
    category_caps: JSON.stringify({ general: 90 }),
    yearly_cap: 120,
    conversion_factors: JSON.stringify({ online: 0.5, observation: 0.5 }),
  }));
  const inserted = await ctx.db
    .insertInto('requirement_policies')
    .values(rows)
    .returning(['id', 'cycle_starts_on', 'cycle_ends_on'])
    .execute();
  const policies = cycles.map((cycle): Policy => {
    const row = inserted.find((r) => r.cycle_starts_on === cycle.startsOn);
    if (!row) throw new Error(`policy ${cycle.label} was not inserted`);
    return { id: row.id, startsOn: cycle.startsOn, endsOn: cycle.endsOn };
  });
  return { previous: at(policies, 0), current: at(policies, 1) };
}

type SchoolType = 'primary' | 'junior' | 'senior' | 'nineYear' | 'complete';

const stagesOf: Record<SchoolType, Stage[]> = {
  primary: ['primary'],
  junior: ['junior'],
  senior: ['senior'],
  nineYear: ['primary', 'junior'],
  complete: ['junior', 'senior'],
};

/** Relative staff size, used to spread teachers over schools. */
export const staffWeightOf = (school: { stages: Stage[]; isRural: boolean }): number =>
  (school.isRural ? 0.55 : 1.2) *
  (school.stages.length > 1 ? 1.5 : 1) *
  (school.stages.includes('senior') ? 1.3 : 1);

interface SchoolDraft {
  index: number;
  district: District;
  type: SchoolType;
  isRural: boolean;
  name: string;
}

/**
 * Every district has an education office (the city has one too), every district a
 * further-education school, the city a teacher-development centre; then the schools.
 * One INSERT for all of them.
 */
export async function seedOrganizations(
  ctx: SeedContext,
  regions: RegionTree,
): Promise<OrganizationSet> {
  const schoolDrafts = planSchools(ctx, regions);
  const offices = [
    { code: 'EDU-LJ', name: `${cityName}教育局`, regionId: regions.city.id },
    ...regions.districts.map((d) => ({
      code: `EDU-LJ-${String(d.index + 1).padStart(2, '0')}`,
      name: d.county ? `${d.name}教育局` : `${cityName}${d.name}教育局`,
      regionId: d.id,
    })),
  ];
  const institutions = [
    { code: 'TRN-LJ-CENTRE', name: `${cityName}教师发展中心`, regionId: regions.city.id },
    ...regions.districts.map((d) => ({
      code: `TRN-LJ-${String(d.index + 1).padStart(2, '0')}`,
      name: d.county ? `${d.name}教师进修学校` : `${cityName}${d.name}教师进修学校`,
      regionId: d.id,
    })),
  ];
  const rows = [
    ...offices.map((o) => ({
      kind: 'education_office',
      code: o.code,
      name: o.name,
      region_id: o.regionId,
      stages: [] as string[],
      is_rural: null,
    })),
    ...institutions.map((o) => ({
      kind: 'training_institution',
      code: o.code,
      name: o.name,
      region_id: o.regionId,
      stages: [] as string[],
      is_rural: null,
    })),
    ...schoolDrafts.map((s) => ({
      kind: 'school',
      code: `SCH${String(s.index + 1).padStart(5, '0')}`,
      name: s.name,
      region_id: s.district.id,
      stages: stagesOf[s.type],
      is_rural: s.isRural,
    })),
  ];
  const ids = await insertRows(
    ctx.db,
    'organizations',
    {
      kind: 'text',
      code: 'text',
      name: 'text',
      region_id: 'int4',
      stages: 'text[]',
      is_rural: 'bool',
    },
    rows,
    { returning: 'id' },
  );
  const orgs = rows.map((row, i): Organization => ({
    id: at(ids, i),
    code: row.code,
    name: row.name,
    kind: row.kind as Organization['kind'],
    regionId: row.region_id,
  }));
  const officeOrgs = orgs.slice(0, offices.length);
  const institutionOrgs = orgs.slice(offices.length, offices.length + institutions.length);
  const schools = schoolDrafts.map((draft, i): School => ({
    ...at(orgs, offices.length + institutions.length + i),
    kind: 'school',
    index: draft.index,
    district: draft.district,
    stages: stagesOf[draft.type],
    isRural: draft.isRural,
    teachers: [],
  }));
  return {
    cityOffice: at(officeOrgs, 0),
    officeByRegion: new Map(officeOrgs.map((o) => [o.regionId, o])),
    centre: at(institutionOrgs, 0),
    furtherSchoolByDistrict: new Map(institutionOrgs.slice(1).map((o) => [o.regionId, o])),
    schools,
  };
}

/** About one school per 60 teachers, never fewer than 24: small towns have small schools. */
export function schoolCountFor(teachers: number): number {
  return Math.max(24, Math.round(teachers / 60));
}

function planSchools(ctx: SeedContext, regions: RegionTree): SchoolDraft[] {
  const random = ctx.random.fork('schools');
  const count = schoolCountFor(ctx.teacherCount);
  const counters = new Map<string, number>();
  const nextNumber = (key: string): number => {
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return n;
  };
  const drafts: SchoolDraft[] = [];
  for (let index = 0; index < count; index += 1) {
    // Round robin keeps every district populated at every size.
    const district = at(regions.districts, index % regions.districts.length);
    // The first school of the first district is the demo school (an urban primary school) and
    // the first school of the first county is a rural township primary school.
    const forcedUrbanPrimary = index === 0;
    const forcedRuralPrimary = district.county && index < regions.districts.length;
    const isRural =
      forcedRuralPrimary || (!forcedUrbanPrimary && district.county && random.chance(0.7));
    const type: SchoolType =
      forcedUrbanPrimary || forcedRuralPrimary
        ? 'primary'
        : isRural
          ? random.weighted([
              ['primary', 65],
              ['junior', 20],
              ['nineYear', 15],
            ])
          : random.weighted([
              ['primary', 50],
              ['junior', 22],
              ['senior', 13],
              ['nineYear', 7],
              ['complete', 8],
            ]);
    drafts.push({
      index,
      district,
      type,
      isRural,
      name: schoolName(district, type, isRural, nextNumber),
    });
  }
  return drafts;
}

const typeSuffix: Record<SchoolType, string> = {
  primary: '小学',
  junior: '初级中学',
  senior: '中学',
  complete: '中学',
  nineYear: '九年一贯制学校',
};

function schoolName(
  district: District,
  type: SchoolType,
  isRural: boolean,
  nextNumber: (key: string) => number,
): string {
  if (isRural) {
    const n = nextNumber(`${district.index}:rural:${type}`) - 1;
    const town = at(district.towns, n % district.towns.length);
    const round = Math.floor(n / district.towns.length);
    if (type === 'primary') {
      if (round === 0) return `${town}中心小学`;
      const village = at(villages, (round - 1) % villages.length);
      const cycle = Math.floor((round - 1) / villages.length);
      return `${town}${village}${cycle ? `第${cn(cycle + 1)}` : ''}小学`;
    }
    return round === 0
      ? `${town}${typeSuffix[type]}`
      : `${town}第${cn(round + 1)}${typeSuffix[type]}`;
  }
  // Senior and complete middle schools share one numbering, as real 第N中学 do.
  const key = type === 'complete' ? 'senior' : type;
  if (district.county) {
    const n = nextNumber(`${district.index}:town:${key}`);
    if (type === 'primary' && n === 1) return `${district.name}实验小学`;
    return `${district.name}第${cn(n)}${typeSuffix[type]}`;
  }
  if (type === 'primary') {
    const n = nextNumber('city:primary');
    if (n <= 2) return `${cityName}第${cn(n)}实验小学`;
    return `${cityName}${district.name}第${cn(nextNumber(`${district.index}:primary`))}小学`;
  }
  if (type === 'nineYear') {
    return `${cityName}${district.name}第${cn(nextNumber(`${district.index}:nineYear`))}${typeSuffix[type]}`;
  }
  return `${cityName}第${cn(nextNumber(`city:${key}`))}${typeSuffix[type]}`;
}
