import type { Session } from '../dialects/connection.js';
import type { Database } from '../dialects/database.js';
import type { HistorySummary } from '../history/history-entry.js';
import type { HistoryStore } from '../history/history-store.js';
import type { LockWaitOptions } from '../lock/run-lock.js';
import type { LockGuard } from './lock-guard.js';
import { StepRunner } from './step-runner.js';
import { takeTurn } from './turns.js';

/** What work under the lock is given: the run's session, the history pinned for the run, and the step runner. */
export interface LockedRun {
  session: Session;
  history: HistoryStore;
  steps: StepRunner;
  /** Milliseconds spent waiting for the lock. */
  waitedMs: number;
}

export interface LockRequest extends Omit<LockWaitOptions, 'stopWaiting'> {
  /** Asked while waiting, with the history summary read on the waiting session: true leaves without the lock. */
  stopWaitingWhen?: ((summary: HistorySummary | undefined) => boolean) | undefined;
}

/**
 * The one path under the run lock: open a session, take the lock, apply the session settings,
 * pin and ensure the history table, do the work, and then — whatever failed, wherever — roll back
 * what is open, release the lock, undo the settings and hand the session back (destroyed when a
 * migration ran on it or anything failed, so no session state reaches the application's pool).
 */
export class Executor {
  readonly #database: Database;
  readonly #history: HistoryStore;
  readonly #lockGuard: LockGuard | undefined;

  constructor(database: Database, history: HistoryStore, options: { lockGuard?: LockGuard | undefined } = {}) {
    this.#database = database;
    this.#history = history;
    this.#lockGuard = options.lockGuard;
  }

  /** Resolves undefined when `stopWaitingWhen` ended the wait: the lock was not needed. */
  async underLock<T>(request: LockRequest, work: (run: LockedRun) => Promise<T>): Promise<{ value: T } | undefined> {
    const { stopWaitingWhen, ...wait } = request;
    const endTurn = await takeTurn(this.#database.handle, wait.timeoutMs);
    try {
      return await this.#underLock(wait, stopWaitingWhen, work);
    } finally {
      endTurn();
    }
  }

  async #underLock<T>(
    wait: Omit<LockRequest, 'stopWaitingWhen'>,
    stopWaitingWhen: LockRequest['stopWaitingWhen'],
    work: (run: LockedRun) => Promise<T>,
  ): Promise<{ value: T } | undefined> {
    const session = await this.#database.openSession(wait);
    const lock = this.#database.runLock;
    let locked = false;
    let dirty = false;
    let restore: (() => Promise<void>) | undefined;
    try {
      const waitedMs = await lock.acquire(session, {
        ...wait,
        ...(stopWaitingWhen ? { stopWaiting: async (on) => stopWaitingWhen(await this.#history.summary(on)) } : {}),
      });
      if (waitedMs === undefined) return undefined;
      locked = true;
      const settings = await this.#database.configureSession(session);
      restore = settings.restore;
      const history = this.#history.pinned(await this.#database.pinHistoryTable(session, this.#history.name));
      await history.ensure(session);
      const steps = new StepRunner(session, history, { lock, settings: settings.perStep, lockGuard: this.#lockGuard });
      try {
        return { value: await work({ session, history, steps, waitedMs }) };
      } finally {
        // A migration ran on the session: its session settings must not outlive the run.
        dirty ||= steps.used;
      }
    } catch (error) {
      dirty = true;
      throw error;
    } finally {
      await session.rollback().catch(() => {});
      if (locked) await lock.release(session).catch(() => {});
      await restore?.().catch(() => {});
      await session.close(dirty);
    }
  }
}
