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
