import type { Step } from './step.js';

/**
 * The lock guard: each transactional step waits at most `lockTimeoutMs` for a table lock, so the
 * application's queries, which queue behind a waiting ALTER TABLE, wait at most that long too.
 * A step that times out is rolled back and tried again after a pause that lets the queue drain.
 */
export interface LockGuard {
  lockTimeoutMs: number;
  /** Tries after the first; the error of the last one is the step's failure. */
  retries: number;
  /** Heard before each pause, with the try that comes next (1-based) and the pause. */
  onRetry?(retry: LockRetry): void;
}

export interface LockRetry {
  step: Step;
  /** 1 for the first retry. */
  retry: number;
  /** Of `LockGuard.retries`. */
  retries: number;
  delayMs: number;
  lockTimeoutMs: number;
}

/** Pauses double from a quarter second and stop growing at five: the lock holder gets time to finish, the deploy does not stall. */
export function retryDelayMs(retry: number): number {
  return Math.min(250 * 2 ** (retry - 1), 5_000);
}
