import { defineConfig } from 'vitest/config';

// Timing tests, one file at a time, after the parallel suite has finished (see test/timing/).
export default defineConfig({
  test: {
    include: ['test/timing/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: false,
    reporters: ['default'],
  },
});
