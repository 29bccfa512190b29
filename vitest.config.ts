import { defineConfig } from 'vitest/config';

export default defineConfig({
  // NestJS resolves constructor parameters from legacy-decorator metadata, which Vite's default
  // (oxc) transform does not emit unless asked.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
      'test-support/**/*.test.ts',
    ],
    // Resolves (or starts) the PostgreSQL server once per run; see test-support/global-setup.ts.
    globalSetup: ['./test-support/global-setup.ts'],
    testTimeout: 60_000,
    // Hooks create and drop databases and may build fixtures, which is slow on a cold machine.
    hookTimeout: 120_000,
    pool: 'forks',
    // Test files run in parallel, but at most two at a time: each one drives real databases and
    // child processes, and more workers than that overload a 2-core machine.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
