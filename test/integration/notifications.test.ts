import {
  notificationsApplicationName,
  postgresNotifications,
  type ChannelListener,
} from '@registry/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testkit/database';
import { currentEngine } from '../testkit/engines';
import { eventually } from '../testkit/eventually';

/**
 * A process's caches listen on their channels over one PostgreSQL connection (the session and
 * reference caches held one each before): every channel hears its own notifications, a channel
 * added later is listened on before its listener is told so, a lost connection is reported to
 * every listener and comes back for all of them, and the connection ends with the last
 * subscription.
 *
 * PostgreSQL only: PGlite is one session in this process and has no connection to share.
 */
const onPglite = currentEngine() === 'pglite';

let database: TestDatabase;

/** A listener that writes down what it hears. */
function recorder() {
  const heard: string[] = [];
  const events: string[] = [];
  const listener: ChannelListener = {
    message: (payload) => heard.push(payload),
    listening: () => events.push('listening'),
    lost: () => events.push('lost'),
  };
  return { heard, events, listener };
}

/** The notification connections to this database, with their last statement. */
const listeners = async () =>
  (
    await sql<{ pid: number; query: string }>`select pid, query from pg_stat_activity
      where datname = current_database() and application_name = ${notificationsApplicationName}`.execute(
      database.db,
    )
  ).rows;

const notify = (channel: string, payload: string) =>
  sql`select pg_notify(${channel}, ${payload})`.execute(database.db);

/** Notifies each channel once; each recorder must hear exactly its own payload. */
async function eachHearsOwn(
  a: ReturnType<typeof recorder>,
  b: ReturnType<typeof recorder>,
  [forA, forB]: [string, string],
) {
  await notify('test_channel_a', forA);
  await notify('test_channel_b', forB);
  await eventually(
    async () => a.heard.length + b.heard.length,
    (count) => count >= 2,
  );
  expect(a.heard).toEqual([forA]);
  expect(b.heard).toEqual([forB]);
}

describe.skipIf(onPglite)('notifications over one connection (PostgreSQL)', () => {
  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 2 });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('listens on every channel over one backend, and each channel hears only its own', async () => {
    const connection = postgresNotifications(database.url!);
    const a = recorder();
    const b = recorder();
    connection.listen('test_channel_a', a.listener);
    await eventually(
      async () => a.events,
      (events) => events.includes('listening'),
    );
    // Added to a live connection: told `listening` once its LISTEN is through.
    connection.listen('test_channel_b', b.listener);
    await eventually(
      async () => b.events,
      (events) => events.includes('listening'),
    );
    expect(a.events).toEqual(['listening']);
    expect(b.events).toEqual(['listening']);

    const backends = await listeners();
    expect(backends).toHaveLength(1);
    expect(backends[0]!.query).toContain('test_channel_a');
    expect(backends[0]!.query).toContain('test_channel_b');

    await eachHearsOwn(a, b, ['one', 'two']);
    await connection.close();
    expect(await eventually(listeners, (rows) => rows.length === 0)).toEqual([]);
  });

  it('tells every listener of a lost connection and listens again on all channels', async () => {
    const connection = postgresNotifications(database.url!);
    const a = recorder();
    const b = recorder();
    connection.listen('test_channel_a', a.listener);
    connection.listen('test_channel_b', b.listener);
    await eventually(
      async () => [...a.events, ...b.events],
      (events) => events.length >= 2,
    );
    const [before] = await listeners();
    await sql`select pg_terminate_backend(${before!.pid})`.execute(database.db);
    await eventually(
      async () => [a.events.length, b.events.length],
      ([x, y]) => x! >= 3 && y! >= 3,
    );
    expect(a.events).toEqual(['listening', 'lost', 'listening']);
    expect(b.events).toEqual(['listening', 'lost', 'listening']);
    const after = await listeners();
    expect(after).toHaveLength(1);
    expect(after[0]!.pid).not.toBe(before!.pid);

    await eachHearsOwn(a, b, ['back', 'again']);
    await connection.close();
  });

  it('stops a closed subscription’s channel, keeps the others, and ends with the last', async () => {
    const connection = postgresNotifications(database.url!);
    const a = recorder();
    const b = recorder();
    const first = connection.listen('test_channel_a', a.listener);
    const second = connection.listen('test_channel_b', b.listener);
    await eventually(
      async () => [...a.events, ...b.events],
      (events) => events.length >= 2,
    );
    await first.close();
    await notify('test_channel_a', 'unheard');
    await notify('test_channel_b', 'heard');
    await eventually(
      async () => b.heard.length,
      (count) => count >= 1,
    );
    // Notifications reach a connection in commit order: b's came after a's.
    expect(a.heard).toEqual([]);
    expect(b.heard).toEqual(['heard']);
    // The connection stopped listening on the channel, not only on the listener.
    const [backend] = await listeners();
    expect(backend!.query).toBe('unlisten "test_channel_a"');

    await second.close();
    expect(await eventually(listeners, (rows) => rows.length === 0)).toEqual([]);
  });
});
