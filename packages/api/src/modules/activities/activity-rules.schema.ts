import type { CompletionRules, EligibilityRules } from '@registry/domain';
import { audience, builder } from '../../builder';
import { loadAll } from '../../loaders';
import { AssessmentResultEnum, RoleTagEnum, StageEnum } from '../enums';
import { OrganizationRef, RegionRef } from '../organizations/organization.schema';

/** Output and input shapes of the rules an activity stores as JSON (see domain rule-schemas). */
export const LocalityEnum = builder.enumType('Locality', {
  description: 'Rural or urban school.',
  values: {
    RURAL: { value: 'rural', description: 'Rural school.' },
    URBAN: { value: 'urban', description: 'Urban school.' },
  } as const,
});

export const EligibilityRulesRef = builder
  .objectRef<EligibilityRules>('EligibilityRules')
  .implement({
    extensions: audience.signedIn,
    description: 'Who may take part. Every criterion that is set must hold; unset means anyone.',
    fields: (t) => ({
      stages: t.field({
        type: [StageEnum],
        nullable: true,
        description: 'Teachers of these school stages.',
        resolve: (r) => r.stages ?? null,
      }),
      subjects: t.stringList({
        nullable: true,
        description: 'Teachers of any of these subjects.',
        resolve: (r) => r.subjects ?? null,
      }),
      roleTags: t.field({
        type: [RoleTagEnum],
        nullable: true,
        description: 'Teachers holding at least one of these roles.',
        resolve: (r) => r.roleTags ?? null,
      }),
      regions: t.field({
        type: [RegionRef],
        nullable: true,
        description: 'Regions whose schools may take part, with the regions below them.',
        resolve: async (r, _args, context) =>
          r.regionIds
            ? (await loadAll(context.loaders.region, r.regionIds)).filter((x) => x !== null)
            : null,
      }),
      schools: t.field({
        type: [OrganizationRef],
        nullable: true,
        description: 'The only schools that may take part.',
        resolve: async (r, _args, context) =>
          r.schoolIds
            ? (await loadAll(context.loaders.organization, r.schoolIds)).filter((x) => x !== null)
            : null,
      }),
      locality: t.field({
        type: LocalityEnum,
        nullable: true,
        description: 'Only rural or only urban schools.',
        resolve: (r) => r.locality ?? null,
      }),
      minYearsOfService: t.int({
        nullable: true,
        description: 'At least this many years of service.',
        resolve: (r) => r.minYearsOfService ?? null,
      }),
      maxYearsOfService: t.int({
        nullable: true,
        description: 'At most this many years of service.',
        resolve: (r) => r.maxYearsOfService ?? null,
      }),
    }),
  });

export const CompletionRulesRef = builder.objectRef<CompletionRules>('CompletionRules').implement({
  extensions: audience.signedIn,
  description: 'What a participant must do to complete and be credited.',
  fields: (t) => ({
    minAttendanceRatio: t.exposeFloat('minAttendanceRatio', {
      description: 'Share of session hours attended (present or late), 0 to 1.',
    }),
    requireOnlineMinimums: t.exposeBoolean('requireOnlineMinimums', {
      description: 'Every online block must reach its minimum minutes.',
    }),
    minAssignmentsOnTime: t.exposeInt('minAssignmentsOnTime', {
      description: 'Assignments that must be submitted on time.',
    }),
    minAssessment: t.field({
      type: AssessmentResultEnum,
      nullable: true,
      description: 'Lowest final assessment that completes; null when there is none.',
      resolve: (r) => r.minAssessment ?? null,
    }),
  }),
});

export const EligibilityRulesInput = builder.inputType('EligibilityRulesInput', {
  description: 'Who may take part; leave a field out for no restriction.',
  fields: (t) => ({
    stages: t.field({ type: [StageEnum], required: false, description: 'School stages.' }),
    subjects: t.stringList({ required: false, description: 'Subjects, e.g. 数学.' }),
    roleTags: t.field({
      type: [RoleTagEnum],
      required: false,
      description: 'At least one of these roles.',
    }),
    regionIds: t.idList({ required: false, description: 'Global IDs of regions.' }),
    schoolIds: t.idList({ required: false, description: 'Global IDs of schools.' }),
    locality: t.field({ type: LocalityEnum, required: false, description: 'Rural or urban.' }),
    minYearsOfService: t.int({ required: false, description: 'Minimum years of service.' }),
    maxYearsOfService: t.int({ required: false, description: 'Maximum years of service.' }),
  }),
});

export const CompletionRulesInput = builder.inputType('CompletionRulesInput', {
  description:
    'Completion rules; omitted fields take their defaults (80 % attendance, online minimums required).',
  fields: (t) => ({
    minAttendanceRatio: t.float({ required: false, description: '0 to 1.' }),
    requireOnlineMinimums: t.boolean({
      required: false,
      description: 'Every online block must reach its minimum.',
    }),
    minAssignmentsOnTime: t.int({ required: false, description: 'Assignments due on time.' }),
    minAssessment: t.field({
      type: AssessmentResultEnum,
      required: false,
      description: 'QUALIFIED or EXCELLENT.',
    }),
  }),
});
