import {
  findAttendanceOf,
  findEnrollmentOfTeacher,
  findLockedEnrollments,
  findSessionWithSecret,
  insertCheckin,
  type AttendanceWrite,
} from '@registry/db';
import {
  checkinAttendance,
  checkinCode,
  checkinStep,
  checkinStepSeconds,
  defaultCheckinGraceMinutes,
  describeCheckinRefusal,
  isActiveParticipant,
  verifyCheckin,
} from '@registry/domain';
import QRCode from 'qrcode';
import { builder } from '../../builder';
import { auditChange } from '../audit';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  type FieldIssue,
} from '../../errors';
import { localIdOf } from '../ids';
import { SessionRef } from '../sessions/session.schema';
import { bilingual } from '../validation';
import {
  lockedConflict,
  lockRunningActivity,
  visibleActivity,
  writableSessions,
  writerFor,
} from './attendance-access';
import { AttendanceRef } from './attendance.schema';

/**
 * Self check-in (issue 4 point 4): the trainer shows a rotating six-character code (and its QR
 * code) on screen; teachers type or scan it while the session is on. The code rotates every
 * minute and the one shown a minute ago is still accepted (verifyCheckin's skew of 1 step).
 * The window is the session's time with 15 minutes of grace either side.
 */
const graceMinutes = defaultCheckinGraceMinutes;

interface CheckinCodeView {
  sessionId: number;
  code: string;
  validUntil: Date;
  opensAt: Date;
  closesAt: Date;
  qrText: string;
}

/**
 * What the QR code carries: the registry's scheme with the session's global ID and the code,
 * for the registry app's scanner (a camera app shows the text, code included, to type). It is
 * not a web link because the GraphQL context carries no public URL of the registry.
 */
function qrTextOf(sessionGlobalId: string, code: string): string {
  return `credit-registry:checkin?session=${encodeURIComponent(sessionGlobalId)}&code=${code}`;
}

const CheckinCodeRef = builder.objectRef<CheckinCodeView>('CheckinCode').implement({
  description:
    'The check-in code a session shows right now, for its trainers and the provider’s administrators to put on screen.',
  authScopes: { trainer: true, institutionAdmin: true, schoolAdmin: true, platformAdmin: true },
  fields: (t) => ({
    code: t.exposeString('code', {
      description: 'Six characters without look-alikes (no 0/O, 1/I), e.g. K7M2QX.',
    }),
    validUntil: t.expose('validUntil', {
      type: 'DateTime',
      description:
        'When the code on screen rotates; the previous code is still accepted for one more minute.',
    }),
    opensAt: t.expose('opensAt', {
      type: 'DateTime',
      description: `When check-in opens: ${graceMinutes} minutes before the session starts.`,
    }),
    closesAt: t.expose('closesAt', {
      type: 'DateTime',
      description: `When check-in closes: ${graceMinutes} minutes after the session ends.`,
    }),
    qrText: t.exposeString('qrText', { description: 'The text the QR code carries.' }),
    qrCodeSvg: t.string({
      description: 'The QR code of qrText as an SVG document, to show on the screen.',
      resolve: (view) =>
        QRCode.toString(view.qrText, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
    }),
  }),
});

builder.objectField(SessionRef, 'checkinCode', (t) =>
  t.field({
    type: CheckinCodeRef,
    nullable: true,
    description:
      'The rotating check-in code of the session right now; null unless you teach the session or administer its provider.',
    authScopes: { trainer: true, institutionAdmin: true, schoolAdmin: true, platformAdmin: true },
    resolve: async (session, _args, context): Promise<CheckinCodeView | null> => {
      const activity = await context.loaders.activity.load(session.activityId);
      if (!activity) return null;
      const writer = await writerFor(context, activity);
      if (!(await writableSessions(context.db, writer, [session.id])).has(session.id)) return null;
      const stored = await findSessionWithSecret(context.db, session.id);
      if (!stored) return null;
      const now = new Date();
      const step = checkinStep(now);
      const code = await checkinCode(stored.checkinSecret, session.id, step);
      const sessionGlobalId = Buffer.from(`Session:${session.id}`).toString('base64');
      return {
        sessionId: session.id,
        code,
        validUntil: new Date((step + 1) * checkinStepSeconds * 1000),
        opensAt: new Date(session.startsAt.getTime() - graceMinutes * 60_000),
        closesAt: new Date(session.endsAt.getTime() + graceMinutes * 60_000),
        qrText: qrTextOf(sessionGlobalId, code),
      };
    },
  }),
);

const CheckInInput = builder.inputType('CheckInInput', {
  description: 'A teacher’s own check-in with the code shown at the session.',
  fields: (t) => ({
    sessionId: t.id({ description: 'Global ID of the session.' }),
    code: t.string({
      description: 'The code on screen; case, spaces, dashes and full-width characters are fine.',
    }),
  }),
});

builder.mutationField('checkIn', (t) =>
  t.field({
    type: AttendanceRef,
    description: `Checks the signed-in teacher in to a session of an activity they take part in, inside the session's time (${graceMinutes} minutes of grace either side). Present when within 10 minutes of the start, late after. Repeating it changes nothing and returns the record already there, whoever wrote it.`,
    authScopes: { teacher: true },
    errors: { types: [ValidationError, NotFoundError, ForbiddenError, ConflictError] },
    args: { input: t.arg({ type: CheckInInput, description: 'The session and the code.' }) },
    resolve: async (_root, { input }, context): Promise<AttendanceWrite> => {
      const issues: FieldIssue[] = [];
      const sessionId = localIdOf(input.sessionId, 'Session');
      if (sessionId === null) {
        issues.push({
          path: ['input', 'sessionId'],
          localized: bilingual('is not the ID of a session|不是有效的课次ID'),
        });
      }
      if (input.code.trim() === '' || input.code.length > 32) {
        issues.push({
          path: ['input', 'code'],
          localized: bilingual('must be the code shown on the screen|请输入屏幕上显示的签到码'),
        });
      }
      if (issues.length || sessionId === null) throw new ValidationError(issues);

      const notFound = new NotFoundError(bilingual('The session|该课次'));
      const session = await context.loaders.session.load(sessionId);
      if (!session) throw notFound;
      await visibleActivity(context, session.activityId);
      const teacherId = context.viewer?.teacherId ?? null;
      const enrollment =
        teacherId === null
          ? null
          : await findEnrollmentOfTeacher(context.db, session.activityId, teacherId);
      if (!enrollment || !isActiveParticipant(enrollment.status)) {
        throw new ForbiddenError(
          bilingual(
            'Only teachers taking part in the activity may check in to its sessions.|仅参加该活动的教师可以签到。',
          ),
        );
      }
      const stored = await findSessionWithSecret(context.db, session.id);
      if (!stored) throw notFound;
      const now = new Date();
      const verdict = await verifyCheckin(input.code, now, {
        id: session.id,
        secret: stored.checkinSecret,
        window: { startsAt: session.startsAt, endsAt: session.endsAt },
      });
      if (!verdict.ok) {
        const localized = {
          en: describeCheckinRefusal(verdict.refusal, 'en'),
          'zh-CN': describeCheckinRefusal(verdict.refusal, 'zh-CN'),
        };
        if (verdict.refusal.code === 'WRONG_CODE') {
          throw new ValidationError([{ path: ['input', 'code'], localized }]);
        }
        throw new ConflictError(localized);
      }

      return context.db.transaction().execute(async (trx) => {
        await lockRunningActivity(trx, session.activityId);
        const existing = await findAttendanceOf(trx, session.id, enrollment.id);
        // Idempotent: a repeat, or a record the trainer already made, is answered as it is.
        if (existing) return existing;
        const locked = await findLockedEnrollments(trx, session.activityId, [enrollment.id]);
        if (locked.size > 0) throw lockedConflict([enrollment.nationalId]);
        const { status, minutes } = checkinAttendance(session, now);
        const written = await insertCheckin(trx, {
          activityId: session.activityId,
          sessionId: session.id,
          enrollmentId: enrollment.id,
          status,
          minutes,
          recordedBy: context.viewer?.id ?? null,
        });
        // A concurrent double tap: the other request wrote first; answer with its row.
        if (!written) return (await findAttendanceOf(trx, session.id, enrollment.id))!;
        await auditChange(
          context,
          trx,
          'attendance.checked_in',
          'attendance',
          written.id,
          null,
          written,
        );
        return written;
      });
    },
  }),
);
