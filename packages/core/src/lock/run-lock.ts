import type { Connection, Session } from '../dialects/connection.js';
import { StrataError } from '../errors.js';

/** Who holds the migration lock, as far as the database can tell. */
export interface LockHolder {
  pid?: number;
  applicationName?: string;
  /** The host the holder runs on, where the lock records it (SQLite's lock file). */
  hostname?: string;
  clientAddress?: string;
  since?: Date;
}

export interface LockWaitOptions {
  /** Give up after this many milliseconds with LOCK_TIMEOUT; undefined waits for as long as it takes. */
  timeoutMs?: number | undefined;
  /** Called while waiting (at once, then every few seconds), with the holder when the database can name it. */
  onWait?: ((waitedMs: number, holder: LockHolder | undefined) => void) | undefined;
  /**
   * Asked while waiting, on the waiting session (a pool of one connection must not deadlock against
   * itself): true means the lock is no longer needed (another runner applied everything meanwhile).
   */
  stopWaiting?: ((session: Session) => Promise<boolean>) | undefined;
}

/**
 * How runs exclude each other. The engine takes it once per run on the run's session and
 * releases it on every path; strategies: PostgreSQL's session advisory lock, SQLite's lock file.
 */
export interface RunLock {
  /**
   * True when every runner that writes the history takes this lock, so a step need not re-read its
   * own row under the write lock. False where a runner may not see the lock (an in-memory SQLite
   * database has no lock file).
   */
  readonly exclusive: boolean;
  /** Resolves with the milliseconds waited, or undefined when `stopWaiting` said the lock is not needed. */
  acquire(session: Session, options: LockWaitOptions): Promise<number | undefined>;
  /** Safe to call after errors and more than once. */
  release(session: Session): Promise<void>;
  /**
   * Throws LOCK_LOST when this run no longer holds the lock (a migration released it, or its file
   * was deleted). Called before each history write; a check that needs no database (the lock
   * file's identity) answers at once, throwing rather than rejecting.
   */
  verify(session: Session): void | Promise<void>;
  /**
   * The same check as one statement, to travel inside a pipelined script before the history write;
   * it fails with an error `isLoss` recognises. Undefined: `verify` is called instead.
   */
  verifySql?(): string | undefined;
  isLoss?(error: unknown): boolean;
  /**
   * Who holds the lock now, asked without taking it (through `reader`, outside any run): null when
   * it is free, a holder (possibly with nothing known about it) when it is held. Undefined: this
   * strategy cannot tell without waiting for it.
   */
  inspect?(reader: Connection): Promise<LockHolder | null>;
}

export function describeLockHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'another session (the database did not name it)';
  const name = holder.applicationName ? ` "${holder.applicationName}"` : '';
  const host = holder.hostname ? ` on ${holder.hostname}` : '';
  const from = holder.clientAddress ? ` from ${holder.clientAddress}` : '';
  const since = holder.since ? ` since ${holder.since.toISOString()}` : '';
  return `pid ${holder.pid ?? '?'}${name}${host}${from}${since}`;
}

/** The lock went away while the run held it: nothing more may be recorded under it. */
export function lockLost(what: string, cause?: unknown): StrataError {
  return new StrataError(
    'LOCK_LOST',
    `the migration lock is no longer held (${what}); another runner may have started. Nothing more is recorded by this run`,
    {},
    cause === undefined ? undefined : { cause },
  );
}
