import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 between a client (the API's connection pool) and a server
 * (PostgreSQL), to cut the network between them and restore it while both keep running.
 *
 * `cut()` destroys every open connection (both sides see a reset) and from then on resets each
 * new connection as soon as it is accepted, so clients are refused rather than left waiting.
 * `stall()` is the other kind of outage, a network that swallows packets: open connections stop
 * carrying bytes and new ones are accepted but go nowhere, so clients wait; what was sent is
 * held, not lost, and flows on when the network returns. `restore()` forwards again. The
 * listening port never changes, so the client's connection string stays valid throughout.
 */
export interface TcpProxy {
  port: number;
  /** Connections forwarded right now. */
  open(): number;
  /** Connections refused since the last cut. */
  refused(): number;
  cut(): void;
  stall(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let state: 'up' | 'cut' | 'stalled' = 'up';
  let refusedCount = 0;

  const flow = ({ client, upstream }: { client: Socket; upstream: Socket }) => {
    client.pipe(upstream);
    upstream.pipe(client);
  };
  const hold = ({ client, upstream }: { client: Socket; upstream: Socket }) => {
    client.unpipe(upstream);
    upstream.unpipe(client);
    client.pause();
    upstream.pause();
  };

  const server = createServer((client) => {
    if (state === 'cut') {
      refusedCount += 1;
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection(target);
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    if (state === 'stalled') hold(pair);
    else flow(pair);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };

  return {
    port,
    open: () => pairs.size,
    refused: () => refusedCount,
    cut() {
      state = 'cut';
      refusedCount = 0;
      for (const { client, upstream } of pairs) {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
      pairs.clear();
    },
    stall() {
      state = 'stalled';
      for (const pair of pairs) hold(pair);
    },
    restore() {
      if (state === 'stalled') for (const pair of pairs) flow(pair);
      state = 'up';
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
