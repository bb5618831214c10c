import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * Three projects: `unit` (specs beside the code, no database), `e2e-pglite` (end-to-end over real
 * HTTP on embedded PGlite, always) and `e2e-postgres` (the same specs on PostgreSQL, when
 * TEST_DATABASE_URL is set; CI sets it). Each e2e file gets a database of its own.
 */
const e2e = (engine: 'pglite' | 'postgres'): TestProjectInlineConfiguration => ({
  extends: true,
  test: {
    name: `e2e-${engine}`,
    include: ['test/**/*.e2e-spec.ts'],
    env: { E2E_ENGINE: engine },
    globalSetup: [
      'test/support/log-scan.global-setup.ts',
      ...(engine === 'postgres' ? ['test/support/build.global-setup.ts'] : []),
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    globals: true,
    // Two cores: one file per core; each e2e file boots its own app and database.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['libs/**/*.spec.ts', 'src/**/*.spec.ts'] } },
      e2e('pglite'),
      ...(process.env.TEST_DATABASE_URL ? [e2e('postgres')] : []),
    ],
  },
});
