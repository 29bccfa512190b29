import type { IncomingMessage } from 'node:http';
import type { InjectionToken, MiddlewareConsumer, ModuleMetadata } from '@nestjs/common';
import type { DatabaseHandle, Logger, MigrationReport } from '@strata/core';
import type { BootMode, HealthProbeOptions, MigrationBootOptions, ProbePaths, ReadinessGateOptions } from '@strata/core/boot';

/**
 * What `forRoot()` takes and what a `forRootAsync()` factory returns. Mirrors `migrateOnBoot()`
 * of @strata/express, plus the engine's own options (`table`, `schema`, `lockTimeout`...).
 */
export interface MigrationsModuleOptions extends Omit<MigrationBootOptions, 'logger' | 'onEvent'> {
  /**
   * A `pg.Pool`, `pg.Client` or `better-sqlite3` Database, or the injection token of a provider that
   * resolves to one (so the app's own pool provider is reused). A token must be visible to the
   * module: provided by a global module, or by a module listed in `imports`. Required unless it
   * is given at the top level of `forRootAsync()`.
   */
  connection?: DatabaseHandle | InjectionToken;
  /**
   * Where log lines go: any `{ info, warn, error, debug? }` logger, or `false` for none.
   * Default: Nest's `Logger` with the context `Migrations`, so lines follow the app's logger.
   */
  logger?: Logger | false;
  /**
   * Do not hold up the app's start: migrate (or wait, or verify) in the background while it
   * listens. Probes and the Terminus indicator report progress; failures are logged, not thrown.
   * Unless `gate` is false, every other route answers 503 + Retry-After meanwhile.
   * Providers that inject MIGRATIONS_READY still wait. Default false.
   */
  background?: boolean;
  /**
   * Background mode: answer the app's routes with 503 until migrations are done (a middleware
   * the module registers; the probe controller's routes are left out). Default true.
   */
  gate?: boolean | GateOptions;
  /** Ping timeout and caching of the probes and the Terminus indicator. */
  health?: HealthProbeOptions;
  /** Progress events from the engine (lock waits, steps), for a UI or metrics. */
  onEvent?: MigrationBootOptions['onEvent'];
}

/** A route as `MiddlewareConsumer.exclude()` takes it: a path, or `{ path, method, version? }`. */
export type ExcludedRoute = Parameters<ReturnType<MiddlewareConsumer['apply']>['exclude']>[number];

/** How the background gate answers the app's routes while migrations are not done. */
export interface GateOptions extends ReadinessGateOptions<IncomingMessage> {
  /**
   * Routes served even before migrations finish, as `MiddlewareConsumer.exclude()` takes them:
   * `'health/{*path}'`, or `{ path: 'health/ready', method: RequestMethod.GET }`. Nest matches
   * them like it matches routes, global prefix and versions included.
   */
  exclude?: ExcludedRoute[];
}

export type { ProbePaths };

export interface ProbeRoutesOptions {
  paths?: ProbePaths;
}

/** Options read when the module is defined (not from a factory): they shape the module itself. */
export interface MigrationsModuleExtras {
  /** Register the module globally, so feature modules inject MigrationsService without importing it. */
  isGlobal?: boolean;
  /** Serve /livez, /readyz and /healthz from a built-in controller (as @strata/express does). */
  probes?: boolean | ProbeRoutesOptions;
  /** Modules whose exported providers `connection` (as a token) may name. */
  imports?: ModuleMetadata['imports'];
}

/** What providers that inject MIGRATIONS_READY receive. */
export interface MigrationsReady {
  mode: BootMode;
  /** The boot run's report (run mode); undefined in wait and verify modes. */
  report: MigrationReport | undefined;
  /** Versions applied by this instance at boot, as decimal strings. */
  applied: string[];
  finishedAt: Date | undefined;
}
