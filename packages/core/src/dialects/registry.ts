import { StrataError } from '../errors.js';
import { isNetworkError } from './connection-errors.js';
import type { Database } from './database.js';
import type { Dialect, DialectName, HistoryTableName } from './dialect.js';
import { MysqlDatabase } from './mysql/mysql-database.js';
import { mysqlDialect } from './mysql/mysql-dialect.js';
import { isMysqlHandle, type MysqlHandleLike } from './mysql/mysql-handles.js';
import { isPgClient, isPgPool, type PgClientLike, type PgPoolLike } from './postgres/pg-handles.js';
import { PostgresDatabase } from './postgres/postgres-database.js';
import { postgresDialect } from './postgres/postgres-dialect.js';
import { SqliteDatabase } from './sqlite/sqlite-database.js';
import { sqliteDialect } from './sqlite/sqlite-dialect.js';
import { isSqliteDatabase, type SqliteDatabaseLike } from './sqlite/sqlite-handle.js';

/** Every dialect by name: adding a DialectName without an entry here does not compile. */
export const DIALECTS: Readonly<Record<DialectName, Dialect>> = {
  postgres: postgresDialect,
  sqlite: sqliteDialect,
  mysql: mysqlDialect,
};

/** What `db` may be: the caller's own handle. */
export type DatabaseHandle = PgPoolLike | PgClientLike | SqliteDatabaseLike | MysqlHandleLike;

export interface DatabaseOptions {
  /** PostgreSQL: take each run's session over this URL (a direct connection past a pooler). */
  directUrl?: string | undefined;
  /**
   * PostgreSQL: run under a lease row instead of the session advisory lock (behind a pooler in
   * transaction mode): where the history (and so the lease table) lives, and the lease's TTL.
   */
  lease?: { history: HistoryTableName; ttlMs?: number | undefined } | undefined;
  /** PostgreSQL `statement_timeout`, MariaDB `max_statement_time`, MySQL `max_execution_time` (ms) for the statements of every migration. */
  statementTimeout?: number | undefined;
  /** PostgreSQL only (SQLite opens a file and never waits for a server): ms to wait for a connection; 0 waits. */
  connectTimeout?: number | undefined;
  /** PostgreSQL only (a SQLite file never stalls): ms a run's session may sit idle, waiting for strata; 0 sets nothing. */
  stallTimeout?: number | undefined;
}

/** Recognises the caller's handle by its shape, so core never imports pg or better-sqlite3 to do it. */
export function openDatabase(db: DatabaseHandle, options: DatabaseOptions): Database {
  if (isPgPool(db) || isPgClient(db)) return new PostgresDatabase(db, options);
  if (isSqliteDatabase(db)) {
    if (options.lease || options.directUrl) {
      throw new StrataError(
        'INVALID_OPTIONS',
        "lock: 'lease' and directUrl are for PostgreSQL behind a pooler; SQLite runs take turns through the lock file beside the database (remove the option)",
      );
    }
    if (options.statementTimeout !== undefined) {
      throw new StrataError(
        'INVALID_OPTIONS',
        'statementTimeout is a server setting (PostgreSQL, MySQL, MariaDB); SQLite has no statement timeout (remove the option for a better-sqlite3 database)',
      );
    }
    return new SqliteDatabase(db);
  }
  if (isMysqlHandle(db)) {
    if (options.lease || options.directUrl) {
      throw new StrataError(
        'INVALID_OPTIONS',
        "lock: 'lease' and directUrl are for PostgreSQL behind a pooler; MySQL runs take turns through GET_LOCK on the run's connection (remove the option for a mysql2 handle)",
      );
    }
    return new MysqlDatabase(db, { connectTimeout: options.connectTimeout, statementTimeout: options.statementTimeout });
  }
  const value = db as unknown;
  const kind =
    value === null ? 'null' : typeof value === 'object' ? ((value as object).constructor?.name ?? 'object') : typeof value;
  throw new StrataError(
    'UNSUPPORTED_DATABASE',
    `db must be a pg.Pool, a pg.Client or a better-sqlite3 Database, or a mysql2 pool, pool cluster or connection; got ${kind}`,
  );
}

/** True for failures that waiting can heal, whichever database raised them: refused, dropped, still starting. */
export function isConnectionError(error: unknown): boolean {
  return isNetworkError(error) || Object.values(DIALECTS).some((dialect) => dialect.isTransient(error));
}
