export { type ChecksumMatch, checksumOf, fromHex, matchChecksum, toHex } from './checksum.js';
export { isConnectionError } from './drivers/connection-errors.js';
export { createDriver, type DatabaseHandle } from './drivers/create-driver.js';
export type {
  BatchProgress,
  Dialect,
  Direction,
  Driver,
  HistoryEntry,
  HistoryRow,
  HistorySummary,
  LockedSession,
  LockHolder,
  LockOptions,
  Step,
  StepOutcome,
} from './drivers/driver.js';
export { quoteIdentifier } from './drivers/identifiers.js';
export { describeLockHolder } from './drivers/postgres/lock-holder.js';
export { advisoryLockKey } from './drivers/postgres/lock-key.js';
export type { PgClientLike, PgPoolLike } from './drivers/postgres/pg-handles.js';
export type { SqliteDatabaseLike } from './drivers/sqlite/sqlite-handle.js';
export { isStrataError, StrataError, type StrataErrorCode, type StrataErrorDetails } from './errors.js';
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
export { redactText, redactUrl } from './redact.js';
export type { MigrationReport, MigratorEvent, PlannedStep, StepReport } from './report.js';
export { type DirectoryLayout, type DirectorySource, readMigrationsDirectory } from './source/directory-source.js';
export type { EmbeddedMigrations, MigrationSource } from './source/resolve-source.js';
export { resolveSource } from './source/resolve-source.js';
export { migrationsFromValues } from './source/value-source.js';
export { sourceDigest } from './source-digest.js';
export { hasNoTransactionDirective } from './sql/directives.js';
export { type SqlDialect, type SqlStatement, splitStatements } from './sql/split-statements.js';
export { computeStatus, type MigrationState, type MigrationStatus } from './status.js';
export { compareVersions, parseVersion, toVersion, type Version } from './version.js';
