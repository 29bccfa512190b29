import { hrtime } from 'node:process';
import type { Session } from '../dialects/connection.js';
import type { SettingOutsideTransaction } from '../dialects/dialect.js';
import { isStrataError, StrataError } from '../errors.js';
import { historyUnusable } from '../history/history-rows.js';
import type { HistoryStore } from '../history/history-store.js';
import { lockLost, type RunLock } from '../lock/run-lock.js';
import { splitStatements } from '../sql/split-statements.js';
import { offsetOfCodePoint, positionAt, withoutBom } from '../sql/text-position.js';
import type { Step, StepOutcome } from './step.js';
import { batchDetails, batchRolledBack, migrationFailed } from './step-failure.js';

/** A failed script is replayed to locate its failing statement only when that is cheap. */
const LOCATE_REPLAY_LIMIT_MS = 5_000;
const BEGIN = 'BEGIN;\n';

export interface StepRunnerOptions {
  /** The run's lock: verified before each history write; not exclusive means each step re-reads its own row. */
  lock: RunLock;
  /** SQL re-applying the run's session settings (a statement timeout), sent before each step; undefined: none. */
  settings: string | undefined;
}

/** Called by a single-transaction run around each of its steps, as they happen (before the commit). */
export interface BatchProgress {
  started(step: Step): void;
  finished(step: Step, outcome: StepOutcome): void;
}

/**
 * Runs steps on the run's session, each with its history change: the protocol, written once for
 * every database. Where the connection pipelines scripts (PostgreSQL), `BEGIN` travels with the
 * script and the history write with `COMMIT`: two round trips per migration.
 */
export class StepRunner {
  readonly #session: Session;
  readonly #history: HistoryStore;
  /** The run lock does not exclude every writer: each step re-reads its own row under the write lock. */
  readonly #recheck: boolean;
  readonly #pipelined: boolean;
  readonly #lock: RunLock;
  /** Re-applies the session settings a run needs before each step: a migration's RESET ALL must not undo them. */
  readonly #settings: string | undefined;
  #used = false;

  constructor(session: Session, history: HistoryStore, options: StepRunnerOptions) {
    this.#session = session;
    this.#history = history;
    this.#lock = options.lock;
    this.#settings = options.settings;
    this.#recheck = !options.lock.exclusive;
    this.#pipelined = history.dialect.capabilities.pipelinesScripts && !this.#recheck;
  }

  /** A step ran (or was replayed) on the session: settings a migration changed may linger on it. */
  get used(): boolean {
    return this.#used;
  }

  apply(step: Step): Promise<StepOutcome> {
    this.#used = true;
    if (!step.transactional) return this.#applyOutsideTransaction(step);
    const setting = this.#history.dialect.settingOutsideTransaction?.(step.script);
    return setting ? this.#withSetting(setting, () => this.#applyInTransaction(step, setting)) : this.#applyInTransaction(step);
  }

  /** Applies a setting the script asks for before the step's transaction, and restores the caller's value after. */
  async #withSetting<T>(setting: SettingOutsideTransaction, run: () => Promise<T>): Promise<T> {
    const [row] = await this.#session.values(setting.read);
    await this.#session.exec(setting.apply);
    try {
      return await run();
    } finally {
      await this.#session.exec(setting.restore(row?.[0])).catch(() => {});
    }
  }

  /** Before COMMIT: the check the setting calls for (PRAGMA foreign_key_check) must find nothing. */
  async #check(step: Step, setting: SettingOutsideTransaction): Promise<void> {
    const rows = await this.#session.values(setting.check);
    if (rows.length === 0) return;
    await this.#session.rollback().catch(() => {});
    const version = String(step.migration.version);
    const shown = rows.slice(0, 5).map((row) => row.map(String).join(' '));
    throw new StrataError(
      'MIGRATION_FAILED',
      `migration ${version} failed at ${step.file ?? `migration ${version} (${step.direction})`}: ${setting.check.replace(/^PRAGMA /, '')} found ${rows.length} row(s) that break a constraint once ${setting.name} is back on (${shown.join('; ')}${rows.length > 5 ? '; …' : ''})` +
        '\n  nothing from this migration was kept: its transaction was rolled back.',
      { version, file: step.file, direction: step.direction, dirty: false, violations: rows.length },
    );
  }

  async #applyInTransaction(step: Step, setting?: SettingOutsideTransaction): Promise<StepOutcome> {
    const { body, bomLength } = withoutBom(step.script);
    try {
      const prefix = await this.#begin();
      if (this.#recheck && (await this.#alreadyDone(step))) {
        await this.#session.rollback();
        return { status: 'already-done' };
      }
      const started = hrtime.bigint();
      try {
        await this.#session.exec(prefix + body);
      } catch (error) {
        const elapsedMs = Number(hrtime.bigint() - started) / 1e6;
        await this.#session.rollback().catch(() => {});
        const offset = this.#offsetIn(prefix + body, error, prefix.length) ?? (await this.#locate(body, error, elapsedMs));
        throw this.#failure(step, error, offset === undefined ? undefined : bomLength + offset, false);
      }
      await this.#requireOpenTransaction(step);
      if (setting) await this.#check(step, setting);
      const executionTimeNs = hrtime.bigint() - started;
      await this.#commit(await this.#record(step, executionTimeNs), step);
      return { status: 'done', executionTimeNs };
    } catch (error) {
      await this.#session.rollback().catch(() => {});
      throw error;
    }
  }

  /**
   * Every step (all transactional) and its history change in ONE transaction, committed once after
   * the last: all or nothing. Pipelined, each history write travels with the next script.
   */
  async applyAll(steps: readonly Step[], progress: BatchProgress): Promise<StepOutcome[]> {
    this.#used = true;
    const { dialect } = this.#history;
    const needing = steps.filter((step) => dialect.settingOutsideTransaction?.(step.script));
    if (needing.length > 0) {
      // Such a setting takes effect only outside a transaction: it cannot hold for one step of a batch.
      throw new StrataError(
        'SINGLE_TRANSACTION_NOT_POSSIBLE',
        `${needing.map((step) => step.file ?? `migration ${step.migration.version}`).join(', ')} set${needing.length === 1 ? 's' : ''} ${dialect.settingOutsideTransaction?.(needing[0]!.script)?.name}, which ${dialect.label} applies only outside a transaction; run without singleTransaction (or split the deploy with --target-version)`,
        { versions: needing.map((step) => String(step.migration.version)) },
      );
    }
    const outcomes: StepOutcome[] = [];
    const ran: Step[] = [];
    const batchStarted = hrtime.bigint();
    try {
      let prefix = await this.#begin();
      for (const step of steps) {
        progress.started(step);
        if (this.#recheck && (await this.#alreadyDone(step))) {
          outcomes.push({ status: 'already-done' });
          progress.finished(step, { status: 'already-done' });
          continue;
        }
        const { body, bomLength } = withoutBom(step.script);
        const started = hrtime.bigint();
        try {
          await this.#session.exec(prefix + body);
        } catch (error) {
          throw await this.#batchFailure(step, ran, error, { prefix, body, bomLength }, batchStarted);
        }
        await this.#requireOpenTransaction(step, ran);
        const executionTimeNs = hrtime.bigint() - started;
        prefix = await this.#record(step, executionTimeNs);
        ran.push(step);
        const outcome: StepOutcome = { status: 'done', executionTimeNs };
        outcomes.push(outcome);
        progress.finished(step, outcome);
      }
      await this.#commit(prefix, ran.at(-1));
    } catch (error) {
      await this.#session.rollback().catch(() => {});
      throw error;
    }
    return outcomes;
  }

  /**
   * Outside a transaction each statement commits on its own, so the row is written dirty first (a
   * crash part-way leaves a record the next run refuses to pass) and the script runs statement by
   * statement, so a failure names its statement and nothing is ever run twice.
   */
  async #applyOutsideTransaction(step: Step): Promise<StepOutcome> {
    if (this.#recheck) {
      await this.#session.begin();
      try {
        if (await this.#alreadyDone(step)) {
          await this.#session.rollback();
          return { status: 'already-done' };
        }
        await this.#history.markStarted(this.#session, step);
        await this.#session.commit();
      } catch (error) {
        await this.#session.rollback().catch(() => {});
        throw error;
      }
    } else {
      await this.#history.markStarted(this.#session, step);
    }
    if (this.#settings) await this.#session.exec(this.#settings);
    const { body, bomLength } = withoutBom(step.script);
    const started = hrtime.bigint();
    /** Where the statement starts after which a transaction the script opened is still open. */
    let openedBy: number | undefined;
    for (const statement of splitStatements(body, this.#history.dialect.lexer)) {
      if (statement.empty) continue;
      try {
        await this.#session.exec(statement.text);
      } catch (error) {
        const inStatement = this.#offsetIn(statement.text, error, 0);
        const offset = inStatement === undefined ? statement.tokenStart : statement.start + inStatement;
        throw this.#failure(step, error, bomLength + offset, true);
      }
      const state = this.#session.transactionState();
      if (state === 'idle') openedBy = undefined;
      else if (openedBy === undefined && state !== undefined) openedBy = bomLength + statement.tokenStart;
    }
    if (openedBy !== undefined) throw await this.#leftOpen(step, openedBy);
    await this.#verifyLock(step, true);
    const executionTimeNs = hrtime.bigint() - started;
    await this.#history.markFinished(this.#session, step, executionTimeNs);
    return { status: 'done', executionTimeNs };
  }

  /** Opens the step's transaction; returns what must travel in front of the script (pipelined `BEGIN`). */
  async #begin(): Promise<string> {
    const settings = this.#settings ? `${this.#settings};\n` : '';
    if (this.#pipelined) return `${BEGIN}${settings}`;
    await this.#session.begin();
    if (settings) await this.#session.exec(settings);
    return '';
  }

  /**
   * Writes the history change, after checking the lock is still held: now, or (pipelined) returned
   * to travel, check first, in front of the next script or the COMMIT.
   */
  async #record(step: Step, executionTimeNs: bigint): Promise<string> {
    const change = this.#history.finished(step, executionTimeNs);
    const verifySql = this.#pipelined ? this.#lock.verifySql?.() : undefined;
    if (this.#pipelined && verifySql) return `${verifySql};\n${change.literal};\n`;
    await this.#verifyLock(step, false);
    if (this.#pipelined) return `${change.literal};\n`;
    await this.#session.query(change.sql, change.params).catch((error: unknown) => {
      throw historyUnusable(this.#history.displayName, error);
    });
    return '';
  }

  /** `step`: the one whose history write travels with the COMMIT. */
  async #commit(pending: string, step: Step | undefined): Promise<void> {
    try {
      if (pending) await this.#session.exec(`${pending}COMMIT`);
      else await this.#session.commit();
    } catch (error) {
      throw this.#bookkeepingFailure(error, step);
    }
  }

  /** A failure of what strata sent around the scripts (the lock's check, the history write of `step`). */
  #bookkeepingFailure(error: unknown, step: Step | undefined): unknown {
    if (step && isStrataError(error, 'LOCK_TIMEOUT')) return this.#heldOff(step, error, false, undefined);
    if (isStrataError(error)) return error;
    if (this.#lock.isLoss?.(error)) {
      const lost = lockLost('this session no longer holds it', error);
      return step ? this.#lockLostDuring(step, lost, false) : lost;
    }
    const database = this.#history.dialect.describeFailure(error);
    // A commit another connection held off (SQLite's busy timeout) is no fault of the history table.
    if (step && database.explanation) {
      return migrationFailed({
        step,
        cause: error,
        offset: undefined,
        database,
        leftDirty: false,
        historyTable: this.#history.displayName,
      });
    }
    return historyUnusable(this.#history.displayName, error);
  }

  async #verifyLock(step: Step, leftDirty: boolean): Promise<void> {
    try {
      await this.#lock.verify(this.#session);
    } catch (error) {
      if (!isStrataError(error, 'LOCK_LOST')) throw error;
      throw this.#lockLostDuring(step, error, leftDirty);
    }
  }

  /** LOCK_LOST naming the migration during which the lock went away, and what state it left. */
  #lockLostDuring(step: Step, error: StrataError, leftDirty: boolean): StrataError {
    const version = String(step.migration.version);
    const where = step.file ? `${version} (${step.file})` : version;
    return new StrataError(
      'LOCK_LOST',
      `${error.message}. It was lost while migration ${where} ran: a statement in it may have released it` +
        ' (DISCARD ALL, pg_advisory_unlock_all(), deleting the lock file)' +
        (leftDirty
          ? `; the migration's statements are committed and its row stays dirty in ${this.#history.displayName}: check the database, then \`strata resolve ${version} --applied\` or \`--rolled-back\``
          : '; its transaction was rolled back and nothing of it was recorded'),
      { version, file: step.file, dirty: leftDirty },
      { cause: error },
    );
  }

  /**
   * A transactional script must end inside the transaction strata opened: one that committed or
   * rolled back on its own (a COMMIT in a procedure it called, which the lexer cannot see) would
   * have its history row written outside any transaction, saying applied for work that may be
   * gone or half-kept. Nothing is recorded; what is still open is rolled back.
   */
  async #requireOpenTransaction(step: Step, ranBefore?: readonly Step[]): Promise<void> {
    const state = this.#session.transactionState();
    if (state === undefined || state === 'open') return;
    await this.#session.rollback().catch(() => {});
    const version = String(step.migration.version);
    const where = step.file ? `${version} (${step.file})` : version;
    const before = ranBefore?.length
      ? `; the single transaction of this run ended with it, so what the migrations before it did (${ranBefore.map((s) => s.migration.version).join(', ')}) may be committed too`
      : '';
    throw new StrataError(
      'TRANSACTION_ENDED_EARLY',
      `migration ${where} ended the transaction strata ran it in (the session is ${state} after its script): what it did up to that point may be committed, and nothing of it was recorded in ${this.#history.displayName}${before}. ` +
        'Check the database, then remove the transaction control (a COMMIT or ROLLBACK, perhaps inside a procedure it calls), or add `-- no-transaction` to manage transactions yourself',
      {
        version,
        file: step.file,
        state,
        ...(ranBefore?.length ? { ranBefore: ranBefore.map((s) => String(s.migration.version)) } : {}),
      },
    );
  }

  /** A `-- no-transaction` script left a transaction open: roll it back, name the statement that opened it, keep the row dirty. */
  async #leftOpen(step: Step, offset: number): Promise<StrataError> {
    await this.#session.rollback().catch(() => {});
    const version = String(step.migration.version);
    const { line, column } = positionAt(step.script, offset);
    const where = `${step.file ?? `migration ${version}`}:${line}:${column}`;
    return new StrataError(
      'TRANSACTION_LEFT_OPEN',
      `${where}: this statement opened a transaction the script never closed (a BEGIN without COMMIT?); strata rolled back what was still open. ` +
        `The statements before it are committed and migration ${version} stays dirty in ${this.#history.displayName}: fix the script, check the database, then \`strata resolve ${version} --applied\` or \`--rolled-back\``,
      { version, file: step.file, line, column, dirty: true },
    );
  }

  /** Another runner may have done this step between our plan and our turn at the write lock. */
  async #alreadyDone(step: Step): Promise<boolean> {
    const row = await this.#history.stepRow(this.#session, step.migration.version);
    if (row === 'dirty') {
      const version = String(step.migration.version);
      throw new StrataError(
        'MIGRATION_DIRTY',
        `migration ${version} is partially applied (another runner stopped part-way through it); fix the database by hand, then run \`strata resolve ${version} --applied\` or \`--rolled-back\``,
        { version, file: step.file },
      );
    }
    return step.direction === 'up' ? row !== undefined : row === undefined;
  }

  /** Where in `sent` the database located the error, as an offset past `prefixLength`; undefined when it did not. */
  #offsetIn(sent: string, error: unknown, prefixLength: number): number | undefined {
    const { position } = this.#history.dialect.describeFailure(error);
    return position === undefined ? undefined : offsetOfCodePoint(sent, position - 1) - prefixLength;
  }

  /** A step of a single-transaction run failed: the error for it, located, once the batch is rolled back. */
  async #batchFailure(
    step: Step,
    ranBefore: readonly Step[],
    error: unknown,
    sent: { prefix: string; body: string; bomLength: number },
    batchStarted: bigint,
  ): Promise<unknown> {
    const elapsedMs = Number(hrtime.bigint() - batchStarted) / 1e6;
    await this.#session.rollback().catch(() => {});
    const failure = this.#history.dialect.describeFailure(error);
    const offset = this.#offsetIn(sent.prefix + sent.body, error, sent.prefix.length);
    const { name } = this.#history;
    const inPrefix =
      offset !== undefined
        ? offset < 0
        : failure.table === name.table && (name.schema === undefined || failure.schema === name.schema);
    // The previous step's lock check or history write, which travelled in front of this script.
    if (this.#lock.isLoss?.(error) || (inPrefix && ranBefore.length > 0))
      return this.#bookkeepingFailure(error, ranBefore.at(-1));
    const located = offset ?? (await this.#locate(sent.body, error, elapsedMs, ranBefore));
    return this.#failure(step, error, located === undefined ? undefined : sent.bomLength + located, false, ranBefore);
  }

  /**
   * A database may give no position for a run-time error (a constraint, a division by zero) and a
   * whole script is one call. A script of one statement is located at once; otherwise, when the
   * failed attempt was quick, it is replayed statement by statement in a transaction that is
   * always rolled back, to name the statement that fails. Returns the offset in `body`, or
   * undefined when the replay does not reproduce the same error.
   */
  async #locate(
    body: string,
    original: unknown,
    elapsedMs: number,
    ranBefore: readonly Step[] = [],
  ): Promise<number | undefined> {
    const { dialect } = this.#history;
    const statements = splitStatements(body, dialect.lexer).filter((statement) => !statement.empty);
    if (statements.length === 1) return statements[0]!.tokenStart;
    if (statements.length === 0 || elapsedMs > LOCATE_REPLAY_LIMIT_MS || this.#session.broken) return undefined;
    const code = dialect.describeFailure(original).code;
    try {
      await this.#session.begin();
      const limit = dialect.replayLimitSql(Math.max(1_000, elapsedMs * 4));
      if (limit) await this.#session.exec(limit);
      // A step of a single-transaction run saw the earlier steps' work: replay that first.
      for (const step of ranBefore) {
        await this.#session.exec(withoutBom(step.script).body);
        const change = this.#history.finished(step, 0n);
        await this.#session.query(change.sql, change.params);
      }
      for (const statement of statements) {
        try {
          await this.#session.exec(statement.text);
        } catch (error) {
          if (dialect.describeFailure(error).code !== code) return undefined;
          const inStatement = this.#offsetIn(statement.text, error, 0);
          return inStatement === undefined ? statement.tokenStart : statement.start + inStatement;
        }
      }
      return undefined;
    } catch {
      return undefined;
    } finally {
      await this.#session.rollback().catch(() => {});
    }
  }

  #failure(step: Step, error: unknown, offset: number | undefined, leftDirty: boolean, batch?: readonly Step[]): StrataError {
    if (isStrataError(error, 'CONNECTION_FAILED')) return this.#lostDuring(step, error, leftDirty, batch);
    if (isStrataError(error, 'LOCK_TIMEOUT')) return this.#heldOff(step, error, leftDirty, batch);
    return migrationFailed({
      step,
      cause: error,
      offset,
      database: this.#history.dialect.describeFailure(error),
      leftDirty,
      historyTable: this.#history.displayName,
      ...(batch ? { batch: { ranBefore: batch } } : {}),
    });
  }

  /** Another connection held the database off mid-step: the message names the step and what state it left. */
  #heldOff(step: Step, error: StrataError, leftDirty: boolean, batch: readonly Step[] | undefined): StrataError {
    const version = String(step.migration.version);
    const file = step.file ? `migration ${version} (${step.file})` : `migration ${version}`;
    const state = leftDirty
      ? `${version} ran outside a transaction and stopped part-way, so it is marked dirty in ${this.#history.displayName}; check the database, then \`strata resolve ${version} --applied\` or \`--rolled-back\``
      : batch
        ? batchRolledBack(step, batch)
        : 'nothing from this migration was kept: its transaction was rolled back.';
    return new StrataError(
      'LOCK_TIMEOUT',
      `${file} could not finish: ${error.message}\n  ${state}`,
      {
        ...error.details,
        version,
        file: step.file,
        direction: step.direction,
        dirty: leftDirty,
        ...(batch ? batchDetails(step, batch) : {}),
      },
      { cause: error.cause ?? error },
    );
  }

  /** The connection died under a step: retryable, and the message says what state it left. */
  #lostDuring(step: Step, error: StrataError, leftDirty: boolean, batch: readonly Step[] | undefined): StrataError {
    const version = String(step.migration.version);
    const file = step.file ? `migration ${version} (${step.file})` : `migration ${version}`;
    const state = leftDirty
      ? `${version} ran outside a transaction and stopped part-way, so it is marked dirty in ${this.#history.displayName}; ` +
        `check the database, then run \`strata resolve ${version} --applied\` or \`--rolled-back\``
      : batch
        ? `the server rolled its transaction back: ${batchRolledBack(step, batch)}`
        : 'its transaction was rolled back by the server, so nothing from it was kept';
    return new StrataError(
      'CONNECTION_FAILED',
      `lost the connection to the database while applying ${file}: ${error.message}\n  ${state}`,
      {
        ...error.details,
        version,
        file: step.file,
        direction: step.direction,
        dirty: leftDirty,
        ...(batch ? batchDetails(step, batch) : {}),
      },
      { cause: error.cause ?? error },
    );
  }
}
