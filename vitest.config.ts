import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Each file in its own process: lifecycle tests resize the process-wide
    // pool and spawn workers, and must not disturb each other.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // `npm run coverage`: the JS layer (the native side is covered by the
    // same tests plus test/native).
    coverage: {
      provider: 'v8',
      include: ['lib/**/*.ts'],
      exclude: ['lib/types.ts', 'lib/validate.ts', 'lib/**/*.d.ts'],
      reporter: ['text', 'html'],
    },
  },
});
