import type { Migration } from '../migration.js';

export type Direction = 'up' | 'down';

/** One migration to apply or revert, as a plan holds it. */
export interface Step {
  direction: Direction;
  migration: Migration;
  /** The script this step runs (up or down). */
  script: string;
  file: string | undefined;
  transactional: boolean;
  /**
   * The first statement the database commits implicitly (MySQL's DDL), where the migration asked
   * for a transaction: the step runs as a non-transactional one, and its messages say why.
   */
  implicitCommit?: { statement: string; offset: number } | undefined;
}

/** `already-done`: another runner applied or reverted the same version meanwhile (possible only where the lock is not exclusive). */
export type StepOutcome =
  | {
      status: 'done';
      executionTimeNs: bigint;
      /** Tries the lock guard made after a lock timeout before this one succeeded; absent when none. */
      lockRetries?: number;
    }
  | { status: 'already-done' };
