import type { DatabaseHandle } from '@strata/core';
import { HealthProbes, MigrationBoot, startBoot } from '@strata/core/boot';
import { createMigrationRouter, type MigrationRouter } from './migration-router.js';
import { type MigrateOnBootOptions, resolveOptions } from './options.js';

/**
 * Runs pending migrations (or waits for them, or verifies them) before the app serves, and
 * resolves with a Router that serves `/livez`, `/readyz` and `/healthz`:
 *
 *   app.use(await migrateOnBoot(pool, { migrations: './migrations' }));
 *   app.listen(3000);
 *
 * Rejects with the engine's StrataError when the boot fails, so the process exits before it
 * listens — except with `background: true`, which resolves at once and never rejects.
 */
export async function migrateOnBoot(connection: DatabaseHandle, options: MigrateOnBootOptions = {}): Promise<MigrationRouter> {
  const settings = resolveOptions(options);
  const boot = new MigrationBoot(connection, settings.boot);
  const router = createMigrationRouter(boot, new HealthProbes(boot, settings.probes), settings);
  await startBoot(boot, {
    logger: settings.logger,
    background: settings.background,
    gated: settings.gate !== undefined,
    onError: settings.onError,
  });
  return router;
}
