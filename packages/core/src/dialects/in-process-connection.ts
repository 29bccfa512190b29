import { StrataError } from '../errors.js';
import type { LockWaitOptions } from '../lock/run-lock.js';
import { every, pollWithBackoff } from '../poll-with-backoff.js';
import type { QueryResult, Session, SyncConnection, TransactionState } from './connection.js';

const FIRST_POLL_MS = 5;
const MAX_POLL_MS = 250;
const WAIT_REPORT_EVERY_MS = 5_000;

/**
 * A database that runs in the process (SQLite) answers synchronously: its work is done by `sync`,
 * which the step runner calls directly, and this async surface only wraps it for everything else.
 * The handle is the caller's and one session: nothing is opened, and closing hands nothing back.
 */
export abstract class InProcessConnection implements Session {
  readonly broken = false;
  abstract readonly sync: SyncConnection;
  readonly #wait: LockWaitOptions;
  /** For a LOCK_TIMEOUT message: the database kind (`SQLite`) and the file. */
  readonly #names: { label: string; database: string };

  constructor(wait: LockWaitOptions, names: { label: string; database: string }) {
    this.#wait = wait;
    this.#names = names;
  }

  abstract transactionState(): TransactionState;

  async query(sql: string, params?: readonly unknown[]): Promise<QueryResult> {
    return this.sync.query(sql, params);
  }

  async values(sql: string, params?: readonly unknown[]): Promise<unknown[][]> {
    return this.sync.values(sql, params);
  }

  async exec(script: string): Promise<void> {
    this.sync.exec(script);
  }

  /**
   * Takes the write lock by polling `tryBegin` with an async pause, so a busy database never
   * blocks the event loop (probes keep answering while another process migrates).
   */
  async begin(): Promise<void> {
    // The common case, a free write lock, costs one attempt and no waiting machinery.
    if (this.sync.tryBegin()) return;
    await pollWithBackoff((): true | undefined => (this.sync.tryBegin() ? true : undefined), {
      firstMs: FIRST_POLL_MS,
      maxMs: MAX_POLL_MS,
      timeoutMs: this.#wait.timeoutMs,
      timedOut: (waited) =>
        new StrataError(
          'LOCK_TIMEOUT',
          `gave up waiting for the ${this.#names.label} write lock after ${Math.round(waited)} ms: another connection holds a write transaction on ${this.#names.database}`,
        ),
      onWait: every(WAIT_REPORT_EVERY_MS, (waited) => this.#wait.onWait?.(waited, undefined), WAIT_REPORT_EVERY_MS),
    });
  }

  async commit(): Promise<void> {
    this.sync.commit();
  }

  async rollback(): Promise<void> {
    this.sync.rollback();
  }

  async close(): Promise<void> {
    // The handle is the caller's: strata never closes it.
  }
}
