import {
  appendAudit,
  findConfirmationRevisions,
  findOfficesAboveRegion,
  findRosterSchools,
  findStandingConfirmations,
  insertConfirmation,
  lockActivity,
  type Activity,
  type Confirmation,
} from '@registry/db';
import {
  decideRosterConfirmation,
  decideSchoolConfirmation,
  describeChainRefusal,
  nextRevision,
  type ChainRefusal,
} from '@registry/domain';
import { builder } from '../../builder';
import type { Context } from '../../context';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldIssue,
  type Localized,
} from '../../errors';
import { actorFor } from '../activities/activity-actor';
import { creditRoster, inRetriedTransaction } from '../credits/crediting';
import { localIdOf } from '../ids';
import { bilingual } from '../validation';
import { ConfirmationRef } from './confirmation.schema';
import { RosterConfirmationRef, type RosterConfirmation } from './roster-confirmation.schema';

const maxNoteLength = 1000;

export function localizedRefusal(refusal: ChainRefusal): Localized {
  return {
    en: describeChainRefusal(refusal, 'en'),
    'zh-CN': describeChainRefusal(refusal, 'zh-CN'),
  };
}

/** Activity ID and note, checked at the edge; every problem is reported with its field. */
function parseCommon(input: { activityId: string; note?: string | null | undefined }) {
  const issues: FieldIssue[] = [];
  const activityId = localIdOf(input.activityId, 'Activity');
  if (activityId === null) {
    issues.push({
      path: ['input', 'activityId'],
      localized: bilingual('is not the ID of an activity|不是有效的活动ID'),
    });
  }
  const note = input.note?.trim() || null;
  // Counted in characters as PostgreSQL's length() counts them, not UTF-16 units.
  if (note !== null && [...note].length > maxNoteLength) {
    issues.push({
      path: ['input', 'note'],
      localized: bilingual(
        `must be at most ${maxNoteLength} characters|最多${maxNoteLength}个字符`,
      ),
    });
  }
  return { activityId, note, issues };
}

const activityNotFound = () => new NotFoundError(bilingual('The activity|该活动'));

async function audit(trx: Context['db'], context: Context, link: Confirmation) {
  await appendAudit(trx, {
    actorId: context.viewer?.id ?? null,
    action: `confirmation.${link.level}`,
    entityType: 'confirmation',
    entityId: link.id,
    before: null,
    after: link,
    requestId: context.requestId,
  });
}

// --- the school's link -------------------------------------------------------------------------

const ConfirmSchoolAttendanceInput = builder.inputType('ConfirmSchoolAttendanceInput', {
  description: 'A school’s confirmation of its own teachers’ attendance in one activity.',
  fields: (t) => ({
    activityId: t.id({ description: 'Global ID of the activity.' }),
    schoolId: t.id({
      required: false,
      description:
        'Global ID of the school; may be left out by an administrator of exactly one school.',
    }),
    note: t.string({
      required: false,
      description: 'A note for the record, at most 1000 characters.',
    }),
  }),
});

/**
 * The school the caller confirms for: the one named, or their only school. Input problems are
 * added to `issues` (reported with the others); a school the caller does not administer is
 * refused once the input is valid.
 */
function schoolOf(
  context: Context,
  schoolId: string | null | undefined,
  issues: FieldIssue[],
): { id: number; mayConfirm: boolean } | null {
  const own =
    context.viewer?.memberships.flatMap((m) =>
      m.role === 'school_admin' && m.organizationId !== null ? [m.organizationId] : [],
    ) ?? [];
  const admin = context.viewer?.memberships.some((m) => m.role === 'platform_admin') ?? false;
  if (schoolId === null || schoolId === undefined) {
    if (own.length === 1 && !admin) return { id: own[0]!, mayConfirm: true };
    issues.push({
      path: ['input', 'schoolId'],
      localized: bilingual('is required: say which school confirms|必填：请指明由哪所学校确认'),
    });
    return null;
  }
  const id = localIdOf(schoolId, 'Organization');
  if (id === null) {
    issues.push({
      path: ['input', 'schoolId'],
      localized: bilingual('is not the ID of an organization|不是有效的机构ID'),
    });
    return null;
  }
  return { id, mayConfirm: admin || own.includes(id) };
}

builder.mutationField('confirmSchoolAttendance', (t) =>
  t.field({
    type: ConfirmationRef,
    description:
      'A school confirms the attendance of its own teachers in an activity (in progress, closed, or credited and amended since). The confirmed attendance is locked: later corrections are amendments. School administrators for their school; platform admins for any.',
    authScopes: { schoolAdmin: true, platformAdmin: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: {
      input: t.arg({ type: ConfirmSchoolAttendanceInput, description: 'The activity and school.' }),
    },
    resolve: async (_root, { input }, context): Promise<Confirmation> => {
      const { activityId, note, issues } = parseCommon(input);
      const school = schoolOf(context, input.schoolId, issues);
      if (issues.length || activityId === null || school === null) {
        throw new ValidationError(issues);
      }
      if (!school.mayConfirm) {
        throw new ForbiddenError(
          bilingual(
            'Only the school’s own administrator may confirm its teachers’ attendance.|仅本校管理员可以确认本校教师的出勤。',
          ),
        );
      }
      const schoolId = school.id;
      if (!(await context.loaders.activity.load(activityId))) throw activityNotFound();

      return inRetriedTransaction(context.db, async (trx) => {
        // Only `trx` inside: see confirmRoster on why the loaders stay outside.
        // Locked: the link, the amendments and the crediting of one activity serialize here.
        const activity = await lockActivity(trx, activityId);
        if (!activity) throw activityNotFound();
        const onRoster = (await findRosterSchools(trx, activityId)).find((s) => s.id === schoolId);
        const decision = decideSchoolConfirmation(activity.status, {
          participants: onRoster?.participants ?? 0,
          confirmed: onRoster?.confirmed ?? false,
        });
        if (!decision.ok) throw new ConflictError(localizedRefusal(decision.refusal));
        const link = await insertConfirmation(trx, {
          activityId,
          level: 'school',
          organizationId: schoolId,
          revision: nextRevision(
            await findConfirmationRevisions(trx, activityId, 'school', schoolId),
          ),
          confirmedBy: context.viewer?.id ?? null,
          note,
        });
        if (!link) {
          throw new ConflictError(localizedRefusal({ code: 'ALREADY_CONFIRMED', level: 'school' }));
        }
        await audit(trx, context, link);
        return link;
      });
    },
  }),
);

// --- the office's link and the crediting -------------------------------------------------------

const ConfirmRosterInput = builder.inputType('ConfirmRosterInput', {
  description: 'The education office’s confirmation of an activity’s whole roster.',
  fields: (t) => ({
    activityId: t.id({ description: 'Global ID of the activity.' }),
    note: t.string({
      required: false,
      description: 'A note for the record, at most 1000 characters.',
    }),
  }),
});

/**
 * The office that signs: the caller's own office nearest above the activity's region, or for a
 * platform admin the nearest office above it. An officer of no office above it is refused.
 */
async function signingOffice(trx: Context['db'], context: Context, activity: Activity) {
  const offices = await findOfficesAboveRegion(trx, activity.regionId);
  const memberships = context.viewer?.memberships ?? [];
  const own = new Set(
    memberships.flatMap((m) =>
      m.role === 'office_officer' && m.organizationId !== null ? [m.organizationId] : [],
    ),
  );
  const mine = offices.find((o) => own.has(o.id));
  if (mine) return mine;
  if (memberships.some((m) => m.role === 'platform_admin')) {
    const nearest = offices[0];
    if (nearest) return nearest;
    throw new ConflictError(
      bilingual(
        'No education office oversees the activity’s region, so nobody can sign its roster.|该活动所在区域没有教育行政部门，无法确认名单。',
      ),
    );
  }
  throw new ForbiddenError(
    bilingual(
      'Only the education office of the activity’s region or above may confirm its roster.|仅活动所在区域及上级教育行政部门可以确认名单。',
    ),
  );
}

builder.mutationField('confirmRoster', (t) =>
  t.field({
    type: RosterConfirmationRef,
    description:
      'The education office confirms the whole roster of a closed activity once every school with participants has confirmed, then credits it: each participant is evaluated against the completion rules and each one who completed gets exactly one award. After an amendment, confirming again re-credits (awards, adjustments, revocations). Education office of the activity’s region or above; platform admins.',
    authScopes: { officeOfficer: true, platformAdmin: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: ConfirmRosterInput, description: 'The activity.' }) },
    resolve: async (_root, { input }, context): Promise<RosterConfirmation> => {
      const { activityId, note, issues } = parseCommon(input);
      if (issues.length || activityId === null) throw new ValidationError(issues);
      const seen = await context.loaders.activity.load(activityId);
      if (!seen) throw activityNotFound();
      // Read before the transaction: the roles depend on the provider and region, which never
      // change, and the loaders use the pool — inside the transaction they would need a second
      // connection while holding the lock, and 10 waiting requests would exhaust a pool of 10.
      const actor = await actorFor(context, seen);

      const result = await inRetriedTransaction(context.db, async (trx) => {
        // Every concurrent confirmation waits here; the first credits, the others then find
        // its standing link and answer "already confirmed" without writing anything.
        const activity = await lockActivity(trx, activityId);
        if (!activity) throw activityNotFound();
        const office = await signingOffice(trx, context, activity);
        const schools = await findRosterSchools(trx, activityId);
        const standing = await findStandingConfirmations(trx, activityId);
        const decision = decideRosterConfirmation(
          activity.status,
          standing.some((link) => link.level === 'office'),
          schools,
        );
        if (!decision.ok) throw new ConflictError(localizedRefusal(decision.refusal));
        const link = await insertConfirmation(trx, {
          activityId,
          level: 'office',
          organizationId: office.id,
          revision: nextRevision(
            await findConfirmationRevisions(trx, activityId, 'office', office.id),
          ),
          confirmedBy: context.viewer?.id ?? null,
          note,
        });
        if (!link) {
          throw new ConflictError(localizedRefusal({ code: 'ALREADY_CONFIRMED', level: 'office' }));
        }
        await audit(trx, context, link);
        const credited = await creditRoster(trx, context, activity, link, actor);
        return { confirmation: link, activity: credited.activity, crediting: credited.summary };
      });
      context.loaders.activity.clear(activityId).prime(activityId, result.activity);
      return result;
    },
  }),
);
