import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { postgresProjectEnabled, testPostgresServer } from './test/support/postgres-project.js';

// Names this run's PostgreSQL schemas, so the project's teardown drops exactly what the run made.
process.env.CAUSEWAY_TEST_RUN ??= randomBytes(4).toString('hex');

/** Tests that exercise SQLite files, child processes on the default database, or no database at all run once. */
const databaseNeutral = [
  'packages/*/src/**/*.test.ts',
  'test/cli.test.ts',
  'test/cli-admin.test.ts',
  'test/start-up.test.ts',
  'test/package-install.test.ts',
  'test/docs-commands.test.ts',
  'test/ci-prepare-machine.test.ts',
  'test/node-versions.test.ts',
  'test/filter-conformance.test.ts',
  'test/redis-bus.test.ts',
  'test/rate-limits-redis.test.ts',
  'test/postgres-bus.test.ts',
  'test/multi-instance.test.ts',
  'test/postgres-concurrent-writers.test.ts',
  'test/scheduled-jobs-instances.test.ts',
  'test/hooks-processes.test.ts',
  'test/database-migration.test.ts',
  'test/address-rate-limit.test.ts',
  // The console is a client of the public API (tested on both databases); two browsers at once only add time.
  'test/console.test.ts',
  'test/console-extensions.test.ts',
  // The storage adapters' contract suite touches no database.
  'test/file-storage.test.ts',
];

const sqliteProject: TestProjectInlineConfiguration = {
  extends: true,
  test: { name: 'sqlite', include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'] },
};

/** The same suite on PostgreSQL, each test server in a schema of its own (required under CI=true). */
const postgresProject: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'postgres',
    include: ['test/**/*.test.ts'],
    exclude: databaseNeutral,
    env: { CAUSEWAY_TEST_DATABASE_URL: testPostgresServer },
    globalSetup: ['./test/support/postgres-teardown.ts'],
  },
};

export default defineConfig(async () => ({
  resolve: {
    // Tests run the core from source, so a change is tested without a build.
    alias: [
      { find: '@causeway/core', replacement: fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url)) },
      { find: '@causeway/client', replacement: fileURLToPath(new URL('./packages/client/src/index.ts', import.meta.url)) },
      // graphql ships CommonJS and ES builds; Node loads the CommonJS one for everything (no "exports" map), so
      // the tests must too, or graphql-http and the schema would hold two copies of graphql.
      { find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) },
    ],
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: more workers only contend.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      sqliteProject,
      ...((await postgresProjectEnabled()) ? [postgresProject] : []),
    ],
  },
}));
