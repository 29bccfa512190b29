// Part of this package's API since before the boot layer moved to @strata/core/boot.
export { DEFAULT_PROBE_PATHS, DEFAULT_RETRY_AFTER_SECONDS, PROBLEM_CONTENT_TYPE } from '@strata/core/boot';
export {
  MIGRATION_BOOT,
  MIGRATIONS_CONNECTION,
  MIGRATIONS_HEALTH_PROBES,
  MIGRATIONS_READY,
} from './migrations.constants.js';
export { MigrationsModule } from './migrations.module.js';
export {
  MIGRATIONS_MODULE_OPTIONS,
  type MigrationsModuleAsyncOptions,
  type MigrationsModuleRootOptions,
} from './migrations.module-definition.js';
export { MigrationsService } from './migrations.service.js';
export type {
  ExcludedRoute,
  GateOptions,
  MigrationsModuleExtras,
  MigrationsModuleOptions,
  MigrationsReady,
  ProbePaths,
  ProbeRoutesOptions,
} from './migrations-options.js';
export { nestLogger } from './nest-logger.js';
export { createProbeController } from './probe-controller.js';
