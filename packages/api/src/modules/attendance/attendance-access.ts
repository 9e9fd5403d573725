import { findSessionsTaughtBy, shareLockActivity, type Activity } from '@registry/db';
import { attendanceWritable, attendanceWritableStatuses } from '@registry/domain';
import type { Context } from '../../context';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors';
import { actorFor } from '../activities/activity-actor';
import { bilingual } from '../validation';

/**
 * Who writes attendance (issue 4 point 4): the platform admin and the provider's admins
 * (institution admin, or school admin of a school-based activity their school provides) for
 * any session of the activity; a trainer only for the sessions they teach (session_trainers).
 * Offices oversee and schools confirm; neither records. Teachers only check themselves in.
 */
export interface AttendanceWriter {
  /** Platform or provider admin: every session of the activity. */
  allSessions: boolean;
  /** The caller's trainer row, when they may write the sessions they teach. */
  trainerId: number | null;
}

export async function writerFor(context: Context, activity: Activity): Promise<AttendanceWriter> {
  const { roles } = await actorFor(context, activity);
  const allSessions = roles.some(
    (r) => r === 'platform_admin' || r === 'institution_admin' || r === 'school_admin',
  );
  const isTrainer = context.viewer?.memberships.some((m) => m.role === 'trainer') ?? false;
  return { allSessions, trainerId: isTrainer ? (context.viewer?.trainerId ?? null) : null };
}

/**
 * The sessions among those given the writer may record; all of them for admins. Takes the
 * connection explicitly: inside a transaction it must be the transaction's (PGlite has one
 * connection, and a statement on another would wait for the transaction forever).
 */
export async function writableSessions(
  db: Context['db'],
  writer: AttendanceWriter,
  sessionIds: readonly number[],
): Promise<Set<number>> {
  if (writer.allSessions) return new Set(sessionIds);
  if (writer.trainerId === null) return new Set();
  return findSessionsTaughtBy(db, writer.trainerId, sessionIds);
}

export const notWriter = () =>
  new ForbiddenError(
    bilingual(
      'Only the trainers of a session, the provider’s administrators and platform administrators may record its attendance.|仅该课次的讲师、培训机构管理员和平台管理员可以记录考勤。',
    ),
  );

/** The activity as the caller sees it; invisible and missing look alike. */
export async function visibleActivity(context: Context, activityId: number): Promise<Activity> {
  const activity = await context.loaders.activity.load(activityId);
  if (!activity) throw new NotFoundError(bilingual('The activity|该活动'));
  return activity;
}

/**
 * Holds the activity for the rest of the transaction and refuses unless it is running. Closed
 * activities are the basis of confirmation and credit: corrections go through an amendment.
 */
export async function lockRunningActivity(trx: Context['db'], activityId: number) {
  const locked = await shareLockActivity(trx, activityId);
  if (!locked) throw new NotFoundError(bilingual('The activity|该活动'));
  if (!attendanceWritable(locked.status)) {
    const allowed = attendanceWritableStatuses.join(', ');
    throw new ConflictError(
      bilingual(
        `Attendance can be recorded only while the activity is ${allowed}; it is ${locked.status}. Corrections after closing go through an amendment.|仅在活动处于开放报名或进行中时可以记录考勤，当前状态为 ${locked.status}；结束后的更正请提交考勤更正申请。`,
      ),
    );
  }
  return locked;
}

/** The typed refusal for confirmed (locked) records, naming each of them. */
export function lockedConflict(names: readonly string[]): ConflictError {
  const shown = names.slice(0, 20).join(', ');
  const more = names.length > 20 ? ` (+${names.length - 20})` : '';
  return new ConflictError(
    bilingual(
      `Attendance is confirmed and locked for: ${shown}${more}. Nothing was changed; corrections go through an amendment.|以下考勤已确认并锁定：${shown}${more}。未做任何修改；如需更正请提交考勤更正申请。`,
    ),
  );
}
