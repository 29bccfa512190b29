import { isStrataError, type StrataErrorDetails } from '../errors.js';
import { redactText } from '../redact.js';
import type { MigrationReport } from '../report.js';
import type { MigrationStatus } from '../status.js';
import type { FleetTarget } from './fleet-target.js';
import type { HistoryProblem } from './history-problems.js';

/**
 * `done`: the operation completed on the target (for validate: and found no problem).
 * `failed`: it raised an error, or validate found a problem. `not-started`: the fleet stopped
 * before reaching it (a failure without continueOnError, a failed canary, an abort).
 */
export type FleetOutcome = 'done' | 'failed' | 'not-started';

export type NotStartedReason = 'stopped-after-failure' | 'canary-failed' | 'aborted';

/** A failure as a report carries it: a stable code and a message with passwords removed. */
export interface FleetFailure {
  /** A StrataErrorCode; `DATABASE_ERROR` or `INTERNAL_ERROR` for an error strata did not classify. */
  code: string;
  message: string;
  /** The StrataError's details (version, file, line, column, databaseCode), when it had some. */
  details: StrataErrorDetails;
}

export interface FleetTargetResult {
  /** Where the target was in the list, from 0. */
  index: number;
  /** The URL without its password, then `#schema` for a schema target. */
  target: string;
  schema: string | undefined;
  outcome: FleetOutcome;
  /** Set when outcome is `not-started`. */
  reason?: NotStartedReason;
  /** True for one of the first `canary` targets. */
  canary: boolean;
  /** Wall time on this target, connecting included; 0 when not started. */
  durationMs: number;
  /** run and revert: what the Migrator did (`applied` are the steps that ran, `skipped` another runner's). */
  report?: MigrationReport;
  /** status and validate: every migration's state on this target. */
  statuses?: MigrationStatus[];
  /** validate: what is wrong with this target's history (each also makes the outcome `failed`). */
  problems?: HistoryProblem[];
  error?: FleetFailure;
}

export interface FleetSummary {
  total: number;
  done: number;
  failed: number;
  notStarted: number;
  /** Steps applied (or reverted) across the fleet. */
  steps: number;
  concurrency: number;
  /** Why targets were left: the first failure, a failed canary, an abort; undefined when every target was worked on. */
  stoppedBy: NotStartedReason | undefined;
  durationMs: number;
  /** Every target's result, in the order the targets were given. */
  results: FleetTargetResult[];
}

export type FleetEvent =
  | { type: 'start'; total: number; concurrency: number }
  | { type: 'target-start'; index: number; target: string }
  | { type: 'target-done'; result: FleetTargetResult };

export function failureOf(error: unknown, target: FleetTarget): FleetFailure {
  // The target's own URL (its password included) may appear in a driver's message.
  const clean = (text: string) => redactText(text, passwordsOf(target.url));
  if (isStrataError(error)) return { code: error.code, message: clean(error.message), details: error.details };
  if (error instanceof Error) {
    const databaseCode = (error as { code?: unknown }).code;
    if (typeof databaseCode === 'string') {
      return { code: 'DATABASE_ERROR', message: clean(`${error.message} [${databaseCode}]`), details: { databaseCode } };
    }
    return { code: 'INTERNAL_ERROR', message: clean(error.message || error.name), details: {} };
  }
  return { code: 'INTERNAL_ERROR', message: clean(String(error)), details: {} };
}

function passwordsOf(url: string): string[] {
  try {
    const password = new URL(url).password;
    return password ? [password, decodeURIComponent(password)] : [];
  } catch {
    return [];
  }
}
