import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file in its own process: lifecycle tests resize the process-wide
    // pool and spawn workers, and must not disturb each other.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
