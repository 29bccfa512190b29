/**
 * Every failure strata reports is a StrataError with a stable `code`. Callers branch on the
 * code; people read the message, which names the version, the file and, for SQL errors, the
 * line and column and the database's own error code.
 */
export type StrataErrorCode =
  // source: the migrations directory or values
  | 'SOURCE_NOT_FOUND'
  | 'SOURCE_UNREADABLE'
  | 'INVALID_FILE_NAME'
  | 'INVALID_VERSION'
  | 'DUPLICATE_VERSION'
  | 'DOWN_WITHOUT_UP'
  | 'MIXED_STYLES'
  | 'INVALID_METADATA'
  | 'INVALID_MIGRATION'
  // validation against history
  | 'MIGRATION_MODIFIED'
  | 'MIGRATION_MISSING'
  /** An applied migration is newer than every migration in the source (a rollback), under `future: 'error'`; or a revert would go under one. */
  | 'MIGRATION_FUTURE'
  | 'MIGRATION_DIRTY'
  | 'MIGRATION_OUT_OF_ORDER'
  | 'MIGRATIONS_NOT_BUNDLED'
  | 'HISTORY_CORRUPT'
  /** strata's history table is another tool's (knex, Diesel, Flyway, ...): the message gives the `strata import` command. */
  | 'FOREIGN_HISTORY'
  /** `import` found a failed or unfinished entry in the other tool's history: resolved with that tool first. */
  | 'FOREIGN_HISTORY_DIRTY'
  /** `baseline` on a history that already records migrations (unless `skipApplied`). */
  | 'HISTORY_NOT_EMPTY'
  /** The history table cannot be created (no privilege, a read-only connection). */
  | 'HISTORY_UNWRITABLE'
  | 'TARGET_NOT_FOUND'
  | 'NOT_REVERSIBLE'
  | 'STATEMENT_NOT_ALLOWED_IN_TRANSACTION'
  /** A transactional script holds BEGIN, COMMIT, ROLLBACK or END: it would end strata's transaction under it. */
  | 'TRANSACTION_CONTROL_IN_MIGRATION'
  /** singleTransaction was asked for, but a planned step must run outside a transaction. */
  | 'SINGLE_TRANSACTION_NOT_POSSIBLE'
  // execution
  | 'MIGRATION_FAILED'
  | 'LOCK_TIMEOUT'
  /** The run lock went away while a run held it (a migration released it, its lock file was deleted). */
  | 'LOCK_LOST'
  /** A transactional migration ended strata's transaction itself; nothing of it was recorded. */
  | 'TRANSACTION_ENDED_EARLY'
  /** A `-- no-transaction` migration left a transaction open; strata rolled it back and left the row dirty. */
  | 'TRANSACTION_LEFT_OPEN'
  /** The lock cannot be taken at all (its file cannot be opened), however long one waits. */
  | 'LOCK_UNAVAILABLE'
  /**
   * The connection does not keep one PostgreSQL session (a pooler in transaction mode), so the
   * session advisory lock would protect nothing: refused before the lock, nothing changed.
   */
  | 'POOLER_DETECTED'
  | 'WAIT_TIMEOUT'
  | 'NOT_UP_TO_DATE'
  | 'CONNECTION_FAILED'
  | 'UNSUPPORTED_DATABASE'
  | 'DRIVER_NOT_INSTALLED'
  /** `strata lint` needs PostgreSQL's parser (the optional package libpg-query), which is not installed. */
  | 'LINT_PARSER_MISSING'
  | 'INVALID_OPTIONS'
  /** The operation does not apply to this kind of history (repair on a table without checksums). */
  | 'NOT_SUPPORTED'
  /** strata.config.* or sqlx.toml cannot be read, or holds a key or value strata does not take. */
  | 'INVALID_CONFIG'
  | 'NOT_FOUND'
  /** `strata studio`: the page's files are not where the package put them (a broken install or build). */
  | 'STUDIO_ASSETS_MISSING'
  /** `strata studio`: the address or port cannot be listened on (taken, not this machine's). */
  | 'STUDIO_LISTEN_FAILED';

export interface StrataErrorDetails {
  /** Migration version, as a decimal string (versions can exceed Number.MAX_SAFE_INTEGER). */
  version?: string;
  /** File the problem is in, as given to the source (relative to the migrations directory when read from one). */
  file?: string;
  /** 1-based line and column inside `file`. */
  line?: number;
  column?: number;
  /** The database's own error code (SQLSTATE for PostgreSQL, SQLITE_* for SQLite). */
  databaseCode?: string;
  [key: string]: unknown;
}

export class StrataError extends Error {
  override readonly name: string = 'StrataError';
  readonly code: StrataErrorCode;
  readonly details: StrataErrorDetails;

  constructor(code: StrataErrorCode, message: string, details: StrataErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  /** The parts a log line or a JSON body needs, without a stack or SQL text. */
  toJSON(): { name: string; code: StrataErrorCode; message: string; details: StrataErrorDetails } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/**
 * Recognises a StrataError by its shape as well as its class: an app can end up with two copies of
 * @strata/core (an integration pinned to another version), and `instanceof` fails across copies.
 */
export function isStrataError(value: unknown, code?: StrataErrorCode): value is StrataError {
  const candidate = value as Partial<StrataError> | null;
  const recognised =
    value instanceof StrataError ||
    (value instanceof Error &&
      candidate?.name === 'StrataError' &&
      typeof candidate.code === 'string' &&
      typeof candidate.details === 'object' &&
      candidate.details !== null);
  return recognised && (code === undefined || candidate?.code === code);
}
