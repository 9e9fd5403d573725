import {
  findProgressFactsByTeacherIds,
  readsLedgerAsOwner,
  type ProgressFacts,
} from '@registry/db';
import {
  progressStatuses,
  todayInChina,
  type CategoryProgress,
  type ProgressLine,
} from '@registry/domain';
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { audience, builder } from '../../builder';
import { requestCache, type Context } from '../../context';
import { loadAll } from '../../loaders';
import { ActivityRef } from '../activities/activity.schema';
import { RequirementPolicyRef } from '../credits/policy.schema';
import { EnrollmentRef } from '../enrollments/enrollment.schema';
import { localIdOf } from '../ids';
import { selectsAnyOf } from '../selection';
import { CreditCategoryRef } from '../organizations/organization.schema';
import { TeacherRef } from '../teachers/teacher.schema';
import {
  bindingPolicyOn,
  describeUncreditedReason,
  teacherProgress,
  type TeacherProgress,
  type UncreditedEnrollment,
  type UncreditedReason,
  type UncreditedReasonCode,
} from './progress';

/**
 * Progress facts per teacher, batched per request (one set of statements for a whole list).
 * Two loaders: with the enrollments (their sessions and attendance, for `plannedHours` and
 * `uncredited`) and without, when only the ledger-based figures were asked for — a transcript
 * of twenty years reads its ledger, not every attendance row of every enrollment.
 */
const factLoaders = requestCache((context: Context) => {
  const loader = (enrollments: boolean) =>
    new DataLoader(async (ids: readonly number[]) => {
      // The ledger the transcript's entries load (creditEntries) is the one progress sums
      // when the caller reads it as the owner does: one read for both.
      let ledger: Map<number, ProgressFacts['entries']> | undefined;
      if (readsLedgerAsOwner(context.visibility)) {
        const loaded = await context.loaders.creditEntriesOfTeacher.loadMany(ids);
        ledger = new Map();
        for (const [i, entries] of loaded.entries()) {
          if (entries instanceof Error) throw entries;
          ledger.set(ids[i]!, entries);
        }
      }
      const facts = await findProgressFactsByTeacherIds(context.db, context.visibility, ids, {
        enrollments,
        ...(ledger ? { ledger } : {}),
        // Through the loader, so the process's reference cache answers them (decision 0023).
        readPolicies: async (policyIds) =>
          (await loadAll(context.loaders.requirementPolicy, policyIds)).filter(
            (policy) => policy !== null,
          ),
      });
      return ids.map((id) => facts.get(id) ?? null);
    });
  return { full: loader(true), ledger: loader(false) };
});
function progressFacts(context: Context, withEnrollments: boolean) {
  const loaders = factLoaders(context);
  return withEnrollments ? loaders.full : loaders.ledger;
}

/** The fields of RequirementProgress computed from enrollments rather than from the ledger. */
const enrollmentFields = new Set(['plannedHours', 'uncredited']);

export const ProgressStatusEnum = builder.enumType('ProgressStatus', {
  description: 'How a requirement stands at a date.',
  values: {
    BEHIND: {
      value: progressStatuses[0],
      description: 'Fewer hours counted than the share of the cycle already passed asks for.',
    },
    ON_TRACK: {
      value: progressStatuses[1],
      description: 'Keeping pace with the cycle, not yet met.',
    },
    MET: { value: progressStatuses[2], description: 'The requirement is met.' },
  } as const,
});

const reasonCodes: Record<UncreditedReasonCode, string> = {
  NO_SESSIONS: 'The activity had no sessions, so attendance could not be counted.',
  ATTENDANCE_BELOW_THRESHOLD: 'Attended fewer session hours than the completion rule asks.',
  ONLINE_BLOCK_SHORT: 'An online block was studied for fewer minutes than its minimum.',
  ASSIGNMENTS_BELOW_MINIMUM: 'Too few assignments submitted on time.',
  ASSESSMENT_MISSING: 'No final assessment result was given.',
  ASSESSMENT_BELOW_MINIMUM: 'The final assessment was below the minimum.',
  ELIGIBILITY_REJECTED: 'The school rejected the enrollment.',
  SUBSTITUTED: 'Another teacher took the place.',
  WITHDRAWN: 'The teacher withdrew.',
  ACTIVITY_REJECTED: 'The activity was not approved.',
  IN_PROGRESS: 'The activity is still under way.',
  AWAITING_CREDIT: 'Completed; credit not yet awarded.',
  NOT_COMPLETED: 'Recorded as not completed.',
  REVOKED: 'The award was revoked.',
};

const UncreditedReasonCodeEnum = builder.enumType('UncreditedReasonCode', {
  description: 'Why an enrollment did not (or not yet) bring credit hours.',
  values: Object.fromEntries(
    Object.entries(reasonCodes).map(([code, description]) => [code, { value: code, description }]),
  ) as Record<UncreditedReasonCode, { value: UncreditedReasonCode; description: string }>,
});

const UncreditedReasonRef = builder.objectRef<UncreditedReason>('UncreditedReason').implement({
  extensions: audience.signedIn,
  description: 'One reason an enrollment did not credit, for programs and for people.',
  fields: (t) => ({
    code: t.field({
      type: UncreditedReasonCodeEnum,
      description: 'Stable code of the reason.',
      resolve: (reason) => reason.code,
    }),
    message: t.string({
      description: 'The reason in the language of Accept-Language.',
      resolve: (reason, _args, context) => describeUncreditedReason(reason, context.locale),
    }),
  }),
});

const UncreditedEnrollmentRef = builder
  .objectRef<UncreditedEnrollment>('UncreditedEnrollment')
  .implement({
    extensions: audience.signedIn,
    description:
      'An enrollment of the cycle without credit on the ledger: still under way, awaiting its award, or not completed, with every reason.',
    fields: (t) => ({
      enrollment: t.field({
        type: EnrollmentRef,
        nullable: true,
        description: 'The enrollment.',
        resolve: (row, _args, context) => context.loaders.enrollment.load(row.enrollmentId),
      }),
      activity: t.field({
        type: ActivityRef,
        nullable: true,
        description: 'The activity; null if the caller may not see it.',
        resolve: (row, _args, context) => context.loaders.activity.load(row.activityId),
      }),
      hours: t.exposeFloat('hours', {
        description: 'Credit hours it brings if it credits, converted by the cycle’s policy.',
      }),
      pending: t.exposeBoolean('pending', {
        description:
          'Whether it may still credit (under way, or completed and awaiting the award); its hours count as planned.',
      }),
      reasons: t.field({
        type: [UncreditedReasonRef],
        description: 'Every reason, in a fixed order.',
        resolve: (row) => row.reasons,
      }),
    }),
  });

const ProgressLineRef = builder.objectRef<ProgressLine>('ProgressLine').implement({
  extensions: audience.signedIn,
  description: 'One requirement of a cycle against the ledger.',
  fields: (t) => ({
    required: t.exposeFloat('required', { description: 'Hours the policy asks for; 0 = none.' }),
    earned: t.exposeFloat('earned', {
      description: 'Net ledger hours: awards plus adjustments minus revocations.',
    }),
    counted: t.exposeFloat('counted', { description: 'Hours that count after caps.' }),
    remaining: t.exposeFloat('remaining', { description: 'Hours still needed; 0 when met.' }),
    status: t.field({
      type: ProgressStatusEnum,
      description: 'Behind, on track or met, as of the progress date.',
      resolve: (line) => line.status,
    }),
  }),
});

const CategoryProgressRef = builder.objectRef<CategoryProgress>('CategoryProgress').implement({
  extensions: audience.signedIn,
  description: 'One credit category of a cycle against its minimum and cap.',
  fields: (t) => ({
    code: t.exposeString('category', { description: 'Credit category code.' }),
    category: t.field({
      type: CreditCategoryRef,
      nullable: true,
      description: 'The category; null if the policy names a code the registry does not know.',
      resolve: (line, _args, context) => context.loaders.creditCategory.load(line.category),
    }),
    required: t.exposeFloat('required', { description: 'Minimum hours; 0 = none.' }),
    cap: t.exposeFloat('cap', {
      nullable: true,
      description: 'Most hours that count; null = no cap.',
    }),
    earned: t.exposeFloat('earned', { description: 'Net ledger hours in the category.' }),
    counted: t.exposeFloat('counted', { description: 'Hours that count, up to the cap.' }),
    overCap: t.exposeFloat('overCap', { description: 'Hours beyond the cap, which do not count.' }),
    remaining: t.exposeFloat('remaining', { description: 'Hours still needed for the minimum.' }),
    status: t.field({
      type: ProgressStatusEnum,
      description: 'Behind, on track or met.',
      resolve: (line) => line.status,
    }),
  }),
});

const RequirementProgressRef = builder.objectRef<TeacherProgress>('RequirementProgress').implement({
  extensions: audience.signedIn,
  description:
    'A teacher’s transcript for one cycle against the requirement policy: a sum over the ledger, never a stored counter.',
  fields: (t) => ({
    policy: t.field({
      type: RequirementPolicyRef,
      description: 'The policy of the cycle.',
      resolve: (progress) => progress.policy,
    }),
    asOf: t.expose('asOf', { type: 'Date', description: 'The day the status is judged on.' }),
    cycleDays: t.exposeInt('cycleDays', { description: 'Days in the cycle.' }),
    elapsedDays: t.exposeInt('elapsedDays', {
      description: 'Days of the cycle before the progress date.',
    }),
    total: t.field({
      type: ProgressLineRef,
      description: 'The cycle total, with every category cap and the yearly cap applied.',
      resolve: (progress) => progress.total,
    }),
    categories: t.field({
      type: [CategoryProgressRef],
      description:
        'Each category with a minimum, a cap or hours, by code. Each line applies its own cap only.',
      resolve: (progress) => progress.categories,
    }),
    awardedHours: t.float({
      description: 'Hours of the awards counted toward the cycle.',
      resolve: (progress) => progress.byKind.award,
    }),
    adjustedHours: t.float({
      description: 'Net hours of adjustments.',
      resolve: (progress) => progress.byKind.adjustment,
    }),
    revokedHours: t.float({
      description: 'Hours revoked (negative or 0).',
      resolve: (progress) => progress.byKind.revocation,
    }),
    entryCount: t.exposeInt('entryCount', {
      description: 'Ledger entries that count toward the cycle.',
    }),
    plannedHours: t.exposeFloat('plannedHours', {
      description:
        'Hours of activities the teacher is enrolled in that may still credit in this cycle.',
    }),
    uncredited: t.field({
      type: [UncreditedEnrollmentRef],
      description:
        'Every enrollment of the cycle without credit, by the activity’s last day, with why.',
      resolve: (progress) => progress.uncredited,
    }),
  }),
});

builder.objectFields(TeacherRef, (t) => ({
  progress: t.field({
    type: RequirementProgressRef,
    nullable: true,
    description:
      'Transcript and progress toward the requirement of one cycle. For the teacher themself, their school, the offices above it and platform admins; null when no policy covers the date.',
    authScopes: { platformAdmin: true, officeOfficer: true, schoolAdmin: true, teacher: true },
    args: {
      policyId: t.arg.id({
        required: false,
        description:
          'The cycle’s requirement policy; by default the one that binds the teacher on asOf.',
      }),
      asOf: t.arg({
        type: 'Date',
        required: false,
        description: 'The day progress is judged on; today (China time) by default.',
      }),
    },
    resolve: async (teacher, args, context, info) => {
      const asOf = args.asOf ?? todayInChina();
      const facts = await progressFacts(context, selectsAnyOf(info, enrollmentFields)).load(
        teacher.id,
      );
      if (!facts) return null;
      let policy = bindingPolicyOn(facts.policies, asOf);
      if (args.policyId != null) {
        const id = localIdOf(String(args.policyId), 'RequirementPolicy');
        const named = facts.policies.find((p) => p.id === id);
        if (!named) {
          throw new GraphQLError(
            context.locale === 'zh-CN'
              ? '该学分政策不适用于这位教师'
              : 'The policy does not bind this teacher',
            { extensions: { code: 'BAD_USER_INPUT', field: 'policyId' } },
          );
        }
        policy = named;
      }
      return policy ? teacherProgress(facts, policy, asOf) : null;
    },
  }),
}));
