export {
  HEALTH_CONTENT_TYPE,
  type HealthCheck,
  type HealthDocument,
  type HealthProbeOptions,
  HealthProbes,
  type HealthStatus,
  type ProbeAnswer,
} from './boot/health-probes.js';
export {
  type BootMode,
  type BootSnapshot,
  type BootState,
  MigrationBoot,
  type MigrationBootOptions,
} from './boot/migration-boot.js';
export {
  DEFAULT_RETRY_AFTER_SECONDS,
  type GateAnswer,
  type GateProblem,
  PROBLEM_CONTENT_TYPE,
  ReadinessGate,
  type ReadinessGateOptions,
  type ResolvedGateOptions,
  resolveGateOptions,
} from './boot/readiness-gate.js';
export { type RetryOptions, retryConnection } from './boot/retry-connection.js';
export type { Connection, QueryResult, Session, TransactionState } from './dialects/connection.js';
export type { Database } from './dialects/database.js';
export type { DatabaseFailure, Dialect, DialectCapabilities, DialectName, HistoryTableName } from './dialects/dialect.js';
export type { PgClientLike, PgPoolLike } from './dialects/postgres/pg-handles.js';
// Databases: the handles strata accepts, and the contracts a new database implements (see README, "Architecture").
export { type DatabaseHandle, isConnectionError } from './dialects/registry.js';
export type { SqliteDatabaseLike } from './dialects/sqlite/sqlite-handle.js';
export type { Direction } from './engine/step.js';
export { isStrataError, StrataError, type StrataErrorCode, type StrataErrorDetails } from './errors.js';
export type { HistoryEntry, HistoryRow, HistorySummary } from './history/history-entry.js';
export type { LockHolder, LockWaitOptions, RunLock } from './lock/run-lock.js';
export { type Logger, silentLogger } from './logger.js';
export type { Migration, MigrationInput } from './migration.js';
// The engine.
export {
  DEFAULT_TABLE,
  Migrator,
  type MigratorOptions,
  type PlanOptions,
  type PlanResult,
  type RevertOptions,
  type VersionLike,
} from './migrator.js';
export type { MigrationReport, MigratorEvent, PlannedStep, StepReport } from './report.js';
// Sources.
export { type DirectoryLayout, type DirectorySource, readMigrationsDirectory } from './source/directory-source.js';
export type { EmbeddedMigrations, MigrationSource } from './source/resolve-source.js';
export { migrationsFromValues } from './source/value-source.js';
export type { LexerOptions } from './sql/split-statements.js';
export type { MigrationState, MigrationStatus } from './status.js';
