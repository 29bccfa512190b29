/**
 * The fast tier (`npm run test:fast`): the root config, same global setup and servers, without the
 * tests that spawn fleets of processes or servers, the CLI end to end and the examples. It is the
 * inner loop while developing; `npm test` (vitest.config.ts) still runs everything, these included.
 */
import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/** What only the full run does, each with the reason it is slow. */
const SLOW_TIER = [
  // Thousands of migrations, a 50 MB file, 32 processes for 20 rounds.
  '**/*.slow.test.ts',
  // Real processes racing, killed with SIGKILL, or holding the lock from outside.
  'packages/core/test/engine-processes/**',
  'packages/core/test/faults/killed-*.test.ts',
  // Starts its own PostgreSQL server and restarts it mid-run.
  'packages/core/test/faults/postgres-restart.test.ts',
  // Replicas booting at once, one process each.
  'packages/express/test/concurrent-boot.test.ts',
  'packages/nest/test/replicas.test.ts',
  // `bench/run.mjs --quick`: every tool, every workload, the contention fleets included.
  'bench/test/quick.test.ts',
  // The CLI end to end: about 500 runs of the built binary, each a fresh Node process, longer on
  // their own than the rest of this tier. help.test.ts stays: the smoke test that every command loads.
  'packages/core/test/cli/!(help).test.ts',
  // Fleets of 60 tenant databases and 60 tenant schemas, each created, migrated and read back
  // several times (the 30 SQLite files of test/fleet stay).
  'packages/core/test/fleet/fleet-databases.test.ts',
  'packages/core/test/fleet/fleet-schemas.test.ts',
  // The examples, each built and booted as a real app.
  'examples/*/test/**',
  // They wait out real deadlines on purpose (a server that never answers, a stalled network).
  'packages/core/test/faults/stalled-network.test.ts',
  'packages/core/test/faults/connect-timeout.test.ts',
  'packages/*/test/connect-deadline.test.ts',
];

export default mergeConfig(
  base,
  defineConfig({
    test: { exclude: [...configDefaults.exclude, ...SLOW_TIER] },
  }),
);
