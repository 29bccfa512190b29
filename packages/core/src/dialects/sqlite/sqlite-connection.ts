import { StrataError } from '../../errors.js';
import type { LockWaitOptions } from '../../lock/run-lock.js';
import type { QueryResult, SyncConnection, TransactionState } from '../connection.js';
import { InProcessConnection } from '../in-process-connection.js';
import type { SqliteDatabaseLike, SqliteStatementLike } from './sqlite-handle.js';

/**
 * The caller's better-sqlite3 Database as the engine's connection; reads and runs share it (a
 * SQLite handle is one session). Integers are read as bigints (versions reach 18 digits).
 */
export class SqliteConnection extends InProcessConnection {
  readonly sync: SqliteSyncConnection;
  readonly #db: SqliteDatabaseLike;

  constructor(db: SqliteDatabaseLike, wait: LockWaitOptions = {}) {
    super(wait, { label: 'SQLite', database: db.name });
    this.#db = db;
    this.sync = new SqliteSyncConnection(db);
  }

  transactionState(): TransactionState {
    return this.#db.inTransaction ? 'open' : 'idle';
  }
}

/**
 * The same handle, answering at once. Statements are prepared once and reused: preparing the same
 * bookkeeping SQL 500 times is measurable.
 */
class SqliteSyncConnection implements SyncConnection {
  readonly #db: SqliteDatabaseLike;
  /** A statement's modes stick, so rows-as-objects and rows-as-arrays each have their own cache. */
  readonly #statements = new Map<string, SqliteStatementLike>();
  readonly #rawStatements = new Map<string, SqliteStatementLike>();
  /** The caller's busy timeout, restored after each attempt at the write lock. */
  #busyTimeout: number | undefined;

  constructor(db: SqliteDatabaseLike) {
    this.#db = db;
  }

  query(sql: string, params: readonly unknown[] = []): QueryResult {
    return this.#unlessBusy(() => {
      const statement = this.#prepare(sql, false);
      if (statement.reader) {
        const rows = statement.all(...params.map(toSqliteValue)) as Record<string, unknown>[];
        return { rows, rowCount: 0 };
      }
      return { rows: [], rowCount: statement.run(...params.map(toSqliteValue)).changes };
    });
  }

  values(sql: string, params: readonly unknown[] = []): unknown[][] {
    return this.#unlessBusy(() => this.#prepare(sql, true).all(...params.map(toSqliteValue)) as unknown[][]);
  }

  exec(script: string): void {
    this.#unlessBusy(() => this.#db.exec(script));
  }

  commit(): void {
    this.#unlessBusy(() => this.#db.exec('COMMIT'));
  }

  rollback(): void {
    if (this.#db.open && this.#db.inTransaction) this.#db.exec('ROLLBACK');
  }

  /**
   * One attempt at `BEGIN IMMEDIATE` that never waits: the caller's busy timeout is set to 0 for
   * the attempt only and restored before anything else can run on their handle (so COMMIT still
   * waits for readers as the caller configured). A PRAGMA takes effect when it is compiled, so
   * these are run with exec each time, never as prepared statements; the first two travel in one
   * call (a busy BEGIN stops the script there).
   */
  tryBegin(): boolean {
    this.#busyTimeout ??= Number(this.#db.pragma('busy_timeout', { simple: true }));
    try {
      this.#db.exec('PRAGMA busy_timeout = 0; BEGIN IMMEDIATE');
      return true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      return false;
    } finally {
      this.#db.exec(`PRAGMA busy_timeout = ${this.#busyTimeout}`);
    }
  }

  /**
   * Another connection held the database past the caller's busy timeout: LOCK_TIMEOUT saying
   * so, rather than a bare "database is locked".
   */
  #unlessBusy<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      if (!(error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw error;
      const timeout = Number(this.#db.pragma('busy_timeout', { simple: true }));
      throw new StrataError(
        'LOCK_TIMEOUT',
        `another connection held ${this.#db.name} past the busy timeout (${timeout} ms): a reader or writer in another process or connection kept it locked; stop it, or raise busy_timeout on the handle`,
        { databaseCode: (error as { code?: string }).code, busyTimeoutMs: timeout },
        { cause: error },
      );
    }
  }

  /** `raw`: rows as arrays. */
  #prepare(sql: string, raw: boolean): SqliteStatementLike {
    const cache = raw ? this.#rawStatements : this.#statements;
    let statement = cache.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      if (statement.reader) statement.safeIntegers(true);
      if (raw) statement.raw(true);
      // A PRAGMA takes effect when compiled: never reuse one.
      if (!/^\s*PRAGMA/i.test(sql)) cache.set(sql, statement);
    }
    return statement;
  }
}

function toSqliteValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
  return value;
}
