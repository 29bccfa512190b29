import { hrtime } from 'node:process';
import type { QueryResult, Session } from '../dialects/connection.js';
import type { SettingOutsideTransaction } from '../dialects/dialect.js';
import { isStrataError, StrataError } from '../errors.js';
import { historyUnusable } from '../history/history-rows.js';
import type { HistoryStore } from '../history/history-store.js';
import { lockLost, type RunLock } from '../lock/run-lock.js';
import { splitStatements } from '../sql/split-statements.js';
import { offsetOfCodePoint, withoutBom } from '../sql/text-position.js';
import { locateFailure } from './locate-failure.js';
import { type LockGuard, retryDelayMs } from './lock-guard.js';
import { drive, type Protocol, quietly, settle } from './protocol.js';
import type { Step, StepOutcome } from './step.js';
import {
  dirtyElsewhere,
  interrupted,
  lockLostDuring,
  migrationFailed,
  settingCheckFailed,
  transactionEndedEarly,
  transactionLeftOpen,
} from './step-failure.js';

const BEGIN = 'BEGIN;\n';

export interface StepRunnerOptions {
  /** The run's lock: verified before each history write; not exclusive means each step re-reads its own row. */
  lock: RunLock;
  /** SQL re-applying the run's session settings (a statement timeout), sent before each step; undefined: none. */
  settings: string | undefined;
  /** Bounds every transactional step's wait for table locks, and retries a step that hit the bound. */
  lockGuard?: LockGuard | undefined;
}

/** The session's operations as the protocol calls them: answered at once where the connection can (SQLite). */
interface Operations {
  query(sql: string, params?: readonly unknown[]): QueryResult | Promise<QueryResult>;
  values(sql: string, params?: readonly unknown[]): unknown[][] | Promise<unknown[][]>;
  exec(script: string): void | Promise<void>;
  commit(): void | Promise<void>;
  rollback(): void | Promise<void>;
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
  readonly #io: Operations;
  readonly #history: HistoryStore;
  /** The run lock does not exclude every writer: each step re-reads its own row under the write lock. */
  readonly #recheck: boolean;
  readonly #pipelined: boolean;
  readonly #lock: RunLock;
  /** Re-applies the session settings a run needs before each step: a migration's RESET ALL must not undo them. */
  readonly #settings: string | undefined;
  /** The guard, where the database has a lock timeout to set (PostgreSQL). */
  readonly #guard: (LockGuard & { sql: string; code: string }) | undefined;
  #used = false;

  constructor(session: Session, history: HistoryStore, options: StepRunnerOptions) {
    this.#session = session;
    this.#io = session.sync ?? session;
    this.#history = history;
    this.#lock = options.lock;
    this.#settings = options.settings;
    this.#recheck = !options.lock.exclusive;
    this.#pipelined = history.dialect.capabilities.pipelinesScripts && !this.#recheck;
    const bound = history.dialect.lockTimeout;
    this.#guard =
      options.lockGuard && bound
        ? { ...options.lockGuard, sql: bound.sql(options.lockGuard.lockTimeoutMs), code: bound.code }
        : undefined;
  }

  /** A step ran (or was replayed) on the session: settings a migration changed may linger on it. */
  get used(): boolean {
    return this.#used;
  }

  apply(step: Step): Promise<StepOutcome> {
    this.#used = true;
    const once = () => drive(this.#apply(step));
    return this.#guard && step.transactional ? this.#retryingLockTimeouts(step, this.#guard, once) : once();
  }

  /**
   * Under the lock guard a step that waited `lock_timeout` for a table lock was rolled back (so
   * nothing queued behind it any longer): pause, then try again, up to the guard's limit.
   */
  async #retryingLockTimeouts(step: Step, guard: LockGuard & { code: string }, once: () => Promise<StepOutcome>) {
    for (let retry = 0; ; retry++) {
      try {
        const outcome = await once();
        return outcome.status === 'done' && retry > 0 ? { ...outcome, lockRetries: retry } : outcome;
      } catch (error) {
        if (retry >= guard.retries || !isStrataError(error, 'MIGRATION_FAILED') || error.details.databaseCode !== guard.code) {
          if (retry > 0 && isStrataError(error)) error.details.lockRetries = retry;
          throw error;
        }
        const delayMs = retryDelayMs(retry + 1);
        guard.onRetry?.({ step, retry: retry + 1, retries: guard.retries, delayMs, lockTimeoutMs: guard.lockTimeoutMs });
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  *#apply(step: Step): Protocol<StepOutcome> {
    if (!step.transactional) return yield* this.#applyOutsideTransaction(step);
    const setting = this.#history.dialect.settingOutsideTransaction?.(step.script);
    return setting
      ? yield* this.#withSetting(setting, this.#applyInTransaction(step, setting))
      : yield* this.#applyInTransaction(step);
  }

  /** Applies a setting the script asks for before the step's transaction, and restores the caller's value after. */
  *#withSetting<T>(setting: SettingOutsideTransaction, run: Protocol<T>): Protocol<T> {
    const [row] = yield* settle(this.#io.values(setting.read));
    yield* settle(this.#io.exec(setting.apply));
    try {
      return yield* run;
    } finally {
      yield* quietly(() => this.#io.exec(setting.restore(row?.[0])));
    }
  }

  /** Before COMMIT: the check the setting calls for (PRAGMA foreign_key_check) must find nothing. */
  *#check(step: Step, setting: SettingOutsideTransaction): Protocol<void> {
    const rows = yield* settle(this.#io.values(setting.check));
    if (rows.length === 0) return;
    yield* quietly(() => this.#io.rollback());
    throw settingCheckFailed(step, setting, rows);
  }

  *#applyInTransaction(step: Step, setting?: SettingOutsideTransaction): Protocol<StepOutcome> {
    const { body, bomLength } = withoutBom(step.script);
    try {
      const prefix = yield* this.#begin();
      if (this.#recheck && (yield* this.#alreadyDone(step))) {
        yield* settle(this.#io.rollback());
        return { status: 'already-done' };
      }
      const started = hrtime.bigint();
      try {
        yield* settle(this.#io.exec(prefix + body));
      } catch (error) {
        const elapsedMs = Number(hrtime.bigint() - started) / 1e6;
        yield* quietly(() => this.#io.rollback());
        const guarded = this.#isGuardedLockTimeout(this.#history.dialect.describeFailure(error).code);
        const offset =
          this.#offsetIn(prefix + body, error, prefix.length) ??
          (guarded
            ? undefined
            : yield* settle(locateFailure(this.#session, this.#history, { body, original: error, elapsedMs })));
        throw this.#failure(step, error, offset === undefined ? undefined : bomLength + offset, false);
      }
      yield* this.#requireOpenTransaction(step);
      if (setting) yield* this.#check(step, setting);
      const executionTimeNs = hrtime.bigint() - started;
      yield* this.#commit(yield* this.#record(step, executionTimeNs), step);
      return { status: 'done', executionTimeNs };
    } catch (error) {
      yield* quietly(() => this.#io.rollback());
      throw error;
    }
  }

  /**
   * Every step (all transactional) and its history change in ONE transaction, committed once after
   * the last: all or nothing. Pipelined, each history write travels with the next script.
   */
  applyAll(steps: readonly Step[], progress: BatchProgress): Promise<StepOutcome[]> {
    this.#used = true;
    return drive(this.#applyAll(steps, progress));
  }

  *#applyAll(steps: readonly Step[], progress: BatchProgress): Protocol<StepOutcome[]> {
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
      let prefix = yield* this.#begin();
      for (const step of steps) {
        progress.started(step);
        if (this.#recheck && (yield* this.#alreadyDone(step))) {
          outcomes.push({ status: 'already-done' });
          progress.finished(step, { status: 'already-done' });
          continue;
        }
        const { body, bomLength } = withoutBom(step.script);
        const started = hrtime.bigint();
        try {
          yield* settle(this.#io.exec(prefix + body));
        } catch (error) {
          throw yield* this.#batchFailure(step, ran, error, { prefix, body, bomLength }, batchStarted);
        }
        yield* this.#requireOpenTransaction(step, ran);
        const executionTimeNs = hrtime.bigint() - started;
        // One transaction: the lock is checked once, before the COMMIT, not with every step (a
        // check per step would scan a lock table that grows with every table the batch creates).
        prefix = yield* this.#write(step, executionTimeNs);
        ran.push(step);
        const outcome: StepOutcome = { status: 'done', executionTimeNs };
        outcomes.push(outcome);
        progress.finished(step, outcome);
      }
      // undefined: the check names the whole batch rather than its last step.
      yield* this.#commit(ran.length > 0 ? `${prefix}${yield* this.#lockCheck(undefined)}` : prefix, undefined);
    } catch (error) {
      yield* quietly(() => this.#io.rollback());
      throw error;
    }
    return outcomes;
  }

  /**
   * Outside a transaction each statement commits on its own, so the row is written dirty first (a
   * crash part-way leaves a record the next run refuses to pass) and the script runs statement by
   * statement, so a failure names its statement and nothing is ever run twice.
   */
  *#applyOutsideTransaction(step: Step): Protocol<StepOutcome> {
    if (this.#recheck) {
      yield* this.#beginTransaction();
      try {
        if (yield* this.#alreadyDone(step)) {
          yield* settle(this.#io.rollback());
          return { status: 'already-done' };
        }
        yield* settle(this.#history.markStarted(this.#session, step));
        yield* settle(this.#io.commit());
      } catch (error) {
        yield* quietly(() => this.#io.rollback());
        throw error;
      }
    } else {
      yield* settle(this.#history.markStarted(this.#session, step));
    }
    if (this.#settings) yield* settle(this.#io.exec(this.#settings));
    const { body, bomLength } = withoutBom(step.script);
    const started = hrtime.bigint();
    /** Where the statement starts after which a transaction the script opened is still open. */
    let openedBy: number | undefined;
    /** Where each statement that ran (and so is committed) starts, for the message of a failure after them. */
    const ran: number[] = [];
    for (const statement of splitStatements(body, this.#history.dialect.lexer)) {
      if (statement.empty) continue;
      try {
        // A statement of a DELIMITER block holds `;`s of its own: sent as it is, never split again.
        yield* settle(this.#session.execStatement ? this.#session.execStatement(statement.text) : this.#io.exec(statement.text));
      } catch (error) {
        const inStatement = this.#offsetIn(statement.text, error, 0);
        const offset = inStatement === undefined ? statement.tokenStart : statement.start + inStatement;
        throw this.#failure(step, error, bomLength + offset, true, undefined, ran);
      }
      ran.push(bomLength + statement.tokenStart);
      const state = this.#session.transactionState();
      if (state === 'idle') openedBy = undefined;
      else if (openedBy === undefined && state !== undefined) openedBy = bomLength + statement.tokenStart;
    }
    if (openedBy !== undefined) throw yield* this.#leftOpen(step, openedBy);
    yield* this.#verifyLock(step, true);
    const executionTimeNs = hrtime.bigint() - started;
    yield* settle(this.#history.markFinished(this.#session, step, executionTimeNs));
    return { status: 'done', executionTimeNs };
  }

  /** The lock guard's timeout: a replay to locate it would queue behind the same lock, unguarded. */
  #isGuardedLockTimeout(code: string | undefined): boolean {
    return this.#guard !== undefined && code === this.#guard.code;
  }

  /** Opens the step's transaction; returns what must travel in front of the script (pipelined `BEGIN`). */
  *#begin(): Protocol<string> {
    const settings = [this.#settings, this.#guard?.sql]
      .filter((sql) => sql !== undefined)
      .map((sql) => `${sql};\n`)
      .join('');
    if (this.#pipelined) return `${BEGIN}${settings}`;
    yield* this.#beginTransaction();
    if (settings) yield* settle(this.#io.exec(settings));
    return '';
  }

  /** The write transaction: one attempt at once where the connection can, else (or when busy) the waiting path. */
  *#beginTransaction(): Protocol<void> {
    if (this.#session.sync?.tryBegin()) return;
    yield* settle(this.#session.begin());
  }

  /**
   * Writes the history change, after checking the lock is still held: now, or (pipelined) returned
   * to travel, check first, in front of the next script or the COMMIT.
   */
  *#record(step: Step, executionTimeNs: bigint): Protocol<string> {
    return `${yield* this.#lockCheck(step)}${yield* this.#write(step, executionTimeNs)}`;
  }

  /** The history change of a finished step: written now, or (pipelined) returned to travel with what comes next. */
  *#write(step: Step, executionTimeNs: bigint): Protocol<string> {
    if (this.#pipelined) return `${this.#history.finishedLiteral(step, executionTimeNs)};\n`;
    const change = this.#history.finished(step, executionTimeNs);
    try {
      yield* settle(this.#io.query(change.sql, change.params));
    } catch (error) {
      throw historyUnusable(this.#history.displayName, error);
    }
    return '';
  }

  /** Checks the lock is still held: now, or (pipelined) as a statement returned to travel in front of the history write. */
  *#lockCheck(step: Step | undefined): Protocol<string> {
    const verifySql = this.#pipelined ? this.#lock.verifySql?.() : undefined;
    if (verifySql) return `${verifySql};\n`;
    yield* this.#verifyLock(step, false);
    return '';
  }

  /** `step`: the one whose history write travels with the COMMIT. */
  *#commit(pending: string, step: Step | undefined): Protocol<void> {
    try {
      if (pending) yield* settle(this.#io.exec(`${pending}COMMIT`));
      else yield* settle(this.#io.commit());
    } catch (error) {
      throw this.#bookkeepingFailure(error, step);
    }
  }

  /** A failure of what strata sent around the scripts (the lock's check, the history write of `step`). */
  #bookkeepingFailure(error: unknown, step: Step | undefined): unknown {
    if (step && isStrataError(error, 'LOCK_TIMEOUT')) {
      return interrupted(step, error, { leftDirty: false, batch: undefined, history: this.#history });
    }
    if (isStrataError(error)) return error;
    if (this.#lock.isLoss?.(error)) {
      const lost = lockLost('this session no longer holds it', error);
      return step ? lockLostDuring(step, lost, false, this.#history) : lostDuringBatch(lost);
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
        history: this.#history,
      });
    }
    return historyUnusable(this.#history.displayName, error);
  }

  /** `step` undefined: the check closes a single-transaction batch. */
  *#verifyLock(step: Step | undefined, leftDirty: boolean): Protocol<void> {
    try {
      yield* settle(this.#lock.verify(this.#session));
    } catch (error) {
      if (!isStrataError(error, 'LOCK_LOST')) throw error;
      throw step ? lockLostDuring(step, error, leftDirty, this.#history) : lostDuringBatch(error);
    }
  }

  /**
   * A transactional script must end inside the transaction strata opened: one that committed or
   * rolled back on its own (a COMMIT in a procedure it called, which the lexer cannot see) would
   * have its history row written outside any transaction, saying applied for work that may be
   * gone or half-kept. Nothing is recorded; what is still open is rolled back.
   */
  *#requireOpenTransaction(step: Step, ranBefore?: readonly Step[]): Protocol<void> {
    const state = this.#session.transactionState();
    if (state === undefined || state === 'open') return;
    yield* quietly(() => this.#io.rollback());
    throw transactionEndedEarly(step, state, ranBefore ?? [], this.#history.displayName);
  }

  /** A `-- no-transaction` script left a transaction open: roll it back, name the statement that opened it, keep the row dirty. */
  *#leftOpen(step: Step, offset: number): Protocol<StrataError> {
    yield* quietly(() => this.#io.rollback());
    return transactionLeftOpen(step, offset, this.#history);
  }

  /** Another runner may have done this step between our plan and our turn at the write lock. */
  *#alreadyDone(step: Step): Protocol<boolean> {
    const { sql, params } = this.#history.stepRow(step.migration);
    const row = this.#history.stepRowState(yield* settle(this.#io.values(sql, params)));
    if (row === 'dirty') throw dirtyElsewhere(step);
    return step.direction === 'up' ? row !== undefined : row === undefined;
  }

  /** Where in `sent` the database located the error, as an offset past `prefixLength`; undefined when it did not. */
  #offsetIn(sent: string, error: unknown, prefixLength: number): number | undefined {
    const { position } = this.#history.dialect.describeFailure(error);
    return position === undefined ? undefined : offsetOfCodePoint(sent, position - 1) - prefixLength;
  }

  /** A step of a single-transaction run failed: the error for it, located, once the batch is rolled back. */
  *#batchFailure(
    step: Step,
    ranBefore: readonly Step[],
    error: unknown,
    sent: { prefix: string; body: string; bomLength: number },
    batchStarted: bigint,
  ): Protocol<unknown> {
    const elapsedMs = Number(hrtime.bigint() - batchStarted) / 1e6;
    yield* quietly(() => this.#io.rollback());
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
    const guarded = this.#isGuardedLockTimeout(failure.code);
    const located =
      offset ??
      (guarded
        ? undefined
        : yield* settle(locateFailure(this.#session, this.#history, { body: sent.body, original: error, elapsedMs, ranBefore })));
    return this.#failure(step, error, located === undefined ? undefined : sent.bomLength + located, false, ranBefore);
  }

  #failure(
    step: Step,
    error: unknown,
    offset: number | undefined,
    leftDirty: boolean,
    batch?: readonly Step[],
    ran?: readonly number[],
  ): StrataError {
    if (isStrataError(error, 'CONNECTION_FAILED') || isStrataError(error, 'LOCK_TIMEOUT')) {
      return interrupted(step, error, { leftDirty, batch, history: this.#history });
    }
    return migrationFailed({
      step,
      cause: error,
      offset,
      database: this.#history.dialect.describeFailure(error),
      leftDirty,
      history: this.#history,
      ...(batch ? { batch: { ranBefore: batch } } : {}),
      ...(ran ? { ran } : {}),
      label: this.#history.dialect.label,
    });
  }
}

/** The lock went away during a single-transaction run: the batch is rolled back as a whole. */
function lostDuringBatch(error: StrataError): StrataError {
  return new StrataError(
    'LOCK_LOST',
    `${error.message}. It was released during this single-transaction run (a statement such as DISCARD ALL or pg_advisory_unlock_all(), or the lock file deleted): the whole run was rolled back and nothing of it was recorded`,
    { singleTransaction: true },
    { cause: error },
  );
}
