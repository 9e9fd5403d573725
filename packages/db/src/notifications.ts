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

/**
 * LISTEN on PostgreSQL over a connection of its own (a pooled one would be handed to other
 * statements and LISTEN would go with it). When the connection fails or the server goes away
 * the listener is told `lost` at once, and the subscription reconnects in the background,
 * 250 ms after the loss and doubling to every 5 s, until it listens again or is closed.
 * Connecting never throws: a database down at start-up is the same as one lost later.
 */
export function listenOnPostgres(
  connectionString: string,
  channel: string,
  listener: ChannelListener,
): Subscription {
  const listen = `listen ${quotedChannel(channel)}`;
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = firstRetryMs;
  let timer: NodeJS.Timeout | null = null;

  function retryLater() {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, lastRetryMs);
  }

  async function connect() {
    const candidate = new pg.Client({ connectionString, keepAlive: true });
    let down = false;
    const drop = (error?: unknown) => {
      if (down) return;
      down = true;
      if (client === candidate) {
        client = null;
        listener.lost(error);
      }
      candidate.removeAllListeners('notification');
      candidate.end().catch(() => undefined);
      retryLater();
    };
    candidate.on('error', drop);
    candidate.on('end', () => drop(new Error('notification connection ended')));
    candidate.on('notification', (notification) => {
      if (notification.channel === channel) listener.message(notification.payload ?? '');
    });
    try {
      await candidate.connect();
      await candidate.query(listen);
    } catch (error) {
      drop(error);
      return;
    }
    if (closed || down) {
      if (!down) await candidate.end().catch(() => undefined);
      return;
    }
    client = candidate;
    retryMs = firstRetryMs;
    listener.listening();
  }

  void connect();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const open = client;
      client = null;
      if (open) {
        open.removeAllListeners();
        open.on('error', () => undefined);
        await open.end().catch(() => undefined);
      }
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
