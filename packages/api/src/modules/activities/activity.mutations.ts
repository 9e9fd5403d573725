import {
  activityCodeTaken,
  creditCategoryExists,
  deleteSession,
  findSessionsByIds,
  insertActivity,
  insertSession,
  lockActivity,
  nextSessionSequence,
  setSessionTrainers,
  updateActivity,
  type Activity,
  type ActivityPatch,
  type Session,
} from '@registry/db';
import {
  completionRulesSchema,
  eligibilityRulesSchema,
  type ActivityStatus,
  type CompletionRules,
  type EligibilityRules,
  decideEdit,
  describeLifecycleRefusal,
  type ActivityField,
} from '@registry/domain';
import { z } from 'zod';
import { builder } from '../../builder';
import { auditChange } from '../audit';
import type { Context } from '../../context';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldIssue,
} from '../../errors';
import { ActivityLevelEnum, DeliveryModeEnum, SessionModeEnum } from '../enums';
import { localIdOf } from '../ids';
import { bilingual } from '../validation';
import { SessionRef } from '../sessions/session.schema';
import { actorFor } from './activity-actor';
import { ActivityRef } from './activity.schema';
import { CompletionRulesInput, EligibilityRulesInput } from './activity-rules.schema';

/** Statuses in which the provider edits freely; after approval changes go through the office. */
/** Reasons are kept in the audit log; long enough for a paragraph. */
const maxReasonLength = 1000;

const editableStatuses: readonly ActivityStatus[] = ['draft', 'rejected'];

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty|不能为空')
    .max(max, `must be at most ${max} characters|最多${max}个字符`);

const hours = z
  .number()
  .gt(0, 'must be more than 0|必须大于0')
  .max(1000, 'must be at most 1000|不能超过1000')
  .refine((v) => Math.round(v * 100) === v * 100, 'at most two decimals|最多两位小数');

const activityFields = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z_-]{2,40}$/, '2 to 40 letters, digits, - or _|应为2至40位字母、数字、-或_'),
  title: text(200),
  description: z
    .string()
    .max(10000, 'must be at most 10000 characters|最多10000个字符')
    .default(''),
  category: text(32),
  creditHours: hours,
  capacity: z
    .number()
    .int()
    .min(1, 'must be at least 1|至少为1')
    .max(100000, 'must be at most 100000|不能超过100000')
    .nullish(),
  selfEnrollment: z.boolean().nullish(),
  startsOn: z.string(),
  endsOn: z.string(),
});

function datesInOrder(value: { startsOn?: string; endsOn?: string }, issues: FieldIssue[]) {
  if (value.startsOn && value.endsOn && value.endsOn < value.startsOn) {
    issues.push({
      path: ['input', 'endsOn'],
      localized: bilingual('must not be before startsOn|不能早于开始日期'),
    });
  }
}

interface RulesInput {
  eligibilityRules?: {
    stages?: readonly string[] | null;
    subjects?: readonly string[] | null;
    roleTags?: readonly string[] | null;
    regionIds?: readonly string[] | null;
    schoolIds?: readonly string[] | null;
    locality?: string | null;
    minYearsOfService?: number | null;
    maxYearsOfService?: number | null;
  } | null;
  completionRules?: {
    minAttendanceRatio?: number | null;
    requireOnlineMinimums?: boolean | null;
    minAssignmentsOnTime?: number | null;
    minAssessment?: string | null;
  } | null;
}

const withoutNulls = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

/** Rules from GraphQL input to the stored shape; every problem becomes a field issue. */
function parseRules(input: RulesInput, issues: FieldIssue[]) {
  let eligibilityRules: EligibilityRules | undefined;
  let completionRules: CompletionRules | undefined;
  if (input.eligibilityRules) {
    const { regionIds, schoolIds, ...rest } = input.eligibilityRules;
    const decode = (ids: readonly string[] | null | undefined, typename: string, field: string) =>
      ids?.map((id, i) => {
        const local = localIdOf(id, typename);
        if (local === null) {
          issues.push({
            path: ['input', 'eligibilityRules', field, String(i)],
            localized: bilingual(`is not the ID of a ${typename}|不是有效的ID`),
          });
        }
        return local ?? 0;
      });
    const candidate = withoutNulls({
      ...rest,
      regionIds: decode(regionIds, 'Region', 'regionIds'),
      schoolIds: decode(schoolIds, 'Organization', 'schoolIds'),
    });
    const parsed = eligibilityRulesSchema.safeParse(candidate);
    if (parsed.success) eligibilityRules = parsed.data;
    else issues.push(...zodIssues(parsed.error, ['input', 'eligibilityRules']));
  }
  if (input.completionRules) {
    const parsed = completionRulesSchema.safeParse(withoutNulls(input.completionRules));
    if (parsed.success) completionRules = parsed.data;
    else issues.push(...zodIssues(parsed.error, ['input', 'completionRules']));
  }
  return { eligibilityRules, completionRules };
}

function zodIssues(error: z.ZodError, root: string[]): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [...root, ...issue.path.map(String)],
    localized: issue.message.includes('|')
      ? bilingual(issue.message)
      : { en: issue.message, 'zh-CN': `取值无效（${issue.message}）` },
  }));
}

/** The caller may manage activities of this provider. */
function mayManage(context: Context, providerId: number): boolean {
  const v = context.visibility;
  return v.all || v.institutionIds.includes(providerId) || v.schoolIds.includes(providerId);
}

/** Unique violations that a concurrent request can still cause after our own checks. */
function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505'
  );
}

const CreateActivityInput = builder.inputType('CreateActivityInput', {
  description: 'A new activity, created as a draft of the given provider.',
  fields: (t) => ({
    providerId: t.id({
      description:
        'Global ID of the training institution (or school, for school-based study) that runs it.',
    }),
    code: t.string({ description: 'Registry code, unique: 2–40 letters, digits, - or _.' }),
    title: t.string({ description: 'Title, at most 200 characters.' }),
    description: t.string({ required: false, description: 'What it offers.' }),
    category: t.string({ description: 'Credit category code, e.g. professional.' }),
    level: t.field({ type: ActivityLevelEnum, description: 'Who runs it.' }),
    deliveryMode: t.field({ type: DeliveryModeEnum, description: 'How it is delivered.' }),
    creditHours: t.float({ description: 'Credit hours for a completed participant, more than 0.' }),
    capacity: t.int({ required: false, description: 'Most participants; omit for no limit.' }),
    selfEnrollment: t.boolean({
      required: false,
      description: 'Teachers may register themselves.',
    }),
    startsOn: t.field({ type: 'Date', description: 'First day.' }),
    endsOn: t.field({ type: 'Date', description: 'Last day, not before the first.' }),
    eligibilityRules: t.field({
      type: EligibilityRulesInput,
      required: false,
      description: 'Who may take part.',
    }),
    completionRules: t.field({
      type: CompletionRulesInput,
      required: false,
      description: 'What completes.',
    }),
  }),
});

builder.mutationField('createActivity', (t) =>
  t.field({
    type: ActivityRef,
    description:
      'Registers a new activity as a draft. Training institution or school administrators, for their own organization.',
    authScopes: { institutionAdmin: true, schoolAdmin: true, platformAdmin: true },
    errors: { types: [ValidationError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: CreateActivityInput, description: 'The new activity.' }) },
    resolve: async (_root, { input }, context): Promise<Activity> => {
      const issues: FieldIssue[] = [];
      const providerId = localIdOf(input.providerId, 'Organization');
      if (providerId === null) {
        issues.push({
          path: ['input', 'providerId'],
          localized: bilingual('is not the ID of an organization|不是有效的机构ID'),
        });
      }
      const fields = activityFields.safeParse(input);
      if (!fields.success) issues.push(...zodIssues(fields.error, ['input']));
      datesInOrder(input, issues);
      const rules = parseRules(input, issues);
      if (issues.length || !fields.success || providerId === null)
        throw new ValidationError(issues);
      if (!mayManage(context, providerId)) throw new ForbiddenError();

      return context.db.transaction().execute(async (trx) => {
        const provider = await trx
          .selectFrom('organizations')
          .select(['id', 'region_id', 'kind'])
          .where('id', '=', providerId)
          .executeTakeFirst();
        if (!provider || provider.kind === 'education_office') {
          throw new ValidationError([
            {
              path: ['input', 'providerId'],
              localized: bilingual(
                'must be a training institution or a school|必须是培训机构或学校',
              ),
            },
          ]);
        }
        if (!(await creditCategoryExists(trx, fields.data.category))) {
          throw new ValidationError([
            {
              path: ['input', 'category'],
              localized: bilingual('is not a known credit category|不是已知的学分类别'),
            },
          ]);
        }
        if (await activityCodeTaken(trx, fields.data.code)) {
          throw new ConflictError(
            bilingual(
              `Code ${fields.data.code} is already used by another activity.|编号${fields.data.code}已被其他活动使用。`,
            ),
          );
        }
        const activity = await insertActivity(trx, {
          ...fields.data,
          capacity: fields.data.capacity ?? null,
          selfEnrollment: fields.data.selfEnrollment ?? false,
          providerId,
          regionId: provider.region_id,
          level: input.level,
          deliveryMode: input.deliveryMode,
          ...(rules.eligibilityRules ? { eligibilityRules: rules.eligibilityRules } : {}),
          ...(rules.completionRules ? { completionRules: rules.completionRules } : {}),
          createdBy: context.viewer?.id ?? null,
        }).catch((error: unknown) => {
          if (isUniqueViolation(error)) {
            throw new ConflictError(
              bilingual(
                `Code ${fields.data.code} is already used by another activity.|编号${fields.data.code}已被其他活动使用。`,
              ),
            );
          }
          throw error;
        });
        await auditChange(
          context,
          trx,
          'activity.created',
          'activity',
          activity.id,
          null,
          activity,
        );
        return activity;
      });
    },
  }),
);

const UpdateActivityInput = builder.inputType('UpdateActivityInput', {
  description:
    'Changes to an activity; omitted fields stay as they are. Who may change what depends on its status: see updateActivity.',
  fields: (t) => ({
    id: t.id({ description: 'Global ID of the activity.' }),
    reason: t.string({
      required: false,
      description:
        'Why; required when the education office changes credit hours, completion rules, category, level or delivery mode after approval, or anything after close (at most 1000 characters, kept in the audit log).',
    }),
    version: t.int({
      description: 'The version you edited; a newer stored version answers CONFLICT.',
    }),
    title: t.string({ required: false, description: 'Title.' }),
    description: t.string({ required: false, description: 'Description.' }),
    category: t.string({ required: false, description: 'Credit category code.' }),
    level: t.field({ type: ActivityLevelEnum, required: false, description: 'Level.' }),
    deliveryMode: t.field({
      type: DeliveryModeEnum,
      required: false,
      description: 'Delivery mode.',
    }),
    creditHours: t.float({ required: false, description: 'Credit hours.' }),
    capacity: t.int({ required: false, description: 'Capacity.' }),
    selfEnrollment: t.boolean({ required: false, description: 'Self-registration allowed.' }),
    startsOn: t.field({ type: 'Date', required: false, description: 'First day.' }),
    endsOn: t.field({ type: 'Date', required: false, description: 'Last day.' }),
    eligibilityRules: t.field({
      type: EligibilityRulesInput,
      required: false,
      description: 'Replaces the eligibility rules.',
    }),
    completionRules: t.field({
      type: CompletionRulesInput,
      required: false,
      description: 'Replaces the completion rules.',
    }),
  }),
});

builder.mutationField('updateActivity', (t) =>
  t.field({
    type: ActivityRef,
    description:
      'Edits an activity. Drafts and rejected activities: the provider edits freely. Submitted: nothing changes while the office reviews. Approved, open, in progress: the provider (or office) manages practical details; credit hours, completion rules, category, level and delivery mode change only through the education office, with a reason. Closed: only the office, with a reason. Credited and archived: no edits (corrections are ledger entries).',
    authScopes: {
      institutionAdmin: true,
      schoolAdmin: true,
      officeOfficer: true,
      platformAdmin: true,
    },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: {
      input: t.arg({
        type: UpdateActivityInput,
        description: 'The fields to change and the version read.',
      }),
    },
    resolve: async (_root, { input }, context): Promise<Activity> => {
      const id = localIdOf(input.id, 'Activity');
      const notFound = new NotFoundError(bilingual('The activity|该活动'));
      const visible = id === null ? null : await context.loaders.activity.load(id);
      if (id === null || !visible) throw notFound;
      const issues: FieldIssue[] = [];
      const { reason: rawReason, ...edits } = input;
      const reason = rawReason?.trim() || null;
      if (reason && reason.length > maxReasonLength) {
        issues.push({
          path: ['input', 'reason'],
          localized: bilingual(
            `must be at most ${maxReasonLength} characters|不得超过 ${maxReasonLength} 个字符`,
          ),
        });
      }
      const fields = activityFields.partial().safeParse(withoutNulls(edits));
      if (!fields.success) issues.push(...zodIssues(fields.error, ['input']));
      const rules = parseRules(input, issues);
      if (issues.length || !fields.success) throw new ValidationError(issues);
      const { code: _code, capacity, selfEnrollment, ...rest } = fields.data;
      const changes = {
        ...rest,
        ...(capacity !== undefined ? { capacity } : {}),
        ...(selfEnrollment !== undefined && selfEnrollment !== null ? { selfEnrollment } : {}),
      };
      // Before the transaction: the loaders read through context.db, and PGlite has one
      // connection, which the transaction holds. Provider and region are not editable.
      const actor = await actorFor(context, visible);

      return context.db.transaction().execute(async (trx) => {
        const before = await lockActivity(trx, id);
        if (!before) throw notFound;
        const patch: ActivityPatch = {
          ...changes,
          ...(input.level ? { level: input.level } : {}),
          ...(input.deliveryMode ? { deliveryMode: input.deliveryMode } : {}),
          ...(rules.eligibilityRules ? { eligibilityRules: rules.eligibilityRules } : {}),
          ...(rules.completionRules ? { completionRules: rules.completionRules } : {}),
        };
        // Only fields whose value changes are judged: re-sending a whole form with the approved
        // hours unchanged needs no office and no reason.
        const changed = (Object.keys(patch) as Array<keyof ActivityPatch>).filter(
          (field) =>
            JSON.stringify(patch[field]) !== JSON.stringify(before[field as keyof Activity]),
        ) as ActivityField[];
        // Nothing changes: still judge who asked (an office may not touch a draft at all), but
        // a reason is for a change, so none is needed, and nothing is written.
        const provided = Object.keys(patch) as ActivityField[];
        const decision =
          changed.length > 0
            ? decideEdit(before.status, changed, actor, reason)
            : decideEdit(before.status, provided, actor, reason ?? 'unchanged');
        if (!decision.ok) {
          const { refusal } = decision;
          const localized = {
            en: describeLifecycleRefusal(refusal, 'en'),
            'zh-CN': describeLifecycleRefusal(refusal, 'zh-CN'),
          };
          if (refusal.code === 'NOT_ALLOWED_FOR_ROLE') throw new ForbiddenError(localized);
          if (refusal.code === 'LOCKED_IN_STATUS') throw new ConflictError(localized);
          throw new ValidationError([{ path: ['input', 'reason'], localized }]);
        }
        if (changed.length === 0) return before;
        const dateIssues: FieldIssue[] = [];
        datesInOrder(
          {
            startsOn: changes.startsOn ?? before.startsOn,
            endsOn: changes.endsOn ?? before.endsOn,
          },
          dateIssues,
        );
        if (dateIssues.length) throw new ValidationError(dateIssues);
        if (changes.category && !(await creditCategoryExists(trx, changes.category))) {
          throw new ValidationError([
            {
              path: ['input', 'category'],
              localized: bilingual('is not a known credit category|不是已知的学分类别'),
            },
          ]);
        }
        const after = await updateActivity(trx, id, input.version, patch);
        if (!after) {
          throw new ConflictError(
            bilingual(
              'Someone changed this activity after you opened it; reload and try again.|该活动已被他人修改，请刷新后重试。',
            ),
          );
        }
        // The reason travels with the change it explains, so the audit log answers "why".
        await auditChange(
          context,
          trx,
          decision.needsReason ? 'activity.corrected' : 'activity.updated',
          'activity',
          id,
          before,
          reason ? { ...after, reason } : after,
        );
        context.loaders.activity.clear(id).prime(id, after);
        return after;
      });
    },
  }),
);

const AddSessionInput = builder.inputType('AddSessionInput', {
  description: 'A new session at the end of an activity’s programme.',
  fields: (t) => ({
    activityId: t.id({ description: 'Global ID of the activity (draft or rejected).' }),
    title: t.string({ description: 'What it covers.' }),
    mode: t.field({ type: SessionModeEnum, description: 'In person or online.' }),
    startsAt: t.field({ type: 'DateTime', description: 'Start.' }),
    endsAt: t.field({ type: 'DateTime', description: 'End, after the start.' }),
    hours: t.float({
      description: 'Study hours, more than 0 and at most 24, at most two decimals.',
    }),
    location: t.string({ required: false, description: 'Where; required in person.' }),
    onlineMinMinutes: t.int({
      required: false,
      description: 'Online blocks: minimum minutes per teacher; required online.',
    }),
    trainerIds: t.idList({ required: false, description: 'Global IDs of trainers, lead first.' }),
  }),
});

const sessionFields = z
  .object({
    title: text(200),
    mode: z.enum(['in_person', 'online']),
    startsAt: z.date(),
    endsAt: z.date(),
    // Stored as numeric(5,2): a value with more decimals would be rounded silently, and one
    // below 0.005 would round to 0 and break the table's check (found by the fuzzer).
    hours: z
      .number()
      .gt(0, 'must be more than 0|必须大于0')
      .max(24, 'must be at most 24|不能超过24')
      .refine((v) => Math.round(v * 100) === v * 100, 'at most two decimals|最多两位小数'),
    location: z.string().trim().max(200, 'must be at most 200 characters|最多200个字符').nullish(),
    onlineMinMinutes: z
      .number()
      .int()
      .min(1, 'must be at least 1|至少为1')
      .max(1440, 'must be at most 1440|不能超过1440')
      .nullish(),
  })
  .superRefine((s, ctx) => {
    if (s.endsAt <= s.startsAt)
      ctx.addIssue({
        code: 'custom',
        path: ['endsAt'],
        message: 'must be after startsAt|必须晚于开始时间',
      });
    if (s.mode === 'in_person' && !s.location)
      ctx.addIssue({
        code: 'custom',
        path: ['location'],
        message: 'is required for an in-person session|线下场次必须填写地点',
      });
    if (s.mode === 'online' && !s.onlineMinMinutes)
      ctx.addIssue({
        code: 'custom',
        path: ['onlineMinMinutes'],
        message: 'is required for an online block|线上学习必须填写最低分钟数',
      });
    if (s.mode === 'in_person' && s.onlineMinMinutes)
      ctx.addIssue({
        code: 'custom',
        path: ['onlineMinMinutes'],
        message: 'only online blocks have minimum minutes|仅线上学习有最低分钟数',
      });
  });

builder.mutationField('addSession', (t) =>
  t.field({
    type: SessionRef,
    description: 'Adds a session to a draft or rejected activity of your organization.',
    authScopes: { institutionAdmin: true, schoolAdmin: true, platformAdmin: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: AddSessionInput, description: 'The session to add.' }) },
    resolve: async (_root, { input }, context): Promise<Session> => {
      const activityId = localIdOf(input.activityId, 'Activity');
      const notFound = new NotFoundError(bilingual('The activity|该活动'));
      if (activityId === null || !(await context.loaders.activity.load(activityId))) throw notFound;
      const issues: FieldIssue[] = [];
      const fields = sessionFields.safeParse(input);
      if (!fields.success) issues.push(...zodIssues(fields.error, ['input']));
      const trainerIds = (input.trainerIds ?? []).map((id, i) => {
        const local = localIdOf(id, 'Trainer');
        if (local === null)
          issues.push({
            path: ['input', 'trainerIds', String(i)],
            localized: bilingual('is not the ID of a trainer|不是有效的讲师ID'),
          });
        return local ?? 0;
      });
      if (issues.length || !fields.success) throw new ValidationError(issues);

      return context.db.transaction().execute(async (trx) => {
        const activity = await lockActivity(trx, activityId);
        if (!activity) throw notFound;
        if (!mayManage(context, activity.providerId)) throw new ForbiddenError();
        if (!editableStatuses.includes(activity.status)) {
          throw new ConflictError(
            bilingual(
              'Sessions can be added only to drafts and rejected activities.|仅草稿或被驳回的活动可添加场次。',
            ),
          );
        }
        const known = await trx
          .selectFrom('trainers')
          .select('id')
          .where('id', 'in', trainerIds.length ? trainerIds : [0])
          .execute();
        if (known.length !== new Set(trainerIds).size) {
          throw new ValidationError([
            {
              path: ['input', 'trainerIds'],
              localized: bilingual('names an unknown trainer|包含不存在的讲师'),
            },
          ]);
        }
        const session = await insertSession(trx, {
          activityId,
          sequence: await nextSessionSequence(trx, activityId),
          title: fields.data.title,
          mode: fields.data.mode,
          startsAt: fields.data.startsAt,
          endsAt: fields.data.endsAt,
          hours: fields.data.hours,
          location: fields.data.location ?? null,
          onlineMinMinutes: fields.data.onlineMinMinutes ?? null,
        });
        await setSessionTrainers(trx, session.id, [...new Set(trainerIds)]);
        await auditChange(context, trx, 'session.added', 'session', session.id, null, {
          ...session,
          trainerIds,
        });
        return session;
      });
    },
  }),
);

builder.mutationField('removeSession', (t) =>
  t.field({
    type: ActivityRef,
    description: 'Removes a session from a draft or rejected activity; answers the activity.',
    authScopes: { institutionAdmin: true, schoolAdmin: true, platformAdmin: true },
    errors: { types: [NotFoundError, ForbiddenError, ConflictError] },
    args: { id: t.arg.id({ description: 'Global ID of the session.' }) },
    resolve: async (_root, args, context): Promise<Activity> => {
      const id = localIdOf(String(args.id), 'Session');
      const notFound = new NotFoundError(bilingual('The session|该场次'));
      const [session] =
        id === null ? [] : await findSessionsByIds(context.db, context.visibility, [id]);
      if (!session) throw notFound;
      return context.db.transaction().execute(async (trx) => {
        const activity = await lockActivity(trx, session.activityId);
        if (!activity) throw notFound;
        if (!mayManage(context, activity.providerId)) throw new ForbiddenError();
        if (!editableStatuses.includes(activity.status)) {
          throw new ConflictError(
            bilingual(
              'Sessions can be removed only from drafts and rejected activities.|仅草稿或被驳回的活动可删除场次。',
            ),
          );
        }
        await deleteSession(trx, session.id);
        await auditChange(context, trx, 'session.removed', 'session', session.id, session, null);
        return activity;
      });
    },
  }),
);
