import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, MigrationReport } from '@strata/core';
import {
  type BootSnapshot,
  type BootState,
  gateMiddleware,
  type HealthProbes,
  type MigrationBoot,
  ReadinessGate,
  type ResolvedProbePaths,
} from '@strata/core/boot';
import express, { type Router } from 'express';
import type { ResolvedOptions } from './options.js';
import { mountProbes } from './probe-routes.js';

export interface ShutdownOptions {
  /**
   * Milliseconds to wait after readiness starts failing before the promise resolves, so load
   * balancers notice the 503 and stop sending traffic before the server closes. Default 0.
   */
  delay?: number;
}

/** What migrateOnBoot() resolves to: an Express Router serving the probes, with the boot's controls. */
export interface MigrationRouter extends Router {
  /** The framework-free boot behind the router (state, report, error, the Migrator). */
  readonly boot: MigrationBoot;
  /** The probes the routes answer with, for serving them elsewhere. */
  readonly probes: HealthProbes;
  /** Where the probes are served (`false`: not served). */
  readonly paths: Readonly<ResolvedProbePaths>;
  /** `idle`, `migrating`, `waiting`, `verifying`, `ready` or `failed`. */
  readonly state: BootState;
  /**
   * What the boot run applied (`run` mode), once it finished. (Not `report`: Express routers
   * already have a `report()` for the WebDAV REPORT method.)
   */
  readonly migrationReport: MigrationReport | undefined;
  /** The boot as probes show it: mode, state, draining, times, applied versions, error code. */
  status(): BootSnapshot;
  /** Settles when the boot work does; rejects with its error. Call it only when you will handle that. */
  whenReady(): Promise<MigrationReport | undefined>;
  /** Flips readiness (and health) to 503 for good, so the instance drains before it stops. */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

export function createMigrationRouter(boot: MigrationBoot, probes: HealthProbes, options: ResolvedOptions): MigrationRouter {
  const router = express.Router();
  mountProbes(router, probes, options.paths);
  // After the probes, which stay reachable while the gate holds everything else.
  if (options.gate) router.use(gateMiddleware(new ReadinessGate(boot, options.gate.retryAfter), options.gate.skip));
  return Object.defineProperties(router, {
    boot: { value: boot, enumerable: true },
    probes: { value: probes, enumerable: true },
    paths: { value: Object.freeze({ ...options.paths }), enumerable: true },
    state: { get: () => boot.state, enumerable: true },
    migrationReport: { get: () => boot.report, enumerable: true },
    status: { value: () => boot.snapshot() },
    whenReady: { value: () => boot.start() },
    shutdown: { value: (shutdownOptions: ShutdownOptions = {}) => shutdown(boot, options.logger, shutdownOptions) },
  }) as unknown as MigrationRouter;
}

async function shutdown(boot: MigrationBoot, logger: Logger, options: ShutdownOptions): Promise<void> {
  if (!boot.draining) {
    boot.drain();
    logger.info('draining: readiness now answers 503', { delayMs: options.delay ?? 0 });
  }
  if (options.delay) await sleep(options.delay);
}
