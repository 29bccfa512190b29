import { userInfo } from 'node:os';
import { hrtime } from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError } from '../../errors.js';
import type { Migration } from '../../migration.js';
import { HistoryDigest } from '../../source-digest.js';
import { splitStatements } from '../../sql/split-statements.js';
import type {
  Driver,
  HistoryEntry,
  HistoryRow,
  HistorySummary,
  LockedSession,
  LockOptions,
  Step,
  StepOutcome,
} from '../driver.js';
import { historyUnusable, toHistoryEntry, toHistoryRow } from '../history-rows.js';
import { qualifiedName } from '../identifiers.js';
import { copyDirtyRowSql, createResolutionsTableSql } from '../resolutions.js';
import { migrationFailed } from '../sql-failure.js';
import { RunLockFile } from './run-lock-file.js';
import type { SqliteDatabaseLike, SqliteStatementLike } from './sqlite-handle.js';

export interface SqliteDriverOptions {
  table: string;
  /** An attached database name (`main` by default). */
  schema: string | undefined;
}

const HISTORY_COLUMNS = 'version, description, installed_on, success, checksum, execution_time';
const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 250;
const WAIT_REPORT_EVERY_MS = 5_000;

/**
 * Runs take turns through a lock file beside the database (see RunLockFile). Inside a run, every
 * step still takes SQLite's write lock with `BEGIN IMMEDIATE` and re-reads its own history row
 * there, so a runner that does not use the lock file (an in-memory database, an older strata)
 * still cannot apply a migration twice.
 * `BEGIN IMMEDIATE` is polled with busy_timeout 0 and an async pause, so waiting never blocks the
 * event loop (probes keep answering while another process migrates).
 */
export class SqliteDriver implements Driver {
  readonly dialect = 'sqlite' as const;
  readonly #db: SqliteDatabaseLike;
  readonly #table: string;
  readonly #qualified: string;
  readonly #schema: string | undefined;

  constructor(db: SqliteDatabaseLike, options: SqliteDriverOptions) {
    this.#db = db;
    this.#table = options.table;
    this.#schema = options.schema;
    this.#qualified = qualifiedName(options.schema, options.table);
  }

  describe(): string {
    return this.#db.memory ? 'sqlite::memory:' : `sqlite://${this.#db.name}`;
  }

  async readHistory(): Promise<HistoryRow[] | undefined> {
    return this.#ifPresent(() => this.#selectHistory());
  }

  async readHistoryEntries(): Promise<HistoryEntry[] | undefined> {
    return this.#ifPresent(() => this.#selectEntries());
  }

  async readHistorySummary(): Promise<HistorySummary | undefined> {
    return this.#summary();
  }

  #summary(): HistorySummary | undefined {
    return this.#ifPresent(() => {
      // SQLite cannot hash: the rows are folded here, in one pass over one statement.
      const rows = this.#db
        .prepare(`SELECT version, success, checksum FROM ${this.#qualified} ORDER BY version`)
        .safeIntegers(true)
        .raw(true)
        .iterate() as IterableIterator<[unknown, unknown, unknown]>;
      const digest = new HistoryDigest();
      let count = 0;
      let clean = true;
      for (const [version, success, checksum] of rows) {
        count++;
        // A row the digest cannot fold sends the run down the full path, which names what is wrong.
        if (typeof version !== 'bigint' || !(checksum instanceof Uint8Array)) clean = false;
        else digest.add(version, checksum);
        if (success !== 1n) clean = false;
      }
      return { count, clean, digest: digest.hex() };
    });
  }

  #ifPresent<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (error instanceof Error && /no such table/i.test(error.message)) return undefined;
      if (error instanceof Error && /no such column/i.test(error.message)) throw historyUnusable(this.#table, error);
      throw error;
    }
  }

  async ping(): Promise<void> {
    this.#db.prepare('SELECT 1').get();
  }

  async lock(options: LockOptions): Promise<LockedSession | undefined> {
    const lockFile = this.#db.memory || !this.#db.name ? undefined : new RunLockFile(this.#db, this.#db.name);
    const { stopWaitingWhen } = options;
    const waitedMs = lockFile ? await lockFile.acquire(options, stopWaitingWhen && (() => stopWaitingWhen(this.#summary()))) : 0;
    if (waitedMs === undefined) return undefined;
    return new SqliteSession(
      this.#db,
      this.#qualified,
      this.#table,
      options,
      () => this.#ifPresent(() => this.#selectEntries()) ?? [],
      this.#schema,
      lockFile,
      waitedMs,
    );
  }

  #selectHistory(): HistoryRow[] {
    const rows = this.#db.prepare(`SELECT ${HISTORY_COLUMNS} FROM ${this.#qualified} ORDER BY version`).safeIntegers(true).all();
    return (rows as Record<string, unknown>[]).map((row) => toHistoryRow(row as never, this.#table));
  }

  /** Raw rows (arrays, not objects) of three columns: the no-op check at 10,000 migrations is this query. */
  #selectEntries(): HistoryEntry[] {
    const rows = this.#db
      .prepare(`SELECT version, success, checksum FROM ${this.#qualified} ORDER BY version`)
      .safeIntegers(true)
      .raw(true)
      .all() as unknown[][];
    return rows.map(([version, success, checksum]) => toHistoryEntry({ version, success, checksum }, this.#table));
  }
}

class SqliteSession implements LockedSession {
  waitedMs = 0;
  readonly #db: SqliteDatabaseLike;
  readonly #qualified: string;
  readonly #table: string;
  readonly #options: LockOptions;
  readonly #selectEntries: () => HistoryEntry[];

  readonly #schema: string | undefined;
  readonly #lockFile: RunLockFile | undefined;
  readonly #statements = new Map<string, SqliteStatementLike>();
  /** The caller's busy timeout, restored after each attempt at the write lock. */
  #busyTimeout: number | undefined;

  constructor(
    db: SqliteDatabaseLike,
    qualified: string,
    table: string,
    options: LockOptions,
    selectEntries: () => HistoryEntry[],
    schema: string | undefined,
    lockFile: RunLockFile | undefined,
    waitedMs: number,
  ) {
    this.#db = db;
    this.#lockFile = lockFile;
    this.waitedMs = waitedMs;
    this.#schema = schema;
    this.#qualified = qualified;
    this.#table = table;
    this.#options = options;
    this.#selectEntries = selectEntries;
  }

  /** Statements are reused across steps: preparing the same bookkeeping SQL 500 times is measurable. */
  #prepare(sql: string): SqliteStatementLike {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async ensureHistoryTable(): Promise<void> {
    await this.#inWriteTransaction(() => {
      this.#db.exec(
        `CREATE TABLE IF NOT EXISTS ${this.#qualified} (
           version BIGINT PRIMARY KEY,
           description TEXT NOT NULL,
           installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
           success BOOLEAN NOT NULL,
           checksum BLOB NOT NULL,
           execution_time BIGINT NOT NULL
         )`,
      );
    });
  }

  async readHistoryEntries(): Promise<HistoryEntry[]> {
    return this.#selectEntries();
  }

  async apply(step: Step): Promise<StepOutcome> {
    return step.transactional ? this.#applyInTransaction(step) : this.#applyOutsideTransaction(step);
  }

  async #applyInTransaction(step: Step): Promise<StepOutcome> {
    return this.#inWriteTransaction((): StepOutcome => {
      if (this.#alreadyDone(step)) return { status: 'already-done' };
      const started = hrtime.bigint();
      this.#execute(step, false);
      const executionTimeNs = hrtime.bigint() - started;
      if (step.direction === 'up') this.#insertRow(step.migration, true, executionTimeNs);
      else this.#prepare(`DELETE FROM ${this.#qualified} WHERE version = ?`).run(step.migration.version);
      return { status: 'done', executionTimeNs };
    });
  }

  async #applyOutsideTransaction(step: Step): Promise<StepOutcome> {
    const claimed = await this.#inWriteTransaction(() => {
      if (this.#alreadyDone(step)) return false;
      if (step.direction === 'up') this.#insertRow(step.migration, false, 0n);
      else this.#prepare(`UPDATE ${this.#qualified} SET success = FALSE WHERE version = ?`).run(step.migration.version);
      return true;
    });
    if (!claimed) return { status: 'already-done' };
    const started = hrtime.bigint();
    this.#execute(step, true);
    const executionTimeNs = hrtime.bigint() - started;
    if (step.direction === 'up') {
      this.#prepare(`UPDATE ${this.#qualified} SET success = TRUE, execution_time = ? WHERE version = ?`).run(
        executionTimeNs,
        step.migration.version,
      );
    } else {
      this.#prepare(`DELETE FROM ${this.#qualified} WHERE version = ?`).run(step.migration.version);
    }
    return { status: 'done', executionTimeNs };
  }

  async resolve(version: bigint, resolution: 'applied' | 'rolled-back'): Promise<void> {
    const sql =
      resolution === 'applied'
        ? `UPDATE ${this.#qualified} SET success = TRUE WHERE version = ? AND success = FALSE`
        : `DELETE FROM ${this.#qualified} WHERE version = ? AND success = FALSE`;
    const changed = await this.#inWriteTransaction(() => {
      // The dirty row is copied to <table>_resolutions first, so resolving never erases what happened.
      this.#db.exec(createResolutionsTableSql('sqlite', this.#schema, this.#table));
      this.#db
        .prepare(copyDirtyRowSql(this.#schema, this.#table, { version: '?', resolution: '?', resolvedBy: '?' }))
        .run(resolution, osUser(), version);
      return this.#db.prepare(sql).run(version).changes;
    });
    if (changed === 0) {
      throw new StrataError('NOT_FOUND', `migration ${version} has no dirty row in ${this.#table}; nothing to resolve`, {
        version: String(version),
      });
    }
  }

  async release(): Promise<void> {
    this.#lockFile?.release();
  }

  /** Another runner may have done this step between our plan and our turn at the write lock. */
  #alreadyDone(step: Step): boolean {
    const row = this.#prepare(`SELECT success FROM ${this.#qualified} WHERE version = ?`)
      .safeIntegers(true)
      .get(step.migration.version) as { success: bigint } | undefined;
    if (row && row.success !== 1n) {
      throw new StrataError(
        'MIGRATION_DIRTY',
        `migration ${step.migration.version} is partially applied (another runner stopped part-way through it); fix the database by hand, then run \`strata resolve ${step.migration.version} --applied\` or \`--rolled-back\``,
        { version: String(step.migration.version), file: step.file },
      );
    }
    return step.direction === 'up' ? row !== undefined : row === undefined;
  }

  /** Runs statement by statement so a failure names the statement's line and column. */
  #execute(step: Step, leftDirtyOnFailure: boolean): void {
    for (const statement of splitStatements(step.script, 'sqlite')) {
      if (statement.empty) continue;
      try {
        this.#db.exec(statement.text);
      } catch (error) {
        throw migrationFailed({
          step,
          cause: error,
          offset: statement.tokenStart,
          databaseCode: (error as { code?: string }).code,
          leftDirty: leftDirtyOnFailure,
          historyTable: this.#table,
        });
      }
    }
  }

  #insertRow(migration: Migration, success: boolean, executionTimeNs: bigint): void {
    try {
      this.#prepare(
        `INSERT INTO ${this.#qualified} (version, description, success, checksum, execution_time) VALUES (?, ?, ?, ?, ?)`,
      ).run(migration.version, migration.description, success ? 1 : 0, Buffer.from(migration.checksum), executionTimeNs);
    } catch (error) {
      throw historyUnusable(this.#table, error);
    }
  }

  async #inWriteTransaction<T>(work: () => T): Promise<T> {
    await this.#begin();
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Takes SQLite's write lock by polling, so a busy database never blocks the event loop. */
  async #begin(): Promise<void> {
    const started = performance.now();
    this.#busyTimeout ??= Number(this.#db.pragma('busy_timeout', { simple: true }));
    const busyTimeout = this.#busyTimeout;
    let pause = FIRST_POLL_MS;
    let nextReport = WAIT_REPORT_EVERY_MS;
    for (;;) {
      this.#db.pragma('busy_timeout = 0');
      try {
        this.#db.exec('BEGIN IMMEDIATE');
        this.waitedMs += performance.now() - started;
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
      } finally {
        this.#db.pragma(`busy_timeout = ${Number(busyTimeout)}`);
      }
      const waited = performance.now() - started;
      if (this.#options.timeoutMs !== undefined && waited >= this.#options.timeoutMs) {
        throw new StrataError(
          'LOCK_TIMEOUT',
          `gave up waiting for the SQLite write lock after ${Math.round(waited)} ms: another connection holds a write transaction on ${this.#db.name}`,
        );
      }
      if (waited >= nextReport) {
        this.#options.onWait?.(waited, undefined);
        nextReport = waited + WAIT_REPORT_EVERY_MS;
      }
      await sleep(pause * (0.75 + Math.random() * 0.5));
      pause = Math.min(pause * 2, MAX_POLL_MS);
    }
  }
}

/** SQLite has no database user; the resolutions table records the operating-system user instead. */
function osUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}
