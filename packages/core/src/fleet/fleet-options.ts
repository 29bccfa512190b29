import { StrataError } from '../errors.js';
import type { FuturePolicy } from '../future-migrations.js';
import type { LockGuardOption } from '../lock-guard-option.js';
import type { Logger } from '../logger.js';
import type { VersionLike } from '../migrator.js';
import type { MigrationSource } from '../source/resolve-source.js';
import type { FleetDrivers } from './drivers.js';
import type { FleetEvent } from './fleet-result.js';

/** What each target gets: the Migrator's run, revert, status, or the checks `strata validate` makes against a database. */
export type FleetOperation =
  | { kind: 'run'; target?: VersionLike; dryRun?: boolean }
  | { kind: 'revert'; target?: VersionLike; steps?: number; all?: boolean; dryRun?: boolean }
  | { kind: 'status' }
  | { kind: 'validate' };

/** The Migrator's options that make sense for every member of a fleet alike. */
export interface FleetMigratorOptions {
  table?: string;
  history?: 'strata' | 'diesel';
  /** The history's schema for database targets; a schema target's history lives in its own schema. */
  schema?: string;
  lockTimeout?: number;
  statementTimeout?: number;
  /** Bounds each connection a target opens (ms); 0 waits. Default 10 000. */
  connectTimeout?: number;
  stallTimeout?: number;
  /**
   * Default: the advisory lock for database targets; the lease lock for schema targets, because the
   * advisory key is per database and the schemas of one database would otherwise migrate one at a time.
   */
  lock?: 'advisory' | 'lease';
  lockGuard?: LockGuardOption;
  ignoreMissing?: boolean;
  allowOutOfOrder?: boolean;
  future?: FuturePolicy;
  singleTransaction?: boolean;
}

export interface FleetOptions extends FleetMigratorOptions {
  /** Read once for the whole fleet: a directory, values, or the module `strata embed` generates. */
  migrations: MigrationSource;
  /** Default `{ kind: 'run' }`. */
  operation?: FleetOperation;
  /**
   * Targets worked on at once, each on one connection. Default: from the first PostgreSQL
   * target's server (see defaultConcurrency); 4 for a fleet of SQLite files.
   */
  concurrency?: number;
  /** Work on the first K targets alone first; if any fails, start none of the rest. */
  canary?: number;
  /** Keep starting targets after one fails. Default: a failure stops new targets from starting (those running finish). */
  continueOnError?: boolean;
  /** Aborted: no new target starts; those running finish (a migration is never cut in half). */
  signal?: AbortSignal;
  /** Each target's result as it finishes, and each start. */
  onEvent?: (event: FleetEvent) => void;
  logger?: Logger;
  /** The `pg` and `better-sqlite3` modules to use; default: imported when a target needs one. */
  drivers?: FleetDrivers;
}

/** Every option is checked before any target is touched. */
export function checkFleetOptions(options: FleetOptions): void {
  if (!options || typeof options !== 'object') throw new StrataError('INVALID_OPTIONS', 'migrateFleet() needs an options object');
  if (options.migrations === undefined || options.migrations === null) {
    throw new StrataError('INVALID_OPTIONS', 'the `migrations` option is required: a directory path or an array of migrations');
  }
  for (const name of ['concurrency', 'canary'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
      throw new StrataError('INVALID_OPTIONS', `${name} must be a whole number >= 1, not ${String(value)}`);
    }
  }
  const kind = options.operation?.kind ?? 'run';
  if (!['run', 'revert', 'status', 'validate'].includes(kind)) {
    throw new StrataError('INVALID_OPTIONS', `operation.kind must be run, revert, status or validate, not ${String(kind)}`);
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw new StrataError('INVALID_OPTIONS', 'onEvent must be a function');
  }
}
