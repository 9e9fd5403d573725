import type { AttendanceAmendment, Confirmation } from '@registry/db';
import { audience, builder } from '../../builder';
import { AttendanceRef } from '../attendance/attendance.schema';
import { AttendanceStatusEnum } from '../enums';
import { ConfirmationRef } from './confirmation.schema';

export interface AmendmentResult {
  amendment: AttendanceAmendment;
  /** The links of the chain this amendment superseded. */
  superseded: Confirmation[];
}

export const AttendanceAmendmentRef = builder
  .objectRef<AmendmentResult>('AttendanceAmendment')
  .implement({
    description:
      'A correction of confirmed attendance, with its reason. It supersedes the school’s and the office’s confirmations, so the chain confirms again.',
    extensions: audience.signedIn,
    fields: (t) => ({
      reason: t.string({
        description: 'Why the attendance was corrected.',
        resolve: (r) => r.amendment.reason,
      }),
      requestedAt: t.field({
        type: 'DateTime',
        description: 'When it was corrected.',
        resolve: (r) => r.amendment.requestedAt,
      }),
      statusBefore: t.field({
        type: AttendanceStatusEnum,
        description: 'The status before the correction.',
        resolve: (r) => r.amendment.before.status,
      }),
      minutesBefore: t.int({
        description: 'The minutes before the correction.',
        resolve: (r) => r.amendment.before.minutes,
      }),
      statusAfter: t.field({
        type: AttendanceStatusEnum,
        description: 'The status after the correction.',
        resolve: (r) => r.amendment.after.status,
      }),
      minutesAfter: t.int({
        description: 'The minutes after the correction.',
        resolve: (r) => r.amendment.after.minutes,
      }),
      attendance: t.field({
        type: AttendanceRef,
        nullable: true,
        description: 'The corrected attendance, as it is now.',
        resolve: (r, _args, context) => context.loaders.attendance.load(r.amendment.attendanceId),
      }),
      supersededConfirmations: t.field({
        type: [ConfirmationRef],
        description: 'The confirmations this correction superseded; they must be signed again.',
        resolve: (r) => r.superseded,
      }),
    }),
  });
