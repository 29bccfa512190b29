import { defineConfig } from 'vitest/config';

export default defineConfig({
  // NestJS needs legacy (experimentalDecorators) parameter decorators and design:paramtypes
  // metadata. Vite's oxc transform only infers them from a tsconfig.json whose `include` covers the
  // file; test files often sit outside a package's tsconfig, where parameter decorators would not
  // even parse. So they are switched on here for every test file.
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
