export type { AdoptionReport, RecordedMigration } from './adopt/adoption.js';
export type { BaselineOptions } from './adopt/baseline.js';
export type { ForeignNote, ImportMatch, ImportOptions, ImportReport } from './adopt/import-plan.js';
export type { RepairOptions, RepairReport } from './adopt/repair.js';
export type { ToolName } from './adopt/tools/tool.js';
export { type ConfigOptions, type FindConfigOptions, loadConfig } from './config/load-config.js';
export { defineConfig, type StrataConfig } from './config/strata-config.js';
export type { Connection, QueryResult, Session, SyncConnection, TransactionState } from './dialects/connection.js';
export type { Database } from './dialects/database.js';
export type { DatabaseFailure, Dialect, DialectCapabilities, DialectName, HistoryTableName } from './dialects/dialect.js';
export type { PgClientLike, PgPoolLike } from './dialects/postgres/pg-handles.js';
export { type DatabaseHandle, isConnectionError } from './dialects/registry.js';
export type { SqliteDatabaseLike } from './dialects/sqlite/sqlite-handle.js';
export type { Direction } from './engine/step.js';
export { isStrataError, StrataError, type StrataErrorCode, type StrataErrorDetails } from './errors.js';
export {
  type FleetDrivers,
  type FleetEvent,
  type FleetOperation,
  type FleetOptions,
  type FleetRun,
  type FleetSummary,
  type FleetTargetInput,
  type FleetTargetResult,
  migrateFleet,
  sqliteFleetFiles,
  targetsFromQuery,
} from './fleet/index.js';
export type { FuturePolicy } from './future-migrations.js';
export type { HistoryEntry, HistoryRow, HistorySummary } from './history/history-entry.js';
export type { LockHolder, LockWaitOptions, RunLock } from './lock/run-lock.js';
export { type Logger, silentLogger } from './logger.js';
export type { Migration, MigrationInput } from './migration.js';
export {
  DEFAULT_TABLE,
  Migrator,
  type MigratorOptions,
  type PlanOptions,
  type PlanResult,
  type RevertOptions,
  type VersionLike,
} from './migrator.js';
export type { MigrationReport, MigratorEvent, PlannedStep, RedoReport, StepReport } from './report.js';
export { type DirectoryLayout, type DirectorySource, readMigrationsDirectory } from './source/directory-source.js';
export type { EmbeddedMigrations, MigrationSource } from './source/resolve-source.js';
export { migrationsFromValues } from './source/value-source.js';
export type { LexerOptions } from './sql/split-statements.js';
export type { MigrationState, MigrationStatus } from './status.js';
