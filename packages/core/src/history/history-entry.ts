/** What deciding a run needs from a history row; the fast path reads only these columns. */
export interface HistoryEntry {
  version: bigint;
  /** false: a non-transactional migration started and did not finish (the row is dirty). */
  success: boolean;
  /**
   * SHA-384 of the up script as applied; undefined where the history keeps no checksums
   * (Diesel's table), so an edited file cannot be detected.
   */
  checksum: Uint8Array | undefined;
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
  /** Nanoseconds, as SQLx records it; undefined where the history keeps no durations (Diesel's table). */
  executionTimeNs: bigint | undefined;
}
