import { defineConfig } from 'vitest/config';

// Three projects (`npm test` runs all three; `npx vitest run --project <name>` one):
// - unit: tests beside the code (`*.test.ts`) and tests/unit/ — no servers or processes to start
//   (an in-process loopback socket for a client under test is fine); `npm run test:unit`, under a minute.
// - integration: tests/ — real PostgreSQL, brokers, the cloud and gateway as processes over real sockets;
//   plus the few beside-the-code tests that open a database or spawn a process.
// - slow: fault injection, fuzzing, the distributed fleet and the npm package install (`npm run test:slow`).
// Two cores: keep file parallelism modest.
const BESIDE_THE_CODE = '{contracts,edge,cloud,dashboards,flows,tools}/**/*.test.ts';
/** Beside the code, but they start something: a database, a training run, the bin. */
const BESIDE_THE_CODE_NOT_UNIT = [
  'cloud/src/db/postgres.db.test.ts',
  'cloud/src/db/pglite.db.test.ts',
  'edge/src/agent/node-flags.test.ts',
  'tools/fall/train.test.ts',
];
const SLOW = [
  'tests/faults/**/*.test.ts',
  'tests/fuzz/**/*.test.ts',
  'tests/distributed/**/*.test.ts',
  'tests/pack/**/*.test.ts',
];

export default defineConfig({
  test: {
    exclude: ['**/node_modules/**'],
    testTimeout: 180_000, // a hang guard for the end-to-end suites on a loaded 2-core machine, not a timing assert
    hookTimeout: 120_000,
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [BESIDE_THE_CODE, 'tests/unit/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...BESIDE_THE_CODE_NOT_UNIT],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts', ...BESIDE_THE_CODE_NOT_UNIT],
          exclude: ['**/node_modules/**', 'tests/unit/**', ...SLOW],
        },
      },
      {
        extends: true,
        test: { name: 'slow', include: SLOW, exclude: ['**/node_modules/**'] },
      },
    ],
  },
});
