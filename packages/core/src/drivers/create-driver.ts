import { StrataError } from '../errors.js';
import type { Driver } from './driver.js';
import { isPgClient, isPgPool, type PgClientLike, type PgPoolLike } from './postgres/pg-handles.js';
import { PostgresDriver } from './postgres/postgres-driver.js';
import { SqliteDriver } from './sqlite/sqlite-driver.js';
import type { SqliteDatabaseLike } from './sqlite/sqlite-handle.js';
import { isSqliteDatabase } from './sqlite/sqlite-handle.js';

/** What `db` may be: the caller's own handle, or a Driver of its own making. */
export type DatabaseHandle = PgPoolLike | PgClientLike | SqliteDatabaseLike | Driver;

export interface DriverOptions {
  table: string;
  schema: string | undefined;
  /** PostgreSQL only: `statement_timeout` (ms) for the statements of every migration. */
  statementTimeout?: number | undefined;
}

/** Recognises the caller's handle by its shape, so core never imports pg or better-sqlite3 to do it. */
export function createDriver(db: DatabaseHandle, options: DriverOptions): Driver {
  if (isDriver(db)) return db;
  if (isPgPool(db) || isPgClient(db)) return new PostgresDriver(db, options);
  if (isSqliteDatabase(db)) {
    if (options.statementTimeout !== undefined) {
      throw new StrataError(
        'INVALID_OPTIONS',
        'statementTimeout is a PostgreSQL setting; SQLite has no statement timeout (remove the option for a better-sqlite3 database)',
      );
    }
    return new SqliteDriver(db, options);
  }
  const value = db as unknown;
  const kind =
    value === null ? 'null' : typeof value === 'object' ? ((value as object).constructor?.name ?? 'object') : typeof value;
  throw new StrataError('UNSUPPORTED_DATABASE', `db must be a pg.Pool, a pg.Client or a better-sqlite3 Database; got ${kind}`);
}

function isDriver(value: unknown): value is Driver {
  const candidate = value as Partial<Driver> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    (candidate.dialect === 'postgres' || candidate.dialect === 'sqlite') &&
    typeof candidate.lock === 'function' &&
    typeof candidate.readHistory === 'function'
  );
}
