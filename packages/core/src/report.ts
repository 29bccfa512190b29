import type { Direction } from './engine/step.js';
import type { LockHolder } from './lock/run-lock.js';

export interface PlannedStep {
  version: bigint;
  description: string;
  direction: Direction;
  transactional: boolean;
  file: string | undefined;
}

export interface StepReport extends PlannedStep {
  /**
   * Wall time of the step, including its history write. In a singleTransaction run on
   * PostgreSQL the history write travels with the next step's script, and the one commit is
   * part of no step.
   */
  durationMs: number;
  /** The script's own execution time as recorded in history (nanoseconds). */
  executionTimeNs: bigint;
  /** Times the lock guard rolled the step back after a lock timeout and tried again; absent when none. */
  lockRetries?: number;
}

/** What a run or revert did (or, with `dryRun`, would do). */
export interface MigrationReport {
  direction: Direction;
  dryRun: boolean;
  /** Whether the steps ran in one transaction (the `singleTransaction` option). */
  singleTransaction: boolean;
  /** Steps that ran, in order. Empty for a dry run. */
  applied: StepReport[];
  /** What the plan held: for a dry run, what would run. */
  planned: PlannedStep[];
  /** Steps another runner completed while this one waited (SQLite serialises per step). */
  skipped: PlannedStep[];
  /** Pending migrations newer than the target, left for later. */
  beyondTarget: bigint[];
  /**
   * Applied migrations newer than every migration in the source, which this run left alone
   * (`future: 'ignore'`, or `ignoreMissing`): a newer release applied them. Empty otherwise.
   */
  future: bigint[];
  /** Whether the lock was taken: false on the fast path (nothing to do). */
  lockTaken: boolean;
  lockWaitMs: number;
  totalMs: number;
}

/**
 * What a redo did: the revert (down steps, newest first) and the re-apply (up steps, oldest first).
 * `singleTransaction` true: both ran in one transaction, so a failure anywhere changed nothing.
 */
export interface RedoReport {
  reverted: MigrationReport;
  applied: MigrationReport;
  singleTransaction: boolean;
}

/** Splits the one report of a redo's run into its two halves. */
export function splitRedoReport(report: MigrationReport): RedoReport {
  const half = (direction: Direction): MigrationReport => ({
    ...report,
    direction,
    applied: report.applied.filter((step) => step.direction === direction),
    planned: report.planned.filter((step) => step.direction === direction),
    skipped: report.skipped.filter((step) => step.direction === direction),
  });
  return { reverted: half('down'), applied: half('up'), singleTransaction: report.singleTransaction };
}

/**
 * Progress, as it happens. `step-done` fires when a step's script and history write have run; with
 * `singleTransaction` that is inside the run's one open transaction, which commits after the last
 * step: a run that then fails rolls back every step it reported done (the error's
 * `details.rolledBack` lists them), and only the resolved report says what was committed.
 */
export type MigratorEvent =
  | { type: 'lock-wait'; waitedMs: number; holder: LockHolder | undefined }
  | { type: 'lock-acquired'; waitedMs: number }
  | { type: 'step-start'; step: PlannedStep }
  | { type: 'step-done'; step: StepReport }
  | { type: 'step-skipped'; step: PlannedStep }
  /** The lock guard rolled a step back after waiting lock_timeout for a table lock; it runs again after `delayMs`. */
  | { type: 'lock-retry'; step: PlannedStep; retry: number; retries: number; delayMs: number; lockTimeoutMs: number };
