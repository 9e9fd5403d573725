import type { SessionMode, TrainerKind } from '@registry/domain';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, Sessions, Trainers } from '../generated/database';
import { containsPattern } from './activity.repository';
import { compiledByIds, visibilityKey } from './compiled-once';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from './pagination';
import { sessionVisible, trainerVisible, type Visibility } from './visibility';

export interface Session {
  id: number;
  activityId: number;
  sequence: number;
  title: string;
  mode: SessionMode;
  startsAt: Date;
  endsAt: Date;
  hours: number;
  location: string | null;
  onlineMinMinutes: number | null;
}

export interface Trainer {
  id: number;
  name: string;
  kind: TrainerKind;
  title: string | null;
  organizationId: number | null;
  teacherId: number | null;
}

function toSession(row: Omit<Selectable<Sessions>, 'checkin_secret'>): Session {
  return {
    id: row.id,
    activityId: row.activity_id,
    sequence: row.sequence,
    title: row.title,
    mode: row.mode as SessionMode,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    hours: row.hours,
    location: row.location,
    onlineMinMinutes: row.online_min_minutes,
  };
}

export function toTrainer(row: Selectable<Trainers>): Trainer {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as TrainerKind,
    title: row.title,
    organizationId: row.organization_id,
    teacherId: row.teacher_id,
  };
}

const sessionColumns = [
  'id',
  'activity_id',
  'sequence',
  'title',
  'mode',
  'starts_at',
  'ends_at',
  'hours',
  'location',
  'online_min_minutes',
] as const;

/** Sessions of many activities in one statement, in sequence order (for a DataLoader). */
export async function findSessionsByActivityIds(
  db: Kysely<DB>,
  visibility: Visibility,
  activityIds: ReadonlyArray<number>,
): Promise<Session[]> {
  if (activityIds.length === 0) return [];
  const rows = await sessionsByActivityIds(db, { visibility, withTrainers: false }, activityIds);
  return rows.map(toSession);
}

/**
 * Lead, assistant, tutor: the roles' order of importance, not their names' (alphabetical put
 * assistants before the lead). `column` is a trusted SQL column reference.
 */
const roleRank = (column: string) =>
  `array_position(array['lead', 'assistant', 'tutor'], ${column})`;

/** A trainer as the JSON array the statement builds: the columns of Trainer, in its order. */
type TrainerTuple = [number, string, string, string | null, number | null, number | null];

/** Each session's trainers as TrainerTuple arrays: lead, assistant, tutor, then by id. */
const trainersJson = sql<
  TrainerTuple[]
>`(select coalesce(json_agg(json_build_array(t.id, t.name, t.kind, t.title, t.organization_id, t.teacher_id) order by ${sql.raw(roleRank('st.role'))}, t.id), '[]'::json) from session_trainers st join trainers t on t.id = st.trainer_id where st.session_id = sessions.id)`;

/**
 * Sessions of activities, with each session's trainers as a JSON column when asked for: one
 * statement per shape (visibility, trainers or not), the trainers' sub-select the only
 * difference.
 */
const sessionsByActivityIds = compiledByIds({
  shapeKey: ({ visibility, withTrainers }: { visibility: Visibility; withTrainers: boolean }) =>
    `${withTrainers}${visibilityKey(visibility)}`,
  build: (db, anyId, { visibility, withTrainers }) =>
    db
      .selectFrom('sessions')
      .select(sessionColumns)
      .$if(withTrainers, (q) => q.select(trainersJson.as('trainers')))
      .where('activity_id', '=', anyId)
      .where((eb) => sessionVisible(eb, visibility))
      .orderBy('activity_id')
      .orderBy('sequence'),
});

/**
 * Sessions of many activities with each session's trainers, in one statement: a screen that
 * lists an activity's sessions with who teaches them (the activity page, pnpm bench W3) reads
 * the trainers as a JSON array per session instead of a second round trip. Trainers carry no
 * visibility of their own: whoever sees the session sees its trainers, as through
 * findTrainersBySessionIds. Same order as there: lead trainers first, then by id.
 */
export async function findSessionsWithTrainersByActivityIds(
  db: Kysely<DB>,
  visibility: Visibility,
  activityIds: ReadonlyArray<number>,
): Promise<Array<{ session: Session; trainers: Trainer[] }>> {
  if (activityIds.length === 0) return [];
  const rows = await sessionsByActivityIds(db, { visibility, withTrainers: true }, activityIds);
  return rows.map((row) => ({
    session: toSession(row),
    trainers: (row.trainers ?? []).map(([id, name, kind, title, organizationId, teacherId]) => ({
      id,
      name,
      kind: kind as TrainerKind,
      title,
      organizationId,
      teacherId,
    })),
  }));
}

export async function findSessionsByIds(
  db: Kysely<DB>,
  visibility: Visibility,
  ids: ReadonlyArray<number>,
): Promise<Session[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('sessions')
    .select(sessionColumns)
    .where('id', 'in', ids)
    .where((eb) => sessionVisible(eb, visibility))
    .execute();
  return rows.map(toSession);
}

/** Trainers of many sessions in one statement, lead trainers first. */
export async function findTrainersBySessionIds(
  db: Kysely<DB>,
  sessionIds: ReadonlyArray<number>,
): Promise<Array<Trainer & { sessionId: number }>> {
  if (sessionIds.length === 0) return [];
  const rows = await trainersBySessionIds(db, null, sessionIds);
  return rows.map((row) => ({ ...toTrainer(row), sessionId: row.session_id }));
}

const trainersBySessionIds = compiledByIds({
  build: (db, anyId) =>
    db
      .selectFrom('session_trainers')
      .innerJoin('trainers', 'trainers.id', 'session_trainers.trainer_id')
      .selectAll('trainers')
      .select('session_trainers.session_id')
      .where('session_trainers.session_id', '=', anyId)
      .orderBy('session_trainers.session_id')
      .orderBy(sql.raw(roleRank('session_trainers.role')))
      .orderBy('trainers.id'),
});

export async function findTrainersByIds(
  db: Kysely<DB>,
  ids: ReadonlyArray<number>,
): Promise<Trainer[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('trainers').selectAll().where('id', 'in', ids).execute();
  return rows.map(toTrainer);
}

export interface TrainerFilter {
  /** Part of the name; Chinese works as typed. */
  search?: string | null | undefined;
  /** Trainers belonging to any of these organizations. */
  organizationIds?: ReadonlyArray<number> | null | undefined;
}

function trainersFiltered(db: Kysely<DB>, visibility: Visibility, filter: TrainerFilter) {
  let query = db.selectFrom('trainers').where((eb) => trainerVisible(eb, visibility));
  const search = filter.search?.trim();
  if (search) query = query.where('trainers.name', 'ilike', containsPattern(search));
  if (filter.organizationIds?.length) {
    query = query.where('trainers.organization_id', 'in', filter.organizationIds);
  }
  return query;
}

/** The trainers the caller may list, by name then id (an editor's pick list). */
export async function findTrainers(
  db: Kysely<DB>,
  visibility: Visibility,
  filter: TrainerFilter,
  page: PageRequest,
): Promise<Page<Trainer>> {
  let query = trainersFiltered(db, visibility, filter).selectAll('trainers');
  if (page.after) {
    const [name, id] = decodeCursor(page.after, ['string', 'number']) as [string, number];
    query = query.where(sql<boolean>`(trainers.name, trainers.id) > (${name}, ${id}::int)`);
  }
  const rows = await query
    .orderBy('trainers.name')
    .orderBy('trainers.id')
    .limit(page.first + 1)
    .execute();
  return {
    rows: rows.slice(0, page.first).map(toTrainer),
    hasNextPage: rows.length > page.first,
    cursorOf: (t) => encodeCursor([t.name, t.id]),
  };
}

export async function countTrainers(
  db: Kysely<DB>,
  visibility: Visibility,
  filter: TrainerFilter,
): Promise<number> {
  const row = await trainersFiltered(db, visibility, filter)
    .select((eb) => eb.fn.countAll<string | number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export interface NewSession {
  activityId: number;
  sequence: number;
  title: string;
  mode: SessionMode;
  startsAt: Date;
  endsAt: Date;
  hours: number;
  location: string | null;
  onlineMinMinutes: number | null;
}

export async function insertSession(db: Kysely<DB>, session: NewSession): Promise<Session> {
  const row = await db
    .insertInto('sessions')
    .values({
      activity_id: session.activityId,
      sequence: session.sequence,
      title: session.title,
      mode: session.mode,
      starts_at: session.startsAt,
      ends_at: session.endsAt,
      hours: session.hours,
      location: session.location,
      online_min_minutes: session.onlineMinMinutes,
    })
    .returning(sessionColumns)
    .executeTakeFirstOrThrow();
  return toSession(row);
}

export async function nextSessionSequence(db: Kysely<DB>, activityId: number): Promise<number> {
  const row = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.coalesce(eb.fn.max('sequence'), eb.lit(0)).as('last'))
    .where('activity_id', '=', activityId)
    .executeTakeFirstOrThrow();
  return Number(row.last) + 1;
}

/** Removes a session with its trainer assignments; refuses (FK) when attendance exists. */
export async function deleteSession(db: Kysely<DB>, id: number): Promise<void> {
  await db.deleteFrom('session_trainers').where('session_id', '=', id).execute();
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function setSessionTrainers(
  db: Kysely<DB>,
  sessionId: number,
  trainerIds: readonly number[],
): Promise<void> {
  await db.deleteFrom('session_trainers').where('session_id', '=', sessionId).execute();
  if (trainerIds.length === 0) return;
  await db
    .insertInto('session_trainers')
    .values(
      trainerIds.map((trainerId, i) => ({
        session_id: sessionId,
        trainer_id: trainerId,
        role: i === 0 ? 'lead' : 'assistant',
      })),
    )
    .execute();
}
