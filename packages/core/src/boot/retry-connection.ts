import { setTimeout as sleep } from 'node:timers/promises';
import { isConnectionError } from '../drivers/connection-errors.js';

export interface RetryOptions {
  /** Keep retrying until this many milliseconds have passed since the first attempt. */
  deadlineMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Called before each pause, with the error that caused it and the attempt number (1-based). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Retries a task while it fails with a connection error (refused, reset, the server starting up),
 * with exponential backoff and jitter, up to a deadline. Any other error — SQL, checksum, order,
 * a dirty row — is thrown at once: waiting cannot heal it.
 */
export async function retryConnection<T>(task: () => Promise<T>, options: RetryOptions): Promise<T> {
  const started = Date.now();
  let delay = options.initialDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5_000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      const remaining = options.deadlineMs - (Date.now() - started);
      if (!isConnectionError(error) || remaining <= 0 || options.signal?.aborted) throw error;
      const pause = Math.min(delay * (0.75 + Math.random() * 0.5), remaining);
      options.onRetry?.(error, attempt, pause);
      await sleep(pause, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => {});
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
