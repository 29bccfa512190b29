import type { LockWaitOptions, RunLock } from '../lock/run-lock.js';
import type { Connection, Session } from './connection.js';
import type { Dialect, HistoryTableName } from './dialect.js';

/**
 * The caller's handle (a pool, a client, a database file) adapted for the engine: where reads
 * outside a run go, how a run gets its own session, and which lock runs take.
 */
export interface Database {
  readonly dialect: Dialect;
  /** The caller's own handle: runs on it take turns inside the process. */
  readonly handle: object;
  /** The target for messages, with any password removed. */
  describe(): string;
  /** Reads outside a run (the fast path, status, probes): the pool itself, or the one handle. */
  readonly reader: Connection;
  /** A session for one run; its failures to connect are CONNECTION_FAILED. */
  openSession(wait?: LockWaitOptions): Promise<Session>;
  readonly runLock: RunLock;
  /**
   * Pins the history table for the run, on its session and by name: the configured schema, or the
   * one the table is found in now, never whatever a migration later sets as search_path.
   */
  pinHistoryTable(session: Session, configured: HistoryTableName): Promise<HistoryTableName>;
  /**
   * Session settings a run needs once the lock is held (a statement timeout): `perStep` re-applies
   * them before each step (a migration's RESET ALL must not undo them), `restore` undoes them
   * before the session is handed back.
   */
  configureSession(session: Session): Promise<SessionSettings>;
  /** Turns a failure to reach the database into CONNECTION_FAILED naming the target; anything else as it came. */
  connectionFailure(error: unknown): unknown;
  /**
   * A new, empty database of the same kind, reached with the caller's own driver (PostgreSQL: a
   * temporary database on the same server; SQLite: in memory), for a shadow to migrate and compare.
   */
  createScratch?(): Promise<ScratchDatabase>;
}

export interface ScratchDatabase {
  /** A handle of the same kind as the caller's (pool, client, better-sqlite3 Database). */
  handle: object;
  /** For messages: the database's name, or `:memory:`. */
  name: string;
  /** Closes the handle and removes the database; safe to call on every path. */
  drop(): Promise<void>;
}

export interface SessionSettings {
  perStep: string | undefined;
  restore: () => Promise<void>;
}
