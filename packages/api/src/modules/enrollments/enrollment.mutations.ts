import {
  findTeachersByNationalIds,
  insertEnrollment,
  lockActivity,
  lockEnrollments,
  setEnrollmentDecision,
  type Activity,
  type DB,
  type Enrollment,
} from '@registry/db';
import {
  decideEligibilityDecision,
  decideSubstitution,
  describeRosterRefusal,
  enrollmentOpen,
  seatsForSubstitute,
  type ActivityStatus,
  type EnrollmentSource,
  type RosterRefusal,
} from '@registry/domain';
import type { Kysely } from 'kysely';
import { audience, builder } from '../../builder';
import { auditChange } from '../audit';
import type { Context } from '../../context';
import {
  ConflictError,
  ForbiddenError,
  NotEligibleError,
  NotFoundError,
  ValidationError,
  type FieldIssue,
  type ReasonView,
} from '../../errors';
import { actorFor } from '../activities/activity-actor';
import { ActivityRef } from '../activities/activity.schema';
import { EligibilityReasonRef } from '../errors/error.schema';
import { localIdOf } from '../ids';
import { TeacherRef } from '../teachers/teacher.schema';
import type { Teacher } from '@registry/db';
import { bilingual } from '../validation';
import { judge, plainReason } from './eligibility';
import { EnrollmentRef } from './enrollment.schema';

/**
 * Getting teachers onto a roster and the school's say on each: enrolling (a list by a school or
 * the provider, or a teacher by themselves), confirming or rejecting eligibility, and naming a
 * substitute for a rejected participant. Every step locks the activity row first, so concurrent
 * requests see each other's seats and capacity is never exceeded.
 */

const maxBatch = 500;

function rosterWords(refusal: RosterRefusal) {
  return {
    en: describeRosterRefusal(refusal, 'en'),
    'zh-CN': describeRosterRefusal(refusal, 'zh-CN'),
  };
}

function audit(
  context: Context,
  db: Kysely<DB>,
  action: string,
  entityId: number,
  before: unknown,
  after: unknown,
) {
  return auditChange(context, db, action, 'enrollment', entityId, before, after);
}

/** Schools for which the caller is school administrator. */
function schoolsAdministered(context: Context): Set<number> {
  return new Set(
    (context.viewer?.memberships ?? [])
      .filter((m) => m.role === 'school_admin' && m.organizationId !== null)
      .map((m) => m.organizationId!),
  );
}

function notOpen(activity: Activity): ConflictError {
  return new ConflictError(
    bilingual(
      `The activity is ${activity.status.replace('_', ' ')}, not open for enrollment.|该活动当前状态不接受报名（${activity.status}）。`,
    ),
  );
}

async function visibleActivity(context: Context, globalId: string, field: string[]) {
  const id = localIdOf(globalId, 'Activity');
  if (id === null) {
    throw new ValidationError([
      { path: field, localized: bilingual('is not an activity ID|不是有效的活动ID') },
    ]);
  }
  const activity = await context.loaders.activity.load(id);
  if (!activity) throw new NotFoundError(bilingual('The activity|该活动'));
  return activity;
}

// --- enrollTeachers ----------------------------------------------------------------------------

interface EnrollmentOutcome {
  /** What the caller sent for this teacher: a global ID or a national ID. */
  given: string;
  teacher: Teacher | null;
  enrollment: Enrollment | null;
  reasons: ReasonView[];
}

interface EnrollTeachersResult {
  activity: Activity;
  dryRun: boolean;
  outcomes: EnrollmentOutcome[];
}

const EnrollmentOutcomeRef = builder.objectRef<EnrollmentOutcome>('EnrollmentOutcome').implement({
  extensions: audience.signedIn,
  description: 'What happened to one teacher of an enrollment list.',
  fields: (t) => ({
    given: t.exposeString('given', {
      description: 'The teacher as the list named them (global ID or national teacher ID).',
    }),
    enrolled: t.boolean({
      description:
        'True when the teacher is now on the roster (or, in a dry run, would be); false when refused.',
      resolve: (outcome) => outcome.reasons.length === 0,
    }),
    teacher: t.field({
      type: TeacherRef,
      nullable: true,
      description: 'The teacher; null when unknown.',
      resolve: (outcome) => outcome.teacher,
    }),
    enrollment: t.field({
      type: EnrollmentRef,
      nullable: true,
      description: 'The new enrollment; null when refused and in a dry run.',
      resolve: (outcome) => outcome.enrollment,
    }),
    reasons: t.field({
      type: [EligibilityReasonRef],
      description: 'Why the teacher was not enrolled; empty when enrolled.',
      resolve: (outcome) => outcome.reasons,
    }),
  }),
});

const EnrollTeachersResultRef = builder
  .objectRef<EnrollTeachersResult>('EnrollTeachersResult')
  .implement({
    extensions: audience.signedIn,
    description:
      'The answer for every teacher of the list, in the order given. Eligible teachers were enrolled; the others are listed with every reason.',
    fields: (t) => ({
      activity: t.field({
        type: ActivityRef,
        description: 'The activity.',
        resolve: (result) => result.activity,
      }),
      dryRun: t.exposeBoolean('dryRun', { description: 'True when nothing was written.' }),
      outcomes: t.field({
        type: [EnrollmentOutcomeRef],
        description: 'One outcome per teacher of the list.',
        resolve: (result) => result.outcomes,
      }),
      enrolledCount: t.int({
        description: 'Teachers enrolled (or, in a dry run, who would be).',
        resolve: (result) => result.outcomes.filter((o) => o.reasons.length === 0).length,
      }),
      refusedCount: t.int({
        description: 'Teachers refused.',
        resolve: (result) => result.outcomes.filter((o) => o.reasons.length > 0).length,
      }),
    }),
  });

const EnrollTeachersInput = builder.inputType('EnrollTeachersInput', {
  description:
    'A list of teachers to enroll in one activity, by global ID or by national teacher ID (1 to 500 in all).',
  fields: (t) => ({
    activityId: t.id({ description: 'Global ID of the activity; it must be open for enrollment.' }),
    teacherIds: t.idList({ required: false, description: 'Global IDs of teachers.' }),
    nationalIds: t.stringList({
      required: false,
      description: 'National teacher IDs, as printed on staff lists.',
    }),
    dryRun: t.boolean({
      required: false,
      description: 'Only check the list: answer as if enrolling, write nothing.',
    }),
  }),
});

builder.mutationField('enrollTeachers', (t) =>
  t.field({
    type: EnrollTeachersResultRef,
    description:
      'Enrolls a list of teachers: a school its own teachers, the provider of the activity any teacher. Each eligible teacher is enrolled; each other one is reported with every reason. Seats are counted in list order.',
    authScopes: { institutionAdmin: true, schoolAdmin: true, platformAdmin: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: EnrollTeachersInput, description: 'Activity and teachers.' }) },
    resolve: async (_root, { input }, context): Promise<EnrollTeachersResult> => {
      const issues: FieldIssue[] = [];
      const byGlobal = (input.teacherIds ?? []).map(String);
      const byNational = (input.nationalIds ?? []).map((id) => id.trim().toUpperCase());
      const total = byGlobal.length + byNational.length;
      if (total === 0 || total > maxBatch) {
        issues.push({
          path: ['input', 'teacherIds'],
          localized: bilingual(
            `must name 1 to ${maxBatch} teachers in all|须列出 1 至 ${maxBatch} 名教师`,
          ),
        });
      }
      const globalIds: Array<number | null> = byGlobal.map((id, i) => {
        const local = localIdOf(id, 'Teacher');
        if (local === null) {
          issues.push({
            path: ['input', 'teacherIds', String(i)],
            localized: bilingual('is not a teacher ID|不是有效的教师ID'),
          });
        }
        return local;
      });
      byNational.forEach((id, i) => {
        if (!/^[0-9A-Z]{6,32}$/.test(id)) {
          issues.push({
            path: ['input', 'nationalIds', String(i)],
            localized: bilingual(
              'is not a national teacher ID (6 to 32 letters and digits)|不是有效的教师编号（6至32位字母或数字）',
            ),
          });
        }
      });
      const activityId = localIdOf(String(input.activityId), 'Activity');
      if (activityId === null) {
        issues.push({
          path: ['input', 'activityId'],
          localized: bilingual('is not an activity ID|不是有效的活动ID'),
        });
      }
      if (issues.length) throw new ValidationError(issues);

      const activity = await visibleActivity(context, String(input.activityId), [
        'input',
        'activityId',
      ]);
      const actor = await actorFor(context, activity);
      const asProvider = actor.roles.some(
        (r) => r === 'platform_admin' || r === 'institution_admin' || r === 'school_admin',
      );
      const ownSchools = schoolsAdministered(context);
      if (!asProvider && ownSchools.size === 0) throw new ForbiddenError();
      const provider = await context.loaders.organization.load(activity.providerId);
      const nationals = await findTeachersByNationalIds(
        context.db,
        byNational.filter((id) => /^[0-9A-Z]{6,32}$/.test(id)),
      );

      // Each list entry resolved to a teacher id (or why not), duplicates refused by position.
      const entries = [
        ...byGlobal.map((given, i) => ({
          given,
          path: ['input', 'teacherIds', String(i)],
          teacherId: globalIds[i]!,
        })),
        ...byNational.map((given, i) => ({
          given,
          path: ['input', 'nationalIds', String(i)],
          teacherId: nationals.get(given)?.id ?? null,
        })),
      ];
      const seen = new Map<number, string[]>();
      for (const entry of entries) {
        if (entry.teacherId === null) continue;
        const first = seen.get(entry.teacherId);
        if (first) {
          issues.push({
            path: entry.path,
            localized: bilingual(
              `names the same teacher as ${first.join('.')}|与 ${first.join('.')} 是同一名教师`,
            ),
          });
        } else seen.set(entry.teacherId, entry.path);
      }
      if (issues.length) throw new ValidationError(issues);

      const teacherIds = entries.flatMap((e) => (e.teacherId === null ? [] : [e.teacherId]));
      const teachers = new Map(
        (
          await context.db
            .selectFrom('teachers')
            .selectAll()
            .where('id', 'in', teacherIds.length ? teacherIds : [0])
            .execute()
        ).map((row) => [row.id, row]),
      );
      const visibleTeachers = await context.loaders.teacher.loadMany(teacherIds);
      const visibleById = new Map(
        visibleTeachers.flatMap((t) => (t && !(t instanceof Error) ? [[t.id, t] as const] : [])),
      );

      const run = async (db: Kysely<DB>): Promise<EnrollTeachersResult> => {
        const locked = await lockActivity(db, activity.id);
        if (!locked) throw new NotFoundError(bilingual('The activity|该活动'));
        if (!enrollmentOpen(locked.status)) throw notOpen(locked);
        const engine = await judge(db, locked, teacherIds);
        const existing = new Set(
          (
            await db
              .selectFrom('enrollments')
              .select('teacher_id')
              .where('activity_id', '=', locked.id)
              .where('teacher_id', 'in', teacherIds.length ? teacherIds : [0])
              .execute()
          ).map((r) => r.teacher_id),
        );
        let seatsGiven = 0;
        const outcomes: EnrollmentOutcome[] = [];
        for (const entry of entries) {
          const row = entry.teacherId === null ? undefined : teachers.get(entry.teacherId);
          if (!row) {
            outcomes.push({
              given: entry.given,
              teacher: null,
              enrollment: null,
              reasons: [
                plainReason('UNKNOWN_TEACHER', 'No teacher has this ID.|没有该编号的教师。'),
              ],
            });
            continue;
          }
          const teacher = visibleById.get(row.id) ?? null;
          // A school (not the provider) enrolls only its own teachers.
          if (!asProvider && !ownSchools.has(row.school_id)) {
            outcomes.push({
              given: entry.given,
              teacher,
              enrollment: null,
              reasons: [
                plainReason(
                  'OTHER_SCHOOL',
                  'This teacher is not at your school; their own school or the provider enrolls them.|该教师不在本校，请由其所在学校或培训机构报名。',
                ),
              ],
            });
            continue;
          }
          if (existing.has(row.id)) {
            outcomes.push({
              given: entry.given,
              teacher,
              enrollment: null,
              reasons: [
                plainReason(
                  'ALREADY_ENROLLED',
                  'This teacher is already on the roster of this activity.|该教师已在本活动名单中。',
                ),
              ],
            });
            continue;
          }
          const verdict = engine.verdict(row.id, seatsGiven)!;
          if (!verdict.eligible) {
            outcomes.push({
              given: entry.given,
              teacher,
              enrollment: null,
              reasons: verdict.reasons,
            });
            continue;
          }
          seatsGiven += 1;
          let enrollment: Enrollment | null = null;
          if (!input.dryRun) {
            const source: EnrollmentSource =
              asProvider && provider?.kind !== 'school' ? 'institution' : 'school';
            enrollment = await insertEnrollment(db, {
              activityId: locked.id,
              teacherId: row.id,
              schoolId: row.school_id,
              source,
              enrolledBy: context.viewer?.id ?? null,
            });
            await audit(context, db, 'enrollment.created', enrollment!.id, null, enrollment);
          }
          outcomes.push({ given: entry.given, teacher, enrollment, reasons: [] });
        }
        return { activity: locked, dryRun: Boolean(input.dryRun), outcomes };
      };
      return context.db.transaction().execute(run);
    },
  }),
);

// --- selfEnroll --------------------------------------------------------------------------------

const SelfEnrollInput = builder.inputType('SelfEnrollInput', {
  description: 'The activity a teacher enrolls themselves in.',
  fields: (t) => ({
    activityId: t.id({ description: 'Global ID of an activity open for self-registration.' }),
  }),
});

builder.mutationField('selfEnroll', (t) =>
  t.field({
    type: EnrollmentRef,
    description:
      'A teacher enrolls themselves, where the activity allows it. Refused with every reason when the engine finds the teacher ineligible. Their school then confirms eligibility.',
    authScopes: { teacher: true },
    errors: {
      types: [ValidationError, NotFoundError, ForbiddenError, ConflictError, NotEligibleError],
    },
    args: { input: t.arg({ type: SelfEnrollInput, description: 'The activity.' }) },
    resolve: async (_root, { input }, context): Promise<Enrollment> => {
      const teacherId = context.viewer?.teacherId ?? null;
      if (teacherId === null) throw new ForbiddenError();
      const activity = await visibleActivity(context, String(input.activityId), [
        'input',
        'activityId',
      ]);
      if (!activity.selfEnrollment) {
        throw new ForbiddenError(
          bilingual(
            'This activity takes enrollments through schools and the provider only.|该活动不接受个人报名，请通过学校或培训机构报名。',
          ),
        );
      }
      const teacher = await context.loaders.teacher.load(teacherId);
      if (!teacher) throw new NotFoundError(bilingual('Your teacher record|您的教师档案'));
      return context.db.transaction().execute(async (trx) => {
        const locked = await lockActivity(trx, activity.id);
        if (!locked) throw new NotFoundError(bilingual('The activity|该活动'));
        if (!enrollmentOpen(locked.status)) throw notOpen(locked);
        const verdict = (await judge(trx, locked, [teacherId])).verdict(teacherId)!;
        if (!verdict.eligible) throw new NotEligibleError(verdict.reasons);
        const enrollment = await insertEnrollment(trx, {
          activityId: locked.id,
          teacherId,
          schoolId: teacher.schoolId,
          source: 'self',
          enrolledBy: context.viewer?.id ?? null,
        });
        if (!enrollment) {
          throw new ConflictError(bilingual('You are already on the roster.|您已在本活动名单中。'));
        }
        await audit(context, trx, 'enrollment.created', enrollment.id, null, enrollment);
        return enrollment;
      });
    },
  }),
);

// --- decideEligibility -------------------------------------------------------------------------

const EligibilityDecisionEnum = builder.enumType('EligibilityDecision', {
  description: 'The school’s decision on a participant.',
  values: {
    CONFIRM: { value: 'confirm', description: 'The teacher may take part.' },
    REJECT: { value: 'reject', description: 'The teacher may not; a reason is required.' },
  } as const,
});

const EligibilityDecisionInput = builder.inputType('EligibilityDecisionInput', {
  description: 'A decision on one enrollment.',
  fields: (t) => ({
    enrollmentId: t.id({ description: 'Global ID of an enrollment of your school.' }),
    decision: t.field({ type: EligibilityDecisionEnum, description: 'Confirm or reject.' }),
    reason: t.string({
      required: false,
      description: 'Why; required to reject (shown to the provider and the teacher), ≤ 1000.',
    }),
  }),
});

const DecideEligibilityInput = builder.inputType('DecideEligibilityInput', {
  description: 'Decisions on participants, 1 to 500; all are taken or none.',
  fields: (t) => ({
    decisions: t.field({ type: [EligibilityDecisionInput], description: 'The decisions.' }),
  }),
});

interface Decided {
  enrollments: Enrollment[];
}

const DecideEligibilityResultRef = builder.objectRef<Decided>('DecideEligibilityResult').implement({
  extensions: audience.signedIn,
  description: 'The enrollments as decided, in the order of the decisions.',
  fields: (t) => ({
    enrollments: t.field({
      type: [EnrollmentRef],
      description: 'Each enrollment after its decision.',
      resolve: (result) => result.enrollments,
    }),
  }),
});

builder.mutationField('decideEligibility', (t) =>
  t.field({
    type: DecideEligibilityResultRef,
    description:
      'The school confirms or rejects (with a reason) the eligibility of its teachers on rosters. Each enrollment must still await a decision; all decisions are taken or none.',
    authScopes: { schoolAdmin: true, platformAdmin: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: DecideEligibilityInput, description: 'The decisions.' }) },
    resolve: async (_root, { input }, context): Promise<Decided> => {
      const issues: FieldIssue[] = [];
      if (input.decisions.length === 0 || input.decisions.length > maxBatch) {
        issues.push({
          path: ['input', 'decisions'],
          localized: bilingual(`must hold 1 to ${maxBatch} decisions|须包含 1 至 ${maxBatch} 项`),
        });
      }
      const seen = new Set<number>();
      const decisions = input.decisions.map((d, i) => {
        const id = localIdOf(String(d.enrollmentId), 'Enrollment');
        const path = ['input', 'decisions', String(i)];
        if (id === null) {
          issues.push({
            path: [...path, 'enrollmentId'],
            localized: bilingual('is not an enrollment ID|不是有效的报名ID'),
          });
        } else if (seen.has(id)) {
          issues.push({
            path: [...path, 'enrollmentId'],
            localized: bilingual('is decided twice in this request|在本次请求中重复出现'),
          });
        } else seen.add(id);
        const reason = d.reason?.trim() || null;
        // The reason's own rules first (the statuses are judged under the lock below).
        const said = decideEligibilityDecision({
          enrollmentStatus: 'registered',
          activityStatus: 'open',
          decision: d.decision,
          reason,
        });
        if (!said.ok)
          issues.push({ path: [...path, 'reason'], localized: rosterWords(said.refusal) });
        return { id: id!, path, decision: d.decision, reason };
      });
      if (issues.length) throw new ValidationError(issues);

      const visible = await context.loaders.enrollment.loadMany(decisions.map((d) => d.id));
      decisions.forEach((d, i) => {
        if (!visible[i] || visible[i] instanceof Error) {
          issues.push({
            path: [...d.path, 'enrollmentId'],
            localized: bilingual('names no enrollment you can see|未找到该报名记录'),
          });
        }
      });
      if (issues.length) throw new ValidationError(issues);
      const ownSchools = schoolsAdministered(context);
      const all = context.visibility.all;
      for (const d of decisions) {
        const enrollment = visible[decisions.indexOf(d)] as Enrollment;
        if (!all && !ownSchools.has(enrollment.schoolId)) {
          throw new ForbiddenError(
            bilingual(
              'Only the participant’s own school decides on their eligibility.|仅参训教师所在学校可审核其参训资格。',
            ),
          );
        }
      }

      return context.db.transaction().execute(async (trx) => {
        const activityIds = [...new Set((visible as Enrollment[]).map((e) => e.activityId))];
        const statuses = new Map(
          (
            await trx
              .selectFrom('activities')
              .select(['id', 'status'])
              .where('id', 'in', activityIds)
              .orderBy('id')
              .forShare()
              .execute()
          ).map((a) => [a.id, a.status as ActivityStatus]),
        );
        const locked = await lockEnrollments(
          trx,
          decisions.map((d) => d.id),
        );
        const conflicts: string[] = [];
        for (const d of decisions) {
          const before = locked.get(d.id)!;
          const decision = decideEligibilityDecision({
            enrollmentStatus: before.status,
            activityStatus: statuses.get(before.activityId)!,
            decision: d.decision,
            reason: d.reason,
          });
          if (!decision.ok) {
            conflicts.push(
              `${d.path.join('.')}: ${describeRosterRefusal(decision.refusal, context.locale)}`,
            );
          }
        }
        if (conflicts.length) {
          throw new ConflictError({
            en: `Nothing was decided: ${conflicts.join(' ')}`,
            'zh-CN': `未作任何审核：${conflicts.join('')}`,
          });
        }
        const enrollments: Enrollment[] = [];
        for (const d of decisions) {
          const before = locked.get(d.id)!;
          const after = await setEnrollmentDecision(trx, d.id, {
            status: d.decision === 'confirm' ? 'eligibility_confirmed' : 'eligibility_rejected',
            reason: d.decision === 'reject' ? d.reason : null,
            decidedBy: context.viewer?.id ?? null,
          });
          await audit(context, trx, `enrollment.${d.decision}ed`, d.id, before, after);
          context.loaders.enrollment.clear(d.id).prime(d.id, after);
          enrollments.push(after);
        }
        return { enrollments };
      });
    },
  }),
);

// --- substituteParticipant ---------------------------------------------------------------------

const SubstituteParticipantInput = builder.inputType('SubstituteParticipantInput', {
  description: 'A rejected participant and the teacher of the same school who takes their place.',
  fields: (t) => ({
    enrollmentId: t.id({ description: 'Global ID of the rejected enrollment.' }),
    teacherId: t.id({ description: 'Global ID of the substitute, a teacher of the same school.' }),
  }),
});

builder.mutationField('substituteParticipant', (t) =>
  t.field({
    type: EnrollmentRef,
    description:
      'Replaces a rejected participant with another teacher of the same school, who takes over the seat; the school vouches for the substitute, so their eligibility is confirmed. The roster keeps both: the old enrollment turns "substituted" and the new one points to it.',
    authScopes: { schoolAdmin: true, platformAdmin: true },
    errors: {
      types: [ValidationError, NotFoundError, ForbiddenError, ConflictError, NotEligibleError],
    },
    args: {
      input: t.arg({ type: SubstituteParticipantInput, description: 'Who replaces whom.' }),
    },
    resolve: async (_root, { input }, context): Promise<Enrollment> => {
      const enrollmentId = localIdOf(String(input.enrollmentId), 'Enrollment');
      const teacherId = localIdOf(String(input.teacherId), 'Teacher');
      const issues: FieldIssue[] = [];
      if (enrollmentId === null) {
        issues.push({
          path: ['input', 'enrollmentId'],
          localized: bilingual('is not an enrollment ID|不是有效的报名ID'),
        });
      }
      if (teacherId === null) {
        issues.push({
          path: ['input', 'teacherId'],
          localized: bilingual('is not a teacher ID|不是有效的教师ID'),
        });
      }
      if (issues.length) throw new ValidationError(issues);
      const rejected = await context.loaders.enrollment.load(enrollmentId!);
      if (!rejected) throw new NotFoundError(bilingual('The enrollment|该报名记录'));
      if (!context.visibility.all && !schoolsAdministered(context).has(rejected.schoolId)) {
        throw new ForbiddenError(
          bilingual(
            'Only the participant’s own school names a substitute.|仅参训教师所在学校可替换人选。',
          ),
        );
      }
      const substitute = await context.loaders.teacher.load(teacherId!);
      // A teacher the school cannot see is, to it, simply not one of its teachers.
      if (!substitute) {
        throw new ValidationError([
          { path: ['input', 'teacherId'], localized: rosterWords({ code: 'OTHER_SCHOOL' }) },
        ]);
      }
      return context.db.transaction().execute(async (trx) => {
        const activity = await lockActivity(trx, rejected.activityId);
        if (!activity) throw new NotFoundError(bilingual('The activity|该活动'));
        const before = (await lockEnrollments(trx, [rejected.id])).get(rejected.id)!;
        const engine = await judge(trx, activity, [substitute.id]);
        const decision = decideSubstitution({
          rejected: { status: before.status, schoolId: before.schoolId },
          substitute: {
            schoolId: substitute.schoolId,
            onRoster: engine.facts.teachers.get(substitute.id)?.seatHolder ?? false,
          },
          activityStatus: activity.status,
        });
        if (!decision.ok) {
          const words = rosterWords(decision.refusal);
          if (decision.refusal.code === 'OTHER_SCHOOL') {
            throw new ValidationError([{ path: ['input', 'teacherId'], localized: words }]);
          }
          throw new ConflictError(words);
        }
        // The rejected participant's seat passes to the substitute.
        const seatsHeld = engine.facts.seatsHeld;
        const verdict = engine.verdict(substitute.id, seatsForSubstitute(seatsHeld) - seatsHeld)!;
        if (!verdict.eligible) throw new NotEligibleError(verdict.reasons);
        const old = await setEnrollmentDecision(trx, before.id, {
          status: 'substituted',
          reason: before.rejectionReason,
          decidedBy: context.viewer?.id ?? null,
        });
        const created = await insertEnrollment(trx, {
          activityId: activity.id,
          teacherId: substitute.id,
          schoolId: substitute.schoolId,
          source: 'school',
          enrolledBy: context.viewer?.id ?? null,
          status: 'eligibility_confirmed',
          substitutesEnrollmentId: before.id,
          decidedBy: context.viewer?.id ?? null,
        });
        if (!created) {
          // A withdrawn enrollment of the same teacher still occupies (activity, teacher).
          throw new ConflictError(
            bilingual(
              'The substitute was enrolled in this activity before.|替换人选曾报名本活动。',
            ),
          );
        }
        await audit(context, trx, 'enrollment.substituted', before.id, before, old);
        await audit(context, trx, 'enrollment.created', created.id, null, created);
        context.loaders.enrollment.clear(before.id).prime(before.id, old);
        return created;
      });
    },
  }),
);
