// Part of this package's API since before the boot layer moved to @strata/core/boot.
export { DEFAULT_RETRY_AFTER_SECONDS, PROBLEM_CONTENT_TYPE } from '@strata/core/boot';
export { migrateOnBoot } from './migrate-on-boot.js';
export type { MigrationRouter, ShutdownOptions } from './migration-router.js';
export { DEFAULT_PATHS, type GateOptions, type MigrateOnBootOptions, type ProbePaths } from './options.js';
