import { setTimeout as sleep } from 'node:timers/promises';

export interface PollOptions {
  /** The first pause, in milliseconds; each next one doubles, up to `maxMs`. */
  firstMs: number;
  maxMs: number;
  /** Give up once this many milliseconds have passed since the first attempt; undefined waits for as long as it takes. */
  timeoutMs?: number | undefined;
  /** The error to throw when `timeoutMs` has passed, given the milliseconds waited. */
  timedOut?: (waitedMs: number) => unknown | Promise<unknown>;
  /** Called after each failed attempt, before the pause of `pauseMs` (a waiter reports who it waits for here). */
  onWait?: (waitedMs: number, pauseMs: number) => void | Promise<void>;
  /** Pauses; resolves true when woken early by something worth a look (a lock release announced). */
  pause?: (ms: number) => Promise<boolean>;
}

/**
 * The one backoff loop: calls `attempt` until it returns a value, pausing between attempts with
 * exponential backoff and ±25% jitter (so replicas that started together do not retry in step),
 * never past the deadline. `attempt` learns whether the pause before it was cut short.
 */
export async function pollWithBackoff<T>(
  attempt: (woken: boolean) => T | undefined | Promise<T | undefined>,
  options: PollOptions,
): Promise<T> {
  const started = performance.now();
  let delay = options.firstMs;
  let woken = false;
  for (;;) {
    const result = await attempt(woken);
    if (result !== undefined) return result;
    const waited = performance.now() - started;
    if (options.timeoutMs !== undefined && waited >= options.timeoutMs) {
      throw options.timedOut ? await options.timedOut(waited) : new Error(`gave up after ${Math.round(waited)} ms`);
    }
    const remaining = options.timeoutMs === undefined ? delay : Math.min(delay, Math.max(1, options.timeoutMs - waited));
    const jittered = remaining * (0.75 + Math.random() * 0.5);
    await options.onWait?.(waited, jittered);
    woken = options.pause ? await options.pause(jittered) : await sleep(jittered, false);
    delay = Math.min(delay * 2, options.maxMs);
  }
}

/** Calls `report` at most once per `everyMs`, the first time once `firstAtMs` have passed: waiting is logged, not spammed. */
export function every(
  everyMs: number,
  report: (waitedMs: number) => void | Promise<void>,
  firstAtMs = 0,
): (waitedMs: number) => Promise<void> {
  let next = firstAtMs;
  return async (waitedMs) => {
    if (waitedMs < next) return;
    next = waitedMs + everyMs;
    await report(waitedMs);
  };
}
