import { userInfo } from 'node:os';
import { hrtime } from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { StrataError } from '../../errors.js';
import type { Migration } from '../../migration.js';
import { HistoryDigest } from '../../source-digest.js';
import { splitStatements } from '../../sql/split-statements.js';
import { withoutBom } from '../../sql/text-position.js';
import type {
  BatchProgress,
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
/** A failed script is replayed to locate its failing statement only when that is cheap (see #locate). */
const LOCATE_REPLAY_LIMIT_MS = 5_000;

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
  /** Prepared once with its modes set: it runs before every step. */
  #selectSuccess: SqliteStatementLike | undefined;
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
    try {
      return await this.#inWriteTransaction((): StepOutcome => {
        if (this.#alreadyDone(step)) return { status: 'already-done' };
        const started = hrtime.bigint();
        this.#runScript(step, undefined, started);
        const executionTimeNs = hrtime.bigint() - started;
        this.#writeHistory(step, executionTimeNs);
        return { status: 'done', executionTimeNs };
      });
    } catch (error) {
      throw error instanceof ScriptFailed ? this.#located(error) : error;
    }
  }

  /**
   * Every step in one write transaction with its history change: one `BEGIN IMMEDIATE`, one
   * commit (one fsync) for the whole run. Holding the write lock from the first step to the last,
   * the per-step re-read of history can only find what was there when the batch began.
   */
  async applyAll(steps: readonly Step[], progress: BatchProgress): Promise<StepOutcome[]> {
    const batchStarted = hrtime.bigint();
    try {
      return await this.#inWriteTransaction(() => {
        const outcomes: StepOutcome[] = [];
        const ran: Step[] = [];
        for (const step of steps) {
          progress.started(step);
          if (this.#alreadyDone(step)) {
            outcomes.push({ status: 'already-done' });
            progress.finished(step, { status: 'already-done' });
            continue;
          }
          const started = hrtime.bigint();
          this.#runScript(step, ran, batchStarted);
          const executionTimeNs = hrtime.bigint() - started;
          this.#writeHistory(step, executionTimeNs);
          ran.push(step);
          const outcome: StepOutcome = { status: 'done', executionTimeNs };
          outcomes.push(outcome);
          progress.finished(step, outcome);
        }
        return outcomes;
      });
    } catch (error) {
      throw error instanceof ScriptFailed ? this.#located(error) : error;
    }
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
    this.#executeEach(step);
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
    this.#selectSuccess ??= this.#db
      .prepare(`SELECT success FROM ${this.#qualified} WHERE version = ?`)
      .safeIntegers(true)
      .raw(true);
    const row = this.#selectSuccess.get(step.migration.version) as [bigint] | undefined;
    if (row && row[0] !== 1n) {
      throw new StrataError(
        'MIGRATION_DIRTY',
        `migration ${step.migration.version} is partially applied (another runner stopped part-way through it); fix the database by hand, then run \`strata resolve ${step.migration.version} --applied\` or \`--rolled-back\``,
        { version: String(step.migration.version), file: step.file },
      );
    }
    return step.direction === 'up' ? row !== undefined : row === undefined;
  }

  /**
   * The happy path is one `exec` of the whole script: SQLite parses it statement by statement
   * itself. better-sqlite3 does not say which statement failed, so a failure is thrown as a
   * ScriptFailed and located after the rollback (see #located).
   */
  #runScript(step: Step, batch: readonly Step[] | undefined, startedAt: bigint): void {
    try {
      this.#db.exec(withoutBom(step.script).body);
    } catch (cause) {
      throw new ScriptFailed(step, cause, batch, Number(hrtime.bigint() - startedAt) / 1e6);
    }
  }

  #writeHistory(step: Step, executionTimeNs: bigint): void {
    if (step.direction === 'up') this.#insertRow(step.migration, true, executionTimeNs);
    else this.#prepare(`DELETE FROM ${this.#qualified} WHERE version = ?`).run(step.migration.version);
  }

  /** The error a person can act on, with the failing statement's line and column when it can be found. */
  #located(failure: ScriptFailed): StrataError {
    const { step, cause, batch } = failure;
    const statements = splitStatements(step.script, 'sqlite').filter((statement) => !statement.empty);
    const offset =
      statements.length === 1
        ? statements[0]!.tokenStart
        : this.#locate(
            failure,
            statements.map((s) => s.tokenStart),
          );
    return migrationFailed({
      step,
      cause,
      offset,
      databaseCode: (cause as { code?: string }).code,
      leftDirty: false,
      historyTable: this.#table,
      ...(batch ? { batch: { ranBefore: batch } } : {}),
    });
  }

  /**
   * Replays, in a write transaction that is always rolled back, what ran before the failing script
   * (the earlier steps of a single-transaction run) and then the script one statement at a time,
   * and returns the offset of the statement that fails with the same code. Only when the failed
   * attempt was quick and the write lock is free at once (the replay blocks the event loop, as
   * the attempt did); otherwise the error names the file without a line.
   */
  #locate(failure: ScriptFailed, starts: readonly number[]): number | undefined {
    const code = (failure.cause as { code?: string }).code;
    if (starts.length === 0 || failure.elapsedMs > LOCATE_REPLAY_LIMIT_MS || !this.#db.open || this.#db.inTransaction) {
      return undefined;
    }
    const script = failure.step.script;
    try {
      if (!this.#tryBegin()) return undefined;
      for (const step of failure.batch ?? []) {
        this.#db.exec(withoutBom(step.script).body);
        this.#writeHistory(step, 0n);
      }
      for (const [i, start] of starts.entries()) {
        try {
          this.#db.exec(script.slice(start, starts[i + 1] ?? script.length));
        } catch (error) {
          return (error as { code?: string }).code === code ? start : undefined;
        }
      }
      return undefined;
    } catch {
      return undefined;
    } finally {
      if (this.#db.open && this.#db.inTransaction) this.#db.exec('ROLLBACK');
    }
  }

  /**
   * Outside a transaction each statement commits on its own and a replay would run the committed
   * ones twice, so the script runs statement by statement and a failure names its statement.
   */
  #executeEach(step: Step): void {
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
          leftDirty: true,
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
    let pause = FIRST_POLL_MS;
    let nextReport = WAIT_REPORT_EVERY_MS;
    while (!this.#tryBegin()) {
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
    this.waitedMs += performance.now() - started;
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

/** A transactional script failed; located and turned into MIGRATION_FAILED once its transaction is rolled back. */
class ScriptFailed extends Error {
  readonly step: Step;
  /** The earlier steps of a single-transaction run (undefined outside one). */
  readonly batch: readonly Step[] | undefined;
  /** From the start of the transaction to the failure. */
  readonly elapsedMs: number;

  constructor(step: Step, cause: unknown, batch: readonly Step[] | undefined, elapsedMs: number) {
    super('a migration script failed', { cause });
    this.step = step;
    this.batch = batch;
    this.elapsedMs = elapsedMs;
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
