/**
 * Does the gateway's heap keep what requests leave behind? Runs the server in this process over
 * the soak database (made by `pnpm soak`), sends rounds of the soak's requests, forces a full
 * GC after each round and prints heapUsed: a leak grows round after round, a lazy heap does not.
 * Run: node --expose-gc --import tsx test/soak/heap-probe.ts [rounds] [requestsPerRound]
 */
import { createLogger, createRegistryServer, loadConfig } from '@registry/api';
import { openDatabase } from '@registry/db';
import { demoPassword } from '@registry/db/seed';
import type { AddressInfo } from 'node:net';

const rounds = Number(process.argv[2] ?? 6);
const perRound = Number(process.argv[3] ?? 1500);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const database = await openDatabase({ url: 'postgres://postgres@127.0.0.1:5432/registry_soak' });
const config = loadConfig({
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  PUBLIC_URL: 'http://127.0.0.1',
});
const { http, apollo } = await createRegistryServer(config, database, createLogger(config));
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
async function post(body: unknown, token?: string) {
  const response = await fetch(base, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  return response.json() as Promise<{ data?: { login?: { data?: { token?: string } } } }>;
}
const login = await post({
  query: `mutation($i: LoginInput!) { login(input: $i) { ... on MutationLoginSuccess { data { token } } } }`,
  variables: { i: { username: 'office', password: demoPassword, issueToken: true } },
});
const token = login.data?.login?.data?.token;
if (!token) throw new Error('login as office failed');
const queries = [
  `query { activities(first: 50) { totalCount edges { node { id code title status startsOn creditHours } } } }`,
  `query { activities(first: 10) { edges { node { id title sessions { sequence trainers { name }
    attendance(first: 50) { edges { node { status minutes teacher { name school { name } } } } } } } } } }`,
];
const mib = (n: number) => (n / 2 ** 20).toFixed(1);
for (let round = 0; round <= rounds; round += 1) {
  if (round > 0) {
    for (let i = 0; i < perRound; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, j) => post({ query: queries[(i + j) % 2] }, token)),
      );
    }
  }
  gc();
  gc();
  const memory = process.memoryUsage();
  console.log(
    `round ${round}: heapUsed ${mib(memory.heapUsed)} MiB, heapTotal ${mib(memory.heapTotal)} MiB, rss ${mib(memory.rss)} MiB, external ${mib(memory.external)} MiB`,
  );
}
http.closeAllConnections();
http.close();
await apollo.stop();
await database.close();
