import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Timing tests run alone afterwards: vitest.timing.config.ts.
    exclude: ['test/timing/**', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests start real processes and rsync; two cores, so keep it modest.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
