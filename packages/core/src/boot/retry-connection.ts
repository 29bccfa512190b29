import { setTimeout as sleep } from 'node:timers/promises';
import { isConnectionError } from '../dialects/registry.js';
import { pollWithBackoff } from '../poll-with-backoff.js';

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
 * a dirty row — is thrown at once: waiting cannot heal it. The task is told when the deadline falls
 * (a `performance.now()` time), so it can bound its own waits for the database by it.
 */
export async function retryConnection<T>(task: (giveUpAt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  let attempts = 0;
  let lastError: unknown;
  const giveUpAt = performance.now() + options.deadlineMs;
  const outcome = await pollWithBackoff<{ value: T }>(
    async () => {
      attempts++;
      try {
        return { value: await task(giveUpAt) };
      } catch (error) {
        if (!isConnectionError(error) || options.signal?.aborted) throw error;
        lastError = error;
        return undefined;
      }
    },
    {
      firstMs: options.initialDelayMs ?? 250,
      maxMs: options.maxDelayMs ?? 5_000,
      timeoutMs: options.deadlineMs,
      timedOut: () => lastError,
      onWait: (_waited, pauseMs) => options.onRetry?.(lastError, attempts, pauseMs),
      pause: async (ms) => {
        await sleep(ms, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => {});
        return false;
      },
    },
  );
  return outcome.value;
}
