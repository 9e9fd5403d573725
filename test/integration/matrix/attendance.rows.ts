import { checkinCode, checkinStep } from '@registry/domain';
import { sql } from 'kysely';
import { g, succeeded, type MatrixArea, type MatrixEnv, type TargetIds } from './matrix-kit';

/**
 * Attendance: trainers record the sessions they teach, the provider's admins any session of
 * their activities; teachers only check themselves in. Every cell runs on a fresh running
 * activity of the target's provider (the shared open activity is confirmed, hence locked),
 * with one in-person session happening now and one online block, both taught by the target's
 * trainer, and the target's teacher enrolled.
 */
// prettier-ignore
const rows: MatrixArea['rows'] = {
  'mutation recordAttendance':        { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'query Session.checkinCode':        { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'mutation checkIn':                 { platform_admin: ['deny', 'deny'], office_officer: ['deny', 'deny'], institution_admin: ['deny', 'deny'], trainer: ['deny', 'deny'], school_admin: ['deny', 'deny'], teacher: ['allow', 'deny'] },
  'mutation previewAttendanceImport': { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'mutation commitAttendanceImport':  { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
  'mutation importOnlineStudy':       { platform_admin: ['allow', 'allow'], office_officer: ['deny', 'deny'], institution_admin: ['allow', 'deny'], trainer: ['allow', 'deny'], school_admin: ['allow', 'deny'], teacher: ['deny', 'deny'] },
};

interface Running {
  activity: number;
  session: number;
  enrollment: number;
  nationalId: string;
}

/** A fresh in-progress activity of the target's provider, as described above. */
async function running(env: MatrixEnv, t: TargetIds): Promise<Running> {
  const { db, fx } = env;
  const provider = await db
    .selectFrom('organizations')
    .select(['id', 'region_id'])
    .where('id', '=', t.provider)
    .executeTakeFirstOrThrow();
  const activity = await fx.activity({ id: provider.id, regionId: provider.region_id });
  await sql`update activities set status = 'in_progress' where id = ${activity.id}`.execute(db);
  const now = Date.now();
  const session = await fx.session(activity, {
    sequence: 1,
    starts_at: new Date(now - 5 * 60_000).toISOString(),
    ends_at: new Date(now + 115 * 60_000).toISOString(),
    hours: 2,
  });
  const block = await db
    .insertInto('sessions')
    .values({
      activity_id: activity.id,
      sequence: 2,
      title: '线上学习',
      mode: 'online',
      starts_at: '2026-03-02T00:00:00+08:00',
      ends_at: '2026-03-02T23:59:00+08:00',
      hours: 1,
      online_min_minutes: 60,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('session_trainers')
    .values([
      { session_id: session.id, trainer_id: t.trainer },
      { session_id: block.id, trainer_id: t.trainer },
    ])
    .execute();
  const teacher = await db
    .selectFrom('teachers')
    .select(['id', 'school_id', 'national_id'])
    .where('id', '=', t.teacher)
    .executeTakeFirstOrThrow();
  const enrollment = await fx.enrollment(activity, teacher);
  return {
    activity: activity.id,
    session: session.id,
    enrollment: enrollment.id,
    nationalId: teacher.national_id,
  };
}

const csvOf = (r: Running) =>
  Buffer.from(
    `teacher_national_id,session_sequence,status,minutes\n${r.nationalId},1,present,60\n`,
  ).toString('base64');

const operations: MatrixArea['operations'] = {
  'mutation recordAttendance': async (caller, t, env) => {
    const r = await running(env, t);
    const { data } = await caller<{ recordAttendance: { __typename: string } | null }>(
      `mutation($input: RecordAttendanceInput!) { recordAttendance(input: $input) { __typename } }`,
      {
        input: {
          sessionId: g('Session', r.session),
          entries: [
            { enrollmentId: g('Enrollment', r.enrollment), status: 'PRESENT', minutes: 60 },
          ],
        },
      },
    );
    return succeeded(data?.recordAttendance) ? 'allow' : 'deny';
  },
  'query Session.checkinCode': async (caller, t, env) => {
    const r = await running(env, t);
    const { data } = await caller<{ node: { checkinCode: { code: string } | null } | null }>(
      `query($id: ID!) { node(id: $id) { ... on Session { checkinCode { code } } } }`,
      { id: g('Session', r.session) },
    );
    return data?.node?.checkinCode?.code ? 'allow' : 'deny';
  },
  'mutation checkIn': async (caller, t, env) => {
    const r = await running(env, t);
    const { checkin_secret: secret } = await env.db
      .selectFrom('sessions')
      .select('checkin_secret')
      .where('id', '=', r.session)
      .executeTakeFirstOrThrow();
    const code = await checkinCode(secret, r.session, checkinStep(new Date()));
    const { data } = await caller<{ checkIn: { __typename: string } | null }>(
      `mutation($input: CheckInInput!) { checkIn(input: $input) { __typename } }`,
      { input: { sessionId: g('Session', r.session), code } },
    );
    return succeeded(data?.checkIn) ? 'allow' : 'deny';
  },
  'mutation previewAttendanceImport': async (caller, t, env) => {
    const r = await running(env, t);
    const { data } = await caller<{
      previewAttendanceImport: { __typename: string; data?: { clean: boolean } } | null;
    }>(
      `mutation($input: PreviewAttendanceImportInput!) { previewAttendanceImport(input: $input) { __typename ... on MutationPreviewAttendanceImportSuccess { data { clean } } } }`,
      { input: { activityId: g('Activity', r.activity), csv: csvOf(r) } },
    );
    return data?.previewAttendanceImport?.data?.clean ? 'allow' : 'deny';
  },
  'mutation commitAttendanceImport': async (caller, t, env) => {
    const r = await running(env, t);
    const { data } = await caller<{ commitAttendanceImport: { __typename: string } | null }>(
      `mutation($input: CommitAttendanceImportInput!) { commitAttendanceImport(input: $input) { __typename } }`,
      {
        input: {
          activityId: g('Activity', r.activity),
          csv: csvOf(r),
          idempotencyKey: `matrix-import-${env.nextCode()}`,
        },
      },
    );
    return succeeded(data?.commitAttendanceImport) ? 'allow' : 'deny';
  },
  'mutation importOnlineStudy': async (caller, t, env) => {
    const r = await running(env, t);
    const { data } = await caller<{ importOnlineStudy: { __typename: string } | null }>(
      `mutation($input: ImportOnlineStudyInput!) { importOnlineStudy(input: $input) { __typename } }`,
      {
        input: {
          activityId: g('Activity', r.activity),
          format: 'JSON',
          payload: JSON.stringify([
            { teacherNationalId: r.nationalId, date: '2026-03-02', minutes: 70 },
          ]),
          idempotencyKey: `matrix-online-${env.nextCode()}`,
        },
      },
    );
    return succeeded(data?.importOnlineStudy) ? 'allow' : 'deny';
  },
};

export const area: MatrixArea = { rows, operations };
