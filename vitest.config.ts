import { defineConfig } from 'vitest/config';

/**
 * One command runs everything. Integration tests run twice, once per engine; the project name
 * ("postgres" / "pglite") prefixes every line of the output, so it always says which engine ran.
 */
const integration = ['test/integration/**/*.test.ts'];

export default defineConfig({
  resolve: {
    // graphql 16 has no "exports" map: Node loads index.js while Vite would pick index.mjs,
    // and two copies of graphql refuse each other's schema. Make Vite pick what Node picks.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: integration,
          env: { TEST_ENGINE: 'postgres' },
          globalSetup: ['test/testkit/postgres-global-setup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'pglite', include: integration, env: { TEST_ENGINE: 'pglite' } },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/e2e/**/*.test.ts'],
          env: { TEST_ENGINE: 'postgres' },
          globalSetup: [
            'test/testkit/postgres-global-setup.ts',
            'test/testkit/web-build-global-setup.ts',
          ],
          // One Chromium at a time is plenty on two cores.
          fileParallelism: false,
          testTimeout: 60_000,
        },
      },
    ],
  },
});
