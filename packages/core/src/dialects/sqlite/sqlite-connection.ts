import { StrataError } from '../../errors.js';
import type { LockWaitOptions } from '../../lock/run-lock.js';
import { every, pollWithBackoff } from '../../poll-with-backoff.js';
import type { QueryResult, Session, TransactionState } from '../connection.js';
import type { SqliteDatabaseLike, SqliteStatementLike } from './sqlite-handle.js';

const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 250;
const WAIT_REPORT_EVERY_MS = 5_000;

/**
 * The caller's better-sqlite3 Database as the engine's connection; reads and runs share it (a
 * SQLite handle is one session). Statements are prepared once and reused: preparing the same
 * bookkeeping SQL 500 times is measurable. Integers are read as bigints (versions reach 18 digits).
 */
export class SqliteConnection implements Session {
  readonly broken = false;
  readonly #db: SqliteDatabaseLike;
  readonly #wait: LockWaitOptions;
  readonly #statements = new Map<string, SqliteStatementLike>();
  /** The caller's busy timeout, restored after each attempt at the write lock. */
  #busyTimeout: number | undefined;

  constructor(db: SqliteDatabaseLike, wait: LockWaitOptions = {}) {
    this.#db = db;
    this.#wait = wait;
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<QueryResult> {
    return this.#unlessBusy(() => {
      const statement = this.#prepare(sql, false);
      if (statement.reader) {
        const rows = statement.all(...params.map(toSqliteValue)) as Record<string, unknown>[];
        return { rows, rowCount: 0 };
      }
      return { rows: [], rowCount: statement.run(...params.map(toSqliteValue)).changes };
    });
  }

  async values(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    return this.#unlessBusy(() => this.#prepare(sql, true).all(...params.map(toSqliteValue)) as unknown[][]);
  }

  async exec(script: string): Promise<void> {
    this.#unlessBusy(() => this.#db.exec(script));
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

  /**
   * Takes SQLite's write lock with `BEGIN IMMEDIATE`, polled with an async pause so a busy
   * database never blocks the event loop (probes keep answering while another process migrates).
   */
  async begin(): Promise<void> {
    await pollWithBackoff((): true | undefined => (this.#tryBegin() ? true : undefined), {
      firstMs: FIRST_POLL_MS,
      maxMs: MAX_POLL_MS,
      timeoutMs: this.#wait.timeoutMs,
      timedOut: (waited) =>
        new StrataError(
          'LOCK_TIMEOUT',
          `gave up waiting for the SQLite write lock after ${Math.round(waited)} ms: another connection holds a write transaction on ${this.#db.name}`,
        ),
      onWait: every(WAIT_REPORT_EVERY_MS, (waited) => this.#wait.onWait?.(waited, undefined), WAIT_REPORT_EVERY_MS),
    });
  }

  async commit(): Promise<void> {
    this.#unlessBusy(() => this.#db.exec('COMMIT'));
  }

  async rollback(): Promise<void> {
    if (this.#db.open && this.#db.inTransaction) this.#db.exec('ROLLBACK');
  }

  transactionState(): TransactionState {
    return this.#db.inTransaction ? 'open' : 'idle';
  }

  async close(): Promise<void> {
    // The handle is the caller's: strata never closes it.
  }

  /** `raw`: rows as arrays. A statement's modes stick, so each mode has its own cached copy. */
  #prepare(sql: string, raw: boolean): SqliteStatementLike {
    const key = raw ? `raw:${sql}` : sql;
    let statement = this.#statements.get(key);
    if (!statement) {
      statement = this.#fresh(sql, raw);
      // A PRAGMA takes effect when compiled: never reuse one.
      if (!/^\s*PRAGMA/i.test(sql)) this.#statements.set(key, statement);
    }
    return statement;
  }

  #fresh(sql: string, raw: boolean): SqliteStatementLike {
    const statement = this.#db.prepare(sql);
    if (statement.reader) statement.safeIntegers(true);
    if (raw) statement.raw(true);
    return statement;
  }

  /**
   * One attempt at `BEGIN IMMEDIATE` that never waits: the caller's busy timeout is set to 0 for
   * the attempt only and restored before anything else can run on their handle (so COMMIT still
   * waits for readers as the caller configured). A PRAGMA takes effect when it is compiled, so
   * these are run with exec each time, never as prepared statements.
   */
  #tryBegin(): boolean {
    this.#busyTimeout ??= Number(this.#db.pragma('busy_timeout', { simple: true }));
    this.#db.exec('PRAGMA busy_timeout = 0');
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      return true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      return false;
    } finally {
      this.#db.exec(`PRAGMA busy_timeout = ${this.#busyTimeout}`);
    }
  }
}

function toSqliteValue(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
  return value;
}
