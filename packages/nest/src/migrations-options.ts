import type { InjectionToken, ModuleMetadata } from '@nestjs/common';
import type { BootMode, DatabaseHandle, HealthProbeOptions, Logger, MigrationBootOptions, MigrationReport } from '@strata/core';

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
   * Providers that inject MIGRATIONS_READY still wait. Default false.
   */
  background?: boolean;
  /** Ping timeout and caching of the probes and the Terminus indicator. */
  health?: HealthProbeOptions;
  /** Progress events from the engine (lock waits, steps), for a UI or metrics. */
  onEvent?: MigrationBootOptions['onEvent'];
}

export interface ProbePaths {
  /** Default `/livez`; `false` leaves it out. */
  livez?: string | false;
  /** Default `/readyz`; `false` leaves it out. */
  readyz?: string | false;
  /** Default `/healthz`; `false` leaves it out. */
  healthz?: string | false;
}

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
