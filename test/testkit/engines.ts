/**
 * Where tests find PostgreSQL. CI and every developer machine have a server on
 * 127.0.0.1:5432 (trust auth); TEST_DATABASE_URL points elsewhere when needed.
 */
export const adminUrl =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function urlFor(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export type TestEngine = 'postgres' | 'pglite';

export function currentEngine(): TestEngine {
  const engine = process.env.TEST_ENGINE;
  if (engine !== 'postgres' && engine !== 'pglite') {
    throw new Error('TEST_ENGINE must be postgres or pglite (set by vitest.config.ts projects)');
  }
  return engine;
}
