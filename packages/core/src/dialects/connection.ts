/** Where a session stands, as the database reports it after each round trip. */
export type TransactionState = 'idle' | 'open' | 'failed';

/**
 * The small surface the engine needs from one database session. Each dialect adapts its
 * driver's handle to it; the engine's protocol (executor, history store, step runner) is
 * written once against it.
 */
export interface Connection {
  /** One statement, with parameters; rows as objects keyed by column. */
  query(sql: string, params?: readonly unknown[]): Promise<QueryResult>;
  /** One statement, with parameters; rows as arrays of values (cheaper for long reads). */
  values(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /** A script of one or more statements, without parameters. */
  exec(script: string): Promise<void>;
  /**
   * One statement exactly as the lexer split it from a script, sent as it is. Where `exec` splits
   * its script again (MySQL), a statement from a `DELIMITER` block must not be split on its `;`s.
   * Undefined: `exec` sends one statement as it is.
   */
  execStatement?(statement: string): Promise<void>;
  /** Opens a transaction that takes the database's write lock where it has one. */
  begin(): Promise<void>;
  commit(): Promise<void>;
  /** Rolls back whatever is open; a no-op when nothing is. */
  rollback(): Promise<void>;
  /** undefined when the driver cannot tell. */
  transactionState(): TransactionState | undefined;
  /**
   * The same session answering synchronously, where the database runs in-process (SQLite): a
   * step's dozen operations then cost no promise each (measurable over hundreds of migrations).
   */
  readonly sync?: SyncConnection | undefined;
}

/** A connection's operations answered at once; `tryBegin` never waits for another writer. */
export interface SyncConnection {
  query(sql: string, params?: readonly unknown[]): QueryResult;
  values(sql: string, params?: readonly unknown[]): unknown[][];
  exec(script: string): void;
  /** One attempt at the write transaction: false when another connection holds the write lock. */
  tryBegin(): boolean;
  commit(): void;
  rollback(): void;
}

export interface QueryResult {
  rows: Record<string, unknown>[];
  /** Rows an INSERT, UPDATE or DELETE changed. */
  rowCount: number;
}

/** A connection held for one run: the lock is taken and released on it. */
export interface Session extends Connection {
  /** The connection broke under us (the server went away); its session lock went with it. */
  readonly broken: boolean;
  /**
   * Hands the connection back. `dirty`: a migration ran on it and may have changed session
   * settings, so a pooled connection is destroyed rather than reused.
   */
  close(dirty: boolean): Promise<void>;
}
