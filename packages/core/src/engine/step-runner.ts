import { hrtime } from 'node:process';
import type { Session } from '../dialects/connection.js';
import { isStrataError, StrataError } from '../errors.js';
import { historyUnusable } from '../history/history-rows.js';
import type { HistoryStore } from '../history/history-store.js';
import { splitStatements } from '../sql/split-statements.js';
import { offsetOfCodePoint, withoutBom } from '../sql/text-position.js';
import type { Step, StepOutcome } from './step.js';
import { batchDetails, batchRolledBack, migrationFailed } from './step-failure.js';

/** A failed script is replayed to locate its failing statement only when that is cheap. */
const LOCATE_REPLAY_LIMIT_MS = 5_000;
const BEGIN = 'BEGIN;\n';

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
  #used = false;

  constructor(session: Session, history: HistoryStore, options: { recheck: boolean }) {
    this.#session = session;
    this.#history = history;
    this.#recheck = options.recheck;
    this.#pipelined = history.dialect.capabilities.pipelinesScripts && !options.recheck;
  }

  /** A step ran (or was replayed) on the session: settings a migration changed may linger on it. */
  get used(): boolean {
    return this.#used;
  }

  apply(step: Step): Promise<StepOutcome> {
    this.#used = true;
    return step.transactional ? this.#applyInTransaction(step) : this.#applyOutsideTransaction(step);
  }

  async #applyInTransaction(step: Step): Promise<StepOutcome> {
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
      const executionTimeNs = hrtime.bigint() - started;
      await this.#commitWith(step, executionTimeNs, '');
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
        const executionTimeNs = hrtime.bigint() - started;
        prefix = await this.#record(step, executionTimeNs);
        ran.push(step);
        const outcome: StepOutcome = { status: 'done', executionTimeNs };
        outcomes.push(outcome);
        progress.finished(step, outcome);
      }
      await this.#commit(prefix);
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
    const { body, bomLength } = withoutBom(step.script);
    const started = hrtime.bigint();
    for (const statement of splitStatements(body, this.#history.dialect.lexer)) {
      if (statement.empty) continue;
      try {
        await this.#session.exec(statement.text);
      } catch (error) {
        const inStatement = this.#offsetIn(statement.text, error, 0);
        const offset = inStatement === undefined ? statement.tokenStart : statement.start + inStatement;
        throw this.#failure(step, error, bomLength + offset, true);
      }
    }
    const executionTimeNs = hrtime.bigint() - started;
    await this.#history.markFinished(this.#session, step, executionTimeNs);
    return { status: 'done', executionTimeNs };
  }

  /** Opens the step's transaction; returns what must travel in front of the script (pipelined `BEGIN`). */
  async #begin(): Promise<string> {
    if (this.#pipelined) return BEGIN;
    await this.#session.begin();
    return '';
  }

  /** Writes the history change: now, or (pipelined) returned to travel in front of the next script. */
  async #record(step: Step, executionTimeNs: bigint): Promise<string> {
    const change = this.#history.finished(step, executionTimeNs);
    if (this.#pipelined) return `${change.literal};\n`;
    await this.#session.query(change.sql, change.params).catch((error: unknown) => {
      throw historyUnusable(this.#history.displayName, error);
    });
    return '';
  }

  async #commitWith(step: Step, executionTimeNs: bigint, prefix: string): Promise<void> {
    await this.#commit(prefix + (await this.#record(step, executionTimeNs)));
  }

  async #commit(pending: string): Promise<void> {
    try {
      if (pending) await this.#session.exec(`${pending}COMMIT`);
      else await this.#session.commit();
    } catch (error) {
      throw isStrataError(error) ? error : historyUnusable(this.#history.displayName, error);
    }
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
    // The previous step's history write, which travelled in front of this script.
    if (inPrefix && ranBefore.length > 0) return historyUnusable(this.#history.displayName, error);
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
