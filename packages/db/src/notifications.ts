import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** What a subscriber to a notification channel is told. */
export interface ChannelListener {
  /** A notification's payload, in commit order. */
  message(payload: string): void;
  /** Listening has (re)started. Anything sent before this may have gone unheard. */
  listening(): void;
  /** Listening has stopped: notifications may go unheard until `listening` is called again. */
  lost(error?: unknown): void;
}

export interface Subscription {
  close(): Promise<void>;
}

/** Channel names are fixed identifiers of ours, never user input; refuse anything else. */
function quotedChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`bad channel name: ${channel}`);
  return `"${channel}"`;
}

const firstRetryMs = 250;
const lastRetryMs = 5_000;

/** The application_name of the LISTEN connection. */
export const notificationsApplicationName = 'registry notifications';

/** Every channel a process listens on, over one connection (see `postgresNotifications`). */
export interface NotificationConnection {
  listen(channel: string, listener: ChannelListener): Subscription;
  close(): Promise<void>;
}

/**
 * LISTEN on PostgreSQL over one connection of its own for all of a process's channels (a pooled
 * connection would be handed to other statements and LISTEN would go with it; one per channel
 * would hold a backend per cache for nothing). The connection opens with the first subscription
 * and ends with the last. When it fails or the server goes away every listener is told `lost`
 * at once, and it reconnects in the background, 250 ms after the loss and doubling to every
 * 5 s, until it listens again or the last subscription is closed. Connecting never throws: a
 * database down at start-up is the same as one lost later.
 *
 * Every LISTEN names all channels in one statement (LISTEN on a channel already listened to
 * does nothing), so a listener is told `listening` only once the connection listens on its
 * channel, and the connection's last statement in pg_stat_activity names every channel.
 */
export function postgresNotifications(connectionString: string): NotificationConnection {
  const listeners = new Map<string, Set<ChannelListener>>();
  /** The connection listening on every channel of `listeners`, or null while there is none. */
  let client: pg.Client | null = null;
  let connecting = false;
  let retryMs = firstRetryMs;
  let timer: NodeJS.Timeout | null = null;

  const listenAll = () =>
    [...listeners.keys()].map((channel) => `listen ${quotedChannel(channel)}`).join('; ');
  const everyone = () => [...listeners.values()].flatMap((set) => [...set]);
  const wanted = () => listeners.size > 0;

  function retryLater() {
    if (!wanted() || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, lastRetryMs);
  }

  async function connect() {
    if (connecting || client || !wanted()) return;
    connecting = true;
    const candidate = new pg.Client({
      connectionString,
      keepAlive: true,
      // How an operator (and a test) tells it apart in pg_stat_activity.
      application_name: notificationsApplicationName,
    });
    let down = false;
    const drop = (error?: unknown) => {
      if (down) return;
      down = true;
      if (client === candidate) {
        client = null;
        for (const listener of everyone()) listener.lost(error);
      }
      candidate.removeAllListeners('notification');
      candidate.end().catch(() => undefined);
      retryLater();
    };
    candidate.on('error', drop);
    candidate.on('end', () => drop(new Error('notification connection ended')));
    candidate.on('notification', (notification) => {
      for (const listener of listeners.get(notification.channel) ?? []) {
        listener.message(notification.payload ?? '');
      }
    });
    try {
      await candidate.connect();
      // Channels subscribed while this LISTEN was on the wire are listened on by the next one.
      let listened = '';
      while (wanted() && listened !== listenAll()) {
        listened = listenAll();
        await candidate.query(listened);
      }
    } catch (error) {
      connecting = false;
      drop(error);
      return;
    }
    connecting = false;
    if (!wanted() || down) {
      if (!down) await candidate.end().catch(() => undefined);
      return;
    }
    client = candidate;
    retryMs = firstRetryMs;
    for (const listener of everyone()) listener.listening();
  }

  /** Adds the channel to the live connection; the listener hears `listening` once it is on. */
  async function addTo(live: pg.Client, listener: ChannelListener) {
    try {
      await live.query(listenAll());
    } catch {
      // The connection failed: its 'error' or 'end' tells every listener and reconnects.
      return;
    }
    if (client === live) listener.listening();
  }

  async function end() {
    if (timer) clearTimeout(timer);
    timer = null;
    const open = client;
    client = null;
    if (open) {
      open.removeAllListeners();
      open.on('error', () => undefined);
      await open.end().catch(() => undefined);
    }
  }

  return {
    listen(channel, listener) {
      // A bad name is refused here, by the caller, not at the next (re)connect.
      quotedChannel(channel);
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      if (client) void addTo(client, listener);
      else void connect();
      let closed = false;
      return {
        async close() {
          if (closed) return;
          closed = true;
          set.delete(listener);
          if (set.size > 0) return;
          listeners.delete(channel);
          if (!wanted()) return end();
          await client?.query(`unlisten ${quotedChannel(channel)}`).catch(() => undefined);
        },
      };
    },
    async close() {
      listeners.clear();
      await end();
    },
  };
}

/**
 * LISTEN on the embedded engine. PGlite is one session in this process, so it hears its own
 * NOTIFYs: they are delivered with the answer to the COMMIT that sent them, before the writer
 * goes on. `exclusive` runs the LISTEN while holding the engine's only connection, so it cannot
 * land inside (and roll back with) another caller's transaction.
 */
export async function listenOnPglite(
  pglite: PGlite,
  channel: string,
  listener: ChannelListener,
  exclusive: <T>(work: () => Promise<T>) => Promise<T>,
): Promise<Subscription> {
  const unlisten = await exclusive(() =>
    pglite.listen(quotedChannel(channel), (payload) => listener.message(payload)),
  );
  listener.listening();
  return {
    async close() {
      if (pglite.closed) return;
      await exclusive(() => unlisten()).catch(() => undefined);
    },
  };
}
