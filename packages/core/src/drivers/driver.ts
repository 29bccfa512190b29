import type { Migration } from '../migration.js';

export type Dialect = 'postgres' | 'sqlite';

/** What deciding a run needs from a history row; the fast path reads only these columns. */
export interface HistoryEntry {
  version: bigint;
  /** false: a non-transactional migration started and did not finish (the row is dirty). */
  success: boolean;
  checksum: Uint8Array;
}

/**
 * The whole history folded into one row, so the no-op check of a boot is one small answer
 * whatever the history's length: how many rows, whether all succeeded, and a SHA-256 over every
 * version (8 bytes, big-endian) and checksum in version order (see source-digest.ts).
 */
export interface HistorySummary {
  count: number;
  clean: boolean;
  digest: string;
}

/** One whole row of the history table (SQLx's columns). */
export interface HistoryRow extends HistoryEntry {
  description: string;
  installedOn: Date;
  /** Nanoseconds, as SQLx records it. */
  executionTimeNs: bigint;
}

/** Who holds the migration lock, as far as the database can tell. */
export interface LockHolder {
  pid?: number;
  applicationName?: string;
  clientAddress?: string;
  since?: Date;
}

export interface LockOptions {
  /** Give up after this many milliseconds; undefined waits for as long as it takes. */
  timeoutMs?: number;
  /** Called while waiting, with the holder when the database can name it. */
  onWait?: (waitedMs: number, holder: LockHolder | undefined) => void;
  /**
   * Asked between two attempts with the history summary, read on the connection that waits (a
   * pool of one connection must not deadlock against itself): true means the lock is no longer
   * needed (another runner applied everything meanwhile), and lock() resolves to undefined.
   */
  stopWaitingWhen?: (summary: HistorySummary | undefined) => boolean;
}

export type Direction = 'up' | 'down';

export interface Step {
  direction: Direction;
  migration: Migration;
  /** The script this step runs (up or down). */
  script: string;
  file: string | undefined;
  transactional: boolean;
}

export type StepOutcome = { status: 'done'; executionTimeNs: bigint } | { status: 'already-done' };

/** Called by a single-transaction run around each of its steps, as they happen (before the commit). */
export interface BatchProgress {
  started(step: Step): void;
  finished(step: Step, outcome: StepOutcome): void;
}

/** What a driver needs from the engine: everything specific to one kind of database. */
export interface Driver {
  readonly dialect: Dialect;
  /** A description of the target for messages, with any password removed. */
  describe(): string;
  /** The whole history, for status and reports. Undefined when the table does not exist yet. */
  readHistory(): Promise<HistoryRow[] | undefined>;
  /**
   * The fast path: one query reading only version, success and checksum. Undefined when the
   * table does not exist yet. Takes no lock.
   */
  readHistoryEntries(): Promise<HistoryEntry[] | undefined>;
  /**
   * The fastest path: the history folded into one row (see HistorySummary). Undefined when the
   * table does not exist, or when the database cannot fold it (the engine then reads the entries).
   */
  readHistorySummary?(): Promise<HistorySummary | undefined>;
  /** Takes the migration lock and returns the session that holds it; undefined only when `stopWaitingWhen` said so. */
  lock(options: LockOptions): Promise<LockedSession | undefined>;
  /** A cheap round trip proving the database answers. */
  ping(): Promise<void>;
}

export interface LockedSession {
  /** How long taking the lock waited, in milliseconds. */
  readonly waitedMs: number;
  ensureHistoryTable(): Promise<void>;
  readHistoryEntries(): Promise<HistoryEntry[]>;
  /**
   * Runs one step and writes its history change in the same transaction (or, outside a
   * transaction, marks the row dirty first and clean after). `already-done` when another runner
   * applied or reverted the same version meanwhile (possible only where the lock is per step).
   */
  apply(step: Step): Promise<StepOutcome>;
  /**
   * Runs every step (all transactional) and their history changes in ONE transaction, committed
   * once after the last: all or nothing. A failure rolls the whole batch back and says so
   * (`details.rolledBack`). Outcomes are in step order.
   */
  applyAll(steps: readonly Step[], progress: BatchProgress): Promise<StepOutcome[]>;
  /** Records the way out of a dirty row: `applied` marks it successful, `rolled-back` removes it. */
  resolve(version: bigint, resolution: 'applied' | 'rolled-back', migration: Migration | undefined): Promise<void>;
  /** Releases the lock; safe to call more than once and after errors. */
  release(): Promise<void>;
}
