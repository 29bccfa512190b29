export { migrateOnBoot } from './migrate-on-boot.js';
export type { MigrationRouter, ShutdownOptions } from './migration-router.js';
export {
  DEFAULT_PATHS,
  DEFAULT_RETRY_AFTER_SECONDS,
  type GateOptions,
  type MigrateOnBootOptions,
  type ProbePaths,
} from './options.js';
export { PROBLEM_CONTENT_TYPE } from './readiness-gate.js';
