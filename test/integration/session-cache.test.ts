import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { currentEngine } from '../testkit/engines';
import { eventually } from '../testkit/eventually';
import { Fixtures } from '../testkit/fixtures';
import { startTestServer } from '../testkit/server';

/**
 * Issue 6, decision 0017: a process answers a session token it has seen from memory, and every
 * change that alters what the token signs in as — made by this process, another one, or by hand
 * in psql — reaches it by notification when it commits.
 *
 * On PostgreSQL the notification crosses a connection, so a test waits (bounded) for the effect;
 * without the notification the entry would be served for SESSION_CACHE_SECONDS (10 s here).
 */
let database: TestDatabase;
let server: Awaited<ReturnType<typeof startTestServer>>;
let fx: Fixtures;
let world: Awaited<ReturnType<Fixtures['world']>>;
const engine = currentEngine();

beforeAll(async () => {
  database = await createTestDatabase();
  fx = new Fixtures(database.db);
  world = await fx.world();
  server = await startTestServer(database, { SESSION_CACHE_SECONDS: '10' });
});
afterAll(async () => {
  await server?.stop();
  await database?.close();
});

const me = `{ me { username memberships { role } } }`;
type Me = { me: { username: string; memberships: Array<{ role: string }> } | null };

async function signedIn(role: 'teacher' | 'school_admin' = 'teacher') {
  const account = await fx.account(role, world.school);
  const call = await server.as(account);
  const ask = async () => {
    const response = await call<Me>(me);
    return {
      me: response.data?.me ?? null,
      statements: Number(response.headers.get('x-sql-statements')),
    };
  };
  return { account, ask };
}

const userIdOf = async (username: string) =>
  (
    await database.db
      .selectFrom('user_accounts')
      .select('id')
      .where('username', '=', username)
      .executeTakeFirstOrThrow()
  ).id;

describe('session cache', () => {
  it('answers a caller seen before without looking the session up', async () => {
    const { ask } = await signedIn();
    const first = await ask();
    const second = await ask();
    expect(first.me).not.toBeNull();
    expect(second.me).toEqual(first.me);
    expect(second.statements).toBe(first.statements - 1);
  });

  it('refuses a session revoked by hand as soon as the change commits', async () => {
    const { account, ask } = await signedIn();
    await ask();
    await database.db
      .updateTable('auth_sessions')
      .set({ revoked_at: new Date() })
      .where('user_id', '=', await userIdOf(account.username))
      .execute();
    const after = await eventually(ask, (answer) => answer.me === null);
    expect(after.me).toBeNull();
  });

  it('refuses a disabled account', async () => {
    const { account, ask } = await signedIn();
    await ask();
    await database.db
      .updateTable('user_accounts')
      .set({ disabled_at: new Date() })
      .where('username', '=', account.username)
      .execute();
    expect((await eventually(ask, (answer) => answer.me === null)).me).toBeNull();
  });

  it('sees memberships granted and withdrawn', async () => {
    const { account, ask } = await signedIn();
    expect((await ask()).me!.memberships).toEqual([{ role: 'TEACHER' }]);
    const userId = await userIdOf(account.username);
    await database.db
      .insertInto('memberships')
      .values({ user_id: userId, role: 'school_admin', organization_id: world.school.id })
      .execute();
    const granted = await eventually(ask, (answer) => answer.me?.memberships.length === 2);
    expect(granted.me!.memberships).toEqual([{ role: 'TEACHER' }, { role: 'SCHOOL_ADMIN' }]);
    await database.db
      .deleteFrom('memberships')
      .where('user_id', '=', userId)
      .where('role', '=', 'teacher')
      .execute();
    const withdrawn = await eventually(ask, (answer) => answer.me?.memberships.length === 1);
    expect(withdrawn.me!.memberships).toEqual([{ role: 'SCHOOL_ADMIN' }]);
  });

  it('forgets everyone when an organization changes (its kind and region travel with the session)', async () => {
    const { ask } = await signedIn('school_admin');
    await ask();
    const cached = await ask();
    await database.db
      .updateTable('organizations')
      .set({ name: 'Renamed school' })
      .where('id', '=', world.school.id)
      .execute();
    const after = await eventually(ask, (answer) => answer.statements === cached.statements + 1);
    expect(after.statements).toBe(cached.statements + 1);
  });

  it('keeps a logged-out token out at once, in the process that ended it', async () => {
    const { account } = await signedIn();
    const call = await server.as(account);
    expect((await call<Me>(me)).data!.me).not.toBeNull();
    expect((await call(`mutation { logout }`)).data).toEqual({ logout: true });
    expect((await call<Me>(me)).data!.me).toBeNull();
  });
});

describe.runIf(engine === 'postgres')('session change notifications on PostgreSQL', () => {
  async function listening<T>(work: (payloads: string[]) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: database.url! });
    await client.connect();
    const payloads: string[] = [];
    client.on('notification', (n) => payloads.push(n.payload ?? ''));
    await client.query('listen registry_sessions');
    try {
      return await work(payloads);
    } finally {
      await client.end();
    }
  }

  it('names the users a statement changed, once per statement, only when it commits', async () => {
    const [a, b] = [
      await fx.account('teacher', world.school),
      await fx.account('teacher', world.school),
    ];
    const [idA, idB] = [await userIdOf(a.username), await userIdOf(b.username)];
    await listening(async (payloads) => {
      await database.db
        .updateTable('user_accounts')
        .set({ display_name: 'Renamed' })
        .where('id', 'in', [idA, idB])
        .execute();
      await database.db
        .transaction()
        .execute(async (trx) => {
          // Changes a row, so it would be announced if it committed.
          await trx
            .updateTable('user_accounts')
            .set({ display_name: 'Rolled back' })
            .where('id', '=', idA)
            .execute();
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      await database.db
        .updateTable('user_accounts')
        .set({ display_name: 'Again' })
        .where('id', '=', -1)
        .execute();
      await eventually(
        async () => payloads.length,
        (count) => count >= 1,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(
        payloads.map((p) =>
          p
            .split(',')
            .map(Number)
            .sort((x, y) => x - y),
        ),
      ).toEqual([[idA, idB].sort((x, y) => x - y)]);
    });
  });

  it('says "*" for a change too large to list', async () => {
    await listening(async (payloads) => {
      // Accounts inserted are not announced (nobody can hold a session of theirs yet); the
      // update of 2,000 of them is, and 2,000 ids do not fit in one payload (under 8,000 bytes).
      await sql`insert into user_accounts (username, display_name, password_hash)
        select 'bulk.' || n, 'Bulk ' || n, 'x' from generate_series(1, 2000) n`.execute(
        database.db,
      );
      await sql`update user_accounts set display_name = 'Bulk' where username like 'bulk.%'`.execute(
        database.db,
      );
      await eventually(
        async () => payloads.length,
        (count) => count >= 1,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(payloads).toEqual(['*']);
    });
  });

  it('empties the cache when the feed reconnects: changes made while it was away are not missed', async () => {
    const { account, ask } = await signedIn();
    await ask();
    const cached = await ask();
    const listenerPid = async () =>
      (
        await sql<{ pid: number }>`select pid from pg_stat_activity
          where datname = current_database() and query ilike 'listen %registry_sessions%'
            and pid <> pg_backend_pid()`.execute(database.db)
      ).rows.map((row) => row.pid);
    const [before] = await listenerPid();
    expect(before).toBeTypeOf('number');

    // A change whose notice never comes: the trigger is off while it commits.
    await sql`alter table auth_sessions disable trigger auth_sessions_notify_update`.execute(
      database.db,
    );
    try {
      await database.db
        .updateTable('auth_sessions')
        .set({ revoked_at: new Date() })
        .where('user_id', '=', await userIdOf(account.username))
        .execute();
    } finally {
      await sql`alter table auth_sessions enable trigger auth_sessions_notify_update`.execute(
        database.db,
      );
    }
    // Unheard, the entry is still served: this is what SESSION_CACHE_SECONDS bounds.
    expect((await ask()).me).not.toBeNull();

    await sql`select pg_terminate_backend(${before!})`.execute(database.db);
    const reconnected = await eventually(
      listenerPid,
      (pids) => pids.length === 1 && pids[0] !== before,
    );
    expect(reconnected).toHaveLength(1);
    const after = await ask();
    expect(after.me).toBeNull();
    expect(after.statements).toBe(cached.statements + 1);
  });
});
