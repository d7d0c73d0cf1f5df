import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
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
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: more workers only contend.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
