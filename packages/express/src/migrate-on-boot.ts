import { type DatabaseHandle, HealthProbes, isStrataError, MigrationBoot, silentLogger } from '@strata/core';
import { describeBoot } from './boot-summary.js';
import { createMigrationRouter, type MigrationRouter } from './migration-router.js';
import { type MigrateOnBootOptions, type ResolvedOptions, resolveOptions } from './options.js';

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
  const work = boot.start().then(() => logSummary(boot, settings));
  if (!settings.background) {
    await work;
    return router;
  }
  const meanwhile = settings.gate ? 'other routes answer 503 until they finish' : 'other routes are not gated';
  settings.logger.info(`migrations (${boot.mode} mode) continue in the background; ${meanwhile}`, {
    mode: boot.mode,
    gate: settings.gate !== undefined,
  });
  work.catch((error: unknown) => reportBackgroundFailure(error, settings));
  return router;
}

async function logSummary(boot: MigrationBoot, settings: ResolvedOptions): Promise<void> {
  try {
    const known = (await boot.migrator.migrations()).length;
    const snapshot = boot.snapshot();
    settings.logger.info(describeBoot(snapshot, known), {
      mode: snapshot.mode,
      applied: snapshot.applied,
      durationMs: snapshot.startedAt && snapshot.finishedAt ? snapshot.finishedAt.getTime() - snapshot.startedAt.getTime() : 0,
    });
  } catch {
    // The boot succeeded; failing to describe it must not turn that into a failure.
  }
}

/**
 * A background boot has no caller to reject to. Rejecting anyway would be an unhandled rejection,
 * which ends the process on Node ≥ 15: the app, not this library, decides whether it should.
 */
function reportBackgroundFailure(error: unknown, settings: ResolvedOptions): void {
  const message = error instanceof Error ? error.message : String(error);
  settings.logger.error(`migrations failed in the background; readiness stays 503: ${message}`, {
    ...(isStrataError(error) ? { code: error.code, ...error.details } : { code: 'UNEXPECTED' }),
  });
  if (settings.onError) {
    try {
      settings.onError(error);
    } catch (thrown) {
      settings.logger.error(`onError threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
    }
  } else if (settings.logger === silentLogger) {
    // Nobody would ever hear of it otherwise; a process warning goes to stderr, never stdout.
    process.emitWarning(`strata: migrations failed in the background: ${message}`, { code: 'STRATA_BOOT_FAILED' });
  }
}
