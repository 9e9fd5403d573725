import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 between a client (the API's connection pool) and a server
 * (PostgreSQL), to cut the network between them and restore it while both keep running.
 *
 * `cut()` destroys every open connection (both sides see a reset) and from then on resets each
 * new connection as soon as it is accepted, so clients are refused rather than left waiting;
 * `restore()` forwards again. The listening port never changes, so the client's connection
 * string stays valid throughout.
 */
export interface TcpProxy {
  port: number;
  /** Connections forwarded right now. */
  open(): number;
  /** Connections refused since the last cut. */
  refused(): number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let down = false;
  let refusedCount = 0;

  const server = createServer((client) => {
    if (down) {
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
    client.pipe(upstream);
    upstream.pipe(client);
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
      down = true;
      refusedCount = 0;
      for (const { client, upstream } of pairs) {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
      pairs.clear();
    },
    restore() {
      down = false;
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
