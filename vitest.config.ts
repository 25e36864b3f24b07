import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code (`*.test.ts`); integration and end-to-end tests live in `tests/` and
// start real servers and processes. Two cores: keep file parallelism modest.
export default defineConfig({
  test: {
    include: ['{contracts,edge,cloud,dashboards,flows,tools,tests}/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 180_000, // a hang guard for the end-to-end suites on a loaded 2-core machine, not a timing assert
    hookTimeout: 120_000,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
