/**
 * Jest 30 in its ES-module mode (`node --experimental-vm-modules`, see package.json): NestJS 12
 * ships ES modules only, and so is this project. Three projects:
 *
 * - `unit`: specs beside the code (`src/`, `libs/`, `apps/`), no database;
 * - `e2e-pglite`: end-to-end over real HTTP on embedded PGlite, always;
 * - `e2e-postgres`: the same specs on PostgreSQL, when TEST_DATABASE_URL is set (CI sets it).
 *
 * TypeScript is compiled by @swc/jest (docs/development.md says why): decorators with their
 * metadata, nothing type-checked (`npm run typecheck` does that).
 */
import { readFileSync } from 'node:fs';

const tsconfig = JSON.parse(readFileSync(new URL('./tsconfig.json', import.meta.url), 'utf8'));

/** tsconfig.json's `paths` as Jest module names: one list of projects for tsc, Nest's CLI and Jest. */
const pathAliases = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace(/[/\\^$+?.()|[\]{}]/g, '\\$&')}$`,
    `<rootDir>/${target.replace(/^\.\//, '')}`,
  ]),
);

/**
 * CommonJS packages in our tree that require() a package which is an ES module. Node >= 20.19 can
 * do that, but Jest's own module loader can do it only on Node >= 24.9, so on Node 20 each of these
 * is mapped to a one-line shim (test/support/jest/require-esm/) that loads it with Node's require.
 * Remove an entry, and the shim, once every Node that CI tests is >= 24.9 or the requiring package
 * stops doing it:
 * - `cookie` 2, required by light-my-request (Fastify's inject(), used by the HTTP slice specs);
 * - `content-disposition` 2, required by @fastify/static (Swagger UI's files).
 */
const requireEsm = ['content-disposition', 'cookie'];

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

/** What every project shares. */
const base = {
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    ...pathAliases,
    ...Object.fromEntries(
      requireEsm.map((name) => [`^${name}$`, `<rootDir>/test/support/jest/require-esm/${name}.cjs`]),
    ),
    // Sources import each other as `./x.js` (NodeNext); in tests those are the `.ts` files.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

/** The same end-to-end specs on one engine; each file boots its own app on a database of its own. */
const e2e = (engine) => ({
  ...base,
  displayName: `e2e-${engine}`,
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  setupFiles: [`<rootDir>/test/support/jest/engine-${engine}.setup.cjs`],
  setupFilesAfterEnv: ['<rootDir>/test/support/jest/e2e.setup.ts'],
  globalSetup: '<rootDir>/test/support/build.global-setup.mjs',
});

export default {
  // Two cores: one file per core; each e2e file boots its own app and database.
  maxWorkers: 2,
  // Logs of every service the suite starts are scanned for leaked API keys after the whole run.
  globalSetup: '<rootDir>/test/support/log-scan.global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/log-scan.global-teardown.mjs',
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{src,libs,apps}/**/*.spec.ts'] },
    e2e('pglite'),
    ...(process.env.TEST_DATABASE_URL ? [e2e('postgres')] : []),
  ],
};
