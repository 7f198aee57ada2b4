import { defineConfig } from 'vitest/config';

/** The integration suites that touch storage, run on SQLite (integration) and on PostgreSQL (integration:postgres). */
const POSTGRES_SUITES = ['realtime', 'networks', 'collaboration', 'export', 'fuzz', 'socket-property'];

// Four layers, each in its own folder: unit (pure engine and decider), integration (the real
// server on a free port with real clients and SQLite, and the storage suites again on a real
// PostgreSQL), cluster (server processes over PostgreSQL and Redis), browser (Chromium against
// the built client).
export default defineConfig({
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 } },
      // The suites that touch storage once more on PostgreSQL (TEST_STORE: startServer's default; one
      // throwaway server per file, a database per server), with the same assertions. crash and
      // postgres-store run on both stores by themselves (describe.each(STORES)).
      {
        extends: true,
        test: {
          name: 'integration:postgres',
          include: POSTGRES_SUITES.map((name) => `test/integration/${name}.test.ts`),
          env: { TEST_STORE: 'postgres' },
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      // Several server processes over one PostgreSQL and one Redis (test/support/cluster.ts), one file
      // at a time: three nodes and their databases fill the machine's two cores.
      {
        extends: true,
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One Chromium at a time: the machine has two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
