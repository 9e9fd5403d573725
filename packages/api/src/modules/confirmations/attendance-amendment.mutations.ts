import {
  amendAttendanceRow,
  appendAudit,
  findAttendanceForAmendment,
  findStandingConfirmations,
  lockActivity,
  schoolEverConfirmed,
  supersedeConfirmations,
  type AmendableAttendance,
} from '@registry/db';
import {
  attendanceStatuses,
  decideAmendment,
  linksSupersededByAmendment,
  type AttendanceStatus,
} from '@registry/domain';
import { builder } from '../../builder';
import type { Context } from '../../context';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldIssue,
} from '../../errors';
import { inRetriedTransaction } from '../credits/crediting';
import { AttendanceStatusEnum } from '../enums';
import { localIdOf } from '../ids';
import { bilingual } from '../validation';
import { AttendanceAmendmentRef, type AmendmentResult } from './attendance-amendment.schema';
import { localizedRefusal } from './confirmation.mutations';

const maxReasonLength = 1000;

const AmendAttendanceInput = builder.inputType('AmendAttendanceInput', {
  description: 'A correction of attendance that a school or the office has confirmed.',
  fields: (t) => ({
    attendanceId: t.id({ description: 'Global ID of the attendance row.' }),
    status: t.field({ type: AttendanceStatusEnum, description: 'The corrected status.' }),
    minutes: t.int({ description: 'The corrected minutes, 0 to 1440.' }),
    reason: t.string({ description: 'Why, at most 1000 characters; kept with the amendment.' }),
  }),
});

/**
 * Who may correct a row: the provider running the activity, a trainer of the session, the
 * school that vouches for the teacher, or a platform admin.
 */
function mayAmend(context: Context, row: AmendableAttendance): boolean {
  const viewer = context.viewer;
  if (!viewer) return false;
  if (viewer.trainerId !== null && row.trainerIds.includes(viewer.trainerId)) return true;
  return viewer.memberships.some(
    (m) =>
      m.role === 'platform_admin' ||
      ((m.role === 'institution_admin' || m.role === 'school_admin') &&
        m.organizationId === row.providerId) ||
      (m.role === 'school_admin' && m.organizationId === row.schoolId),
  );
}

builder.mutationField('amendAttendance', (t) =>
  t.field({
    type: AttendanceAmendmentRef,
    description:
      'Corrects confirmed attendance with a reason. The amendment keeps the values before and after; it supersedes the school’s confirmation of that teacher and the office’s confirmation of the roster, so both confirm again and the office’s new confirmation re-credits. The provider, a trainer of the session or the teacher’s school; platform admins.',
    authScopes: { institutionAdmin: true, schoolAdmin: true, trainer: true, platformAdmin: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: AmendAttendanceInput, description: 'The correction.' }) },
    resolve: async (_root, { input }, context): Promise<AmendmentResult> => {
      const issues: FieldIssue[] = [];
      const attendanceId = localIdOf(input.attendanceId, 'Attendance');
      if (attendanceId === null) {
        issues.push({
          path: ['input', 'attendanceId'],
          localized: bilingual('is not the ID of an attendance record|不是有效的出勤记录ID'),
        });
      }
      if (!Number.isInteger(input.minutes) || input.minutes < 0 || input.minutes > 1440) {
        issues.push({
          path: ['input', 'minutes'],
          localized: bilingual('must be a whole number from 0 to 1440|必须是0至1440的整数'),
        });
      }
      const status = input.status as AttendanceStatus;
      if (!attendanceStatuses.includes(status)) {
        issues.push({
          path: ['input', 'status'],
          localized: bilingual('is not an attendance status|不是有效的出勤状态'),
        });
      }
      const reason = input.reason.trim();
      if (reason === '') {
        issues.push({
          path: ['input', 'reason'],
          localized: bilingual('must say why|请说明更正原因'),
        });
      } else if ([...reason].length > maxReasonLength) {
        issues.push({
          path: ['input', 'reason'],
          localized: bilingual(
            `must be at most ${maxReasonLength} characters|最多${maxReasonLength}个字符`,
          ),
        });
      }
      if (issues.length || attendanceId === null) throw new ValidationError(issues);

      const notFound = new NotFoundError(bilingual('The attendance record|该出勤记录'));
      const visible = await context.loaders.attendance.load(attendanceId);
      if (!visible) throw notFound;

      const result = await inRetriedTransaction(context.db, async (trx) => {
        // The activity's lock first, as the confirmations and the crediting take it: an
        // amendment never slips between a roster's confirmation and its crediting.
        const activity = await lockActivity(trx, visible.activityId);
        const row = await findAttendanceForAmendment(trx, attendanceId);
        if (!activity || !row) throw notFound;
        if (!mayAmend(context, row)) {
          throw new ForbiddenError(
            bilingual(
              'Only the provider, a trainer of the session or the teacher’s school may correct this attendance.|仅培训机构、本课次培训者或教师所在学校可以更正该出勤记录。',
            ),
          );
        }
        const after = { status, minutes: input.minutes };
        const decision = decideAmendment(
          activity.status,
          await schoolEverConfirmed(trx, activity.id, row.schoolId),
          { status: row.status, minutes: row.minutes },
          after,
        );
        if (!decision.ok) {
          if (decision.refusal.code === 'NO_CHANGE') {
            throw new ValidationError([
              { path: ['input', 'status'], localized: localizedRefusal(decision.refusal) },
            ]);
          }
          throw new ConflictError(localizedRefusal(decision.refusal));
        }
        const amendment = await amendAttendanceRow(trx, {
          attendanceId,
          before: { status: row.status, minutes: row.minutes },
          after,
          reason,
          requestedBy: context.viewer?.id ?? null,
        });
        const superseded = await supersedeConfirmations(
          trx,
          linksSupersededByAmendment(
            await findStandingConfirmations(trx, activity.id),
            row.schoolId,
          ),
        );
        for (const link of superseded) {
          await appendAudit(trx, {
            actorId: context.viewer?.id ?? null,
            action: 'confirmation.superseded',
            entityType: 'confirmation',
            entityId: link.id,
            before: { ...link, supersededAt: null },
            after: { ...link, amendmentId: amendment.id },
            requestId: context.requestId,
          });
        }
        await appendAudit(trx, {
          actorId: context.viewer?.id ?? null,
          action: 'attendance.amended',
          entityType: 'attendance',
          entityId: attendanceId,
          before: amendment.before,
          after: {
            ...amendment.after,
            amendmentId: amendment.id,
            reason,
            supersededConfirmationIds: superseded.map((c) => c.id),
          },
          requestId: context.requestId,
        });
        return { amendment, superseded };
      });
      context.loaders.attendance.clear(attendanceId);
      return result;
    },
  }),
);
