import type { Connection } from '../dialects/connection.js';
import type { Dialect, HistoryTableName } from '../dialects/dialect.js';
import type { Step } from '../engine/step.js';
import type { Migration } from '../migration.js';
import type { HistoryEntry, HistoryRow, HistorySummary } from './history-entry.js';
import type { Resolution } from './resolutions.js';

/** A bookkeeping statement with its parameters. */
export interface BookkeepingStatement {
  sql: string;
  params: unknown[];
}

/**
 * One kind of history table: strata's own (SQLx's columns) or one shared with another tool
 * (Diesel's). The engine reads and writes history only through this, so a table with other
 * columns is another implementation, not a branch in the engine.
 */
export interface HistoryStore {
  readonly dialect: Dialect;
  readonly name: HistoryTableName;
  /** `schema.table` as a person reads it. */
  readonly displayName: string;
  /** False when the table has no checksum column: an edited migration cannot be detected. */
  readonly keepsChecksums: boolean;
  /**
   * False when the table cannot mark a migration started and not finished: a non-transactional
   * migration that stops part-way leaves no row at all.
   */
  readonly keepsDirtyRows: boolean;
  /** The same kind of table, pinned to the schema resolved under the lock. */
  pinned(name: HistoryTableName): HistoryStore;
  /** Creates the table if missing, on a connection holding the run lock. */
  ensure(on: Connection): Promise<void>;
  /** The whole history, for status and reports; undefined when the table does not exist yet. */
  rows(on: Connection): Promise<HistoryRow[] | undefined>;
  /** What deciding a run needs of every row; undefined when the table does not exist yet. */
  entries(on: Connection): Promise<HistoryEntry[] | undefined>;
  /** The history folded into one row for the no-op check; undefined when absent or when this table cannot be folded. */
  summary(on: Connection): Promise<HistorySummary | undefined>;
  /** The read of a step's own row inside its transaction; `stepRowState` reads its answer. */
  stepRow(migration: Migration): BookkeepingStatement;
  /** 'dirty' when a runner stopped part-way through the step; undefined when it has no row. */
  stepRowState(rows: readonly unknown[][]): 'applied' | 'dirty' | undefined;
  /** The history change a finished step makes in its transaction. */
  finished(step: Step, executionTimeNs: bigint): BookkeepingStatement;
  /** The same change as literals, to travel inside a pipelined script. */
  finishedLiteral(step: Step, executionTimeNs: bigint): string;
  /** Before a non-transactional step. */
  markStarted(on: Connection, step: Step): Promise<void>;
  /** After a non-transactional step. */
  markFinished(on: Connection, step: Step, executionTimeNs: bigint): Promise<void>;
  /** The way out of a dirty row, audited in `<table>_resolutions`. */
  resolve(on: Connection, version: bigint, resolution: 'applied' | 'rolled-back'): Promise<void>;
  /** Re-records the checksum of an applied migration, audited. */
  repair(on: Connection, migration: Migration, reason: string | undefined): Promise<void>;
  /** Records migrations as applied without running them, audited. */
  recordApplied(on: Connection, migrations: readonly Migration[], resolution: Resolution, reason?: string): Promise<void>;
}
