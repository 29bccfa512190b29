import type { ReadSchemaOptions } from '../schema/read-options.js';
import type { SchemaModel } from '../schema/schema-model.js';
import type { LexerOptions } from '../sql/split-statements.js';
import type { StatementReader } from '../sql/statement-reader.js';
import type { Connection, Session } from './connection.js';

/**
 * Every database strata knows. A new one is a folder under dialects/ plus one entry in
 * registry.ts; the `Record<DialectName, …>` there makes the compiler name every place that must
 * answer for it.
 */
export type DialectName = 'postgres' | 'sqlite' | 'mysql';

/** What a database can do, for the engine to choose a path without knowing the database by name. */
export interface DialectCapabilities {
  /** CREATE / ALTER / DROP roll back with the transaction. */
  transactionalDdl: boolean;
  /**
   * One `exec` round trip can carry several statements, so bookkeeping (BEGIN, the history write,
   * COMMIT) travels with the migration's script instead of costing round trips of its own.
   */
  pipelinesScripts: boolean;
  /** A session-level lock that excludes other runners for the whole run. */
  advisoryLocks: boolean;
}

/** How the engine reads a database error: as data, whichever driver raised it. */
export interface DatabaseFailure {
  /** The database's own code (SQLSTATE, SQLITE_*), when it gave one. */
  code: string | undefined;
  /** 1-based position in code points of the sent text where the database located the error. */
  position: number | undefined;
  detail: string | undefined;
  hint: string | undefined;
  /** The table (and schema) an integrity error is about. */
  table: string | undefined;
  schema: string | undefined;
  /** A line the message adds for this code, telling what it means in a migration. */
  explanation: string | undefined;
  /** The same, for a failure inside a single-transaction run. */
  batchExplanation: string | undefined;
}

/** Where the history table lives, resolved once per run. */
export interface HistoryTableName {
  /** undefined: unqualified (SQLite's `main`). */
  schema: string | undefined;
  table: string;
}

/**
 * Everything the engine must know about one kind of database that is not a connection:
 * quoting, the history table's DDL, the lexer, transaction restrictions, error classification.
 */
export interface Dialect {
  readonly name: DialectName;
  /** For messages: "PostgreSQL", "SQLite". */
  readonly label: string;
  readonly capabilities: DialectCapabilities;
  /**
   * Where the history table lives unless the `schema` option says otherwise. PostgreSQL: `public`,
   * by name, so a migration that changes the database's search_path cannot make the next release
   * look elsewhere, find no history and apply everything again.
   */
  readonly defaultSchema: string | undefined;
  readonly lexer: LexerOptions;
  quoteIdentifier(name: string): string;
  /**
   * One query folding the whole history into count, clean and digest (see HistorySummary), where
   * the database can hash; undefined: the engine folds the rows itself.
   */
  summarySql?(qualifiedTable: string): string;
  /** The n-th (1-based) parameter placeholder. */
  placeholder(n: number): string;
  /** Column types of the history table (SQLx's): the timestamp with its default, and the bytes type. */
  readonly types: { timestamp: string; timestampDefault: string; bytes: string };
  /** A bytes literal, for bookkeeping sent as text in a pipelined script. */
  bytesLiteral(bytes: Uint8Array): string;
  /** A text literal that no character of `text` can end early. */
  textLiteral(text: string): string;
  /** An SQL expression for who resolved a dirty row, when the database knows its user; else the OS user is sent. */
  readonly currentUserSql: string | undefined;
  /** Creates the history table (and its schema) if missing, on a connection holding the run lock. */
  ensureHistoryTable(connection: Connection, name: HistoryTableName, ddl: string): Promise<void>;
  /** The name of a statement this database refuses inside a transaction, or undefined. */
  restrictionInTransaction(statement: StatementReader): string | undefined;
  /**
   * The name of a statement this database commits implicitly (MySQL's DDL: it commits the open
   * transaction and cannot itself be rolled back), or undefined. A script holding one cannot be
   * atomic: its step writes the history row dirty first and runs statement by statement, as a
   * `-- no-transaction` step does, and its messages say what was committed. Undefined where DDL
   * is transactional.
   */
  implicitCommit?(statement: StatementReader): string | undefined;
  /** Reads a driver error; never throws. */
  describeFailure(error: unknown): DatabaseFailure;
  /** True for errors that waiting can heal: the server is starting, full or went away. */
  isTransient(error: unknown): boolean;
  /** True when the server answered and refused us (a wrong password, no such database). */
  isRefused(error: unknown): boolean;
  /** The error means the history table (or its schema) does not exist yet. */
  isMissingTable(error: unknown): boolean;
  /** The error means the history table lacks a column strata reads. */
  isMissingColumn(error: unknown): boolean;
  /** The error means a migration created an object that already exists (a schema built before strata). */
  isAlreadyExists(error: unknown): boolean;
  /**
   * A setting a transactional script changes that only takes effect outside a transaction
   * (SQLite's `PRAGMA foreign_keys`): the step applies it before BEGIN, runs `check` before
   * COMMIT, and restores the previous value after. Undefined: the script needs nothing of the kind.
   */
  settingOutsideTransaction?(script: string): SettingOutsideTransaction | undefined;
  /**
   * A statement run before a locating replay, bounding how long it may take (PostgreSQL's
   * `SET LOCAL statement_timeout`); undefined where the database has no such limit.
   */
  replayLimitSql(ms: number): string | undefined;
  /**
   * The schema the database holds (what `strata schema dump` prints), read on a session of its
   * own so a reader can pin settings or a snapshot; undefined where strata cannot read one.
   */
  readSchema?(session: Session, options: ReadSchemaOptions): Promise<SchemaModel>;
  /**
   * The lock guard: a statement bounding how long the step's transaction waits for any table
   * lock (PostgreSQL's `SET LOCAL lock_timeout`), and the code of the error past it. Undefined
   * where waiting for a lock never queues other sessions behind the waiter (SQLite).
   */
  readonly lockTimeout?: { sql(ms: number): string; code: string };
}

/** See Dialect.settingOutsideTransaction. */
export interface SettingOutsideTransaction {
  /** What the setting is, for messages: `PRAGMA foreign_keys`. */
  name: string;
  /** Reads the current value (one row, one column). */
  read: string;
  /** The statement the script asks for, run before BEGIN. */
  apply: string;
  /** Run before COMMIT: any row it returns fails the step (a foreign key the migration broke). */
  check: string;
  /** The statement that puts the value read back. */
  restore(previous: unknown): string;
}
