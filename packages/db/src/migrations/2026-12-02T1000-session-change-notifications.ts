import { sql, type Kysely } from 'kysely';

/**
 * Every change that can alter what a session token signs in as is announced on the channel
 * `registry_sessions` (issue 6, decision 0017), so API processes may keep looked-up sessions for
 * a few seconds and drop them the moment they go stale instead of asking the database on every
 * request.
 *
 * A session lookup reads auth_sessions (revoked, expired), user_accounts (name, teacher and
 * trainer links, disabled) and memberships with their organization's kind, name and region
 * path. So:
 * - auth_sessions updated or deleted, user_accounts updated or deleted, memberships inserted,
 *   updated or deleted: the payload lists the user ids concerned, comma-separated (a session
 *   inserted needs no notice: nobody can have kept it yet);
 * - organizations updated or deleted, any of these tables truncated, or more users than fit in
 *   one payload: the payload is '*', everyone.
 * Regions are left out: a region's path cannot change (regions_set_path refuses moves), and a
 * region with organizations cannot be deleted.
 *
 * The triggers are statement-level with transition tables, so a bulk change (the seed's
 * 200,000 memberships) sends one notification, not one per row. PostgreSQL delivers
 * notifications only when the transaction commits, and never for one that rolls back.
 */
const channel = 'registry_sessions';

type Event = 'insert' | 'update' | 'delete';
/** Tables whose changes name users: the column holding the user id, the events announced. */
const perUserTriggers: Array<[table: string, userColumn: string, events: Event[]]> = [
  ['auth_sessions', 'user_id', ['update', 'delete']],
  ['user_accounts', 'id', ['update', 'delete']],
  ['memberships', 'user_id', ['insert', 'update', 'delete']],
];
const transitionTables: Record<Event, string> = {
  insert: 'new table as new_rows',
  update: 'old table as old_rows new table as new_rows',
  delete: 'old table as old_rows',
};

const statements = [
  `create function notify_session_change() returns trigger language plpgsql as $$
  declare
    users text;
  begin
    -- TG_ARGV[0] names the column holding the user id; without it the change concerns everyone.
    if tg_nargs = 0 then
      perform pg_notify('${channel}', '*');
      return null;
    end if;
    if tg_op = 'INSERT' then
      execute format('select string_agg(distinct %I::text, '','') from new_rows', tg_argv[0]) into users;
    elsif tg_op = 'DELETE' then
      execute format('select string_agg(distinct %I::text, '','') from old_rows', tg_argv[0]) into users;
    else
      -- Both sides: a membership moved from one user to another changes both.
      execute format(
        'select string_agg(distinct u::text, '','') from (select %1$I from old_rows union select %1$I from new_rows) changed (u)',
        tg_argv[0]) into users;
    end if;
    if users is null then
      return null; -- the statement changed no row
    end if;
    -- A payload must stay under 8,000 bytes.
    perform pg_notify('${channel}', case when length(users) > 7000 then '*' else users end);
    return null;
  end $$`,

  ...perUserTriggers.flatMap(([table, userColumn, events]) =>
    events.map(
      (event) => `create trigger ${table}_notify_${event} after ${event} on ${table}
        referencing ${transitionTables[event]}
        for each statement execute function notify_session_change('${userColumn}')`,
    ),
  ),

  `create trigger organizations_notify_change after update or delete on organizations
    for each statement execute function notify_session_change()`,

  ...['auth_sessions', 'user_accounts', 'memberships', 'organizations'].map(
    (table) => `create trigger ${table}_notify_truncate after truncate on ${table}
    for each statement execute function notify_session_change()`,
  ),
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
