// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.data/**',
      '**/generated/**',
      '**/*.generated.ts',
      'test-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Configuration is read and validated in one module (packages/api/src/config.ts).
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through config.ts.' },
      ],
    },
  },
  {
    files: [
      'packages/api/src/config.ts',
      'packages/db/src/scripts/**',
      'test/**',
      'vitest.config.ts',
      'packages/*/vite.config.ts',
      'packages/*/scripts/**',
      'packages/bench/**',
      'bench/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    // Migrations are frozen in time on Kysely<any>: they must not depend on today's table types.
    files: ['packages/db/src/migrations/**', 'packages/db/src/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['packages/domain/src/**'],
    rules: {
      // The domain package holds pure rules: no database, HTTP or GraphQL.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'kysely',
            'pg',
            '@electric-sql/*',
            'graphql',
            '@apollo/*',
            '@pothos/*',
            'node:http',
            '@registry/db',
            '@registry/api',
          ],
        },
      ],
    },
  },
  {
    files: ['packages/web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
