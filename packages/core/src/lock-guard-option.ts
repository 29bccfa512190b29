import { StrataError } from './errors.js';

/**
 * The `lockGuard` option: `true` for the defaults, or the lock timeout (ms) and how many times a
 * step that hit it is tried again. Off by default (see the README's "Lock guard" for why).
 */
export type LockGuardOption = boolean | { lockTimeout?: number; retries?: number };

/** 2 s: a request that waits this long is slow but served; long enough for most DDL to get its lock between queries. */
export const DEFAULT_GUARD_LOCK_TIMEOUT_MS = 2_000;
/** With the pauses between them, about a minute of trying before the step fails. */
export const DEFAULT_GUARD_RETRIES = 10;
const MAX_TIMEOUT_MS = 2_147_483_647;

export function resolveLockGuard(option: LockGuardOption | undefined): { lockTimeoutMs: number; retries: number } | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return { lockTimeoutMs: DEFAULT_GUARD_LOCK_TIMEOUT_MS, retries: DEFAULT_GUARD_RETRIES };
  if (typeof option !== 'object' || option === null) {
    throw new StrataError(
      'INVALID_OPTIONS',
      `lockGuard must be true, false or { lockTimeout, retries }, not ${JSON.stringify(option)}`,
    );
  }
  const { lockTimeout = DEFAULT_GUARD_LOCK_TIMEOUT_MS, retries = DEFAULT_GUARD_RETRIES } = option;
  if (!(typeof lockTimeout === 'number' && lockTimeout >= 1 && lockTimeout <= MAX_TIMEOUT_MS)) {
    throw new StrataError(
      'INVALID_OPTIONS',
      `lockGuard.lockTimeout must be a number of milliseconds between 1 and ${MAX_TIMEOUT_MS}, not ${lockTimeout}`,
    );
  }
  if (!(Number.isInteger(retries) && retries >= 0 && retries <= 1_000)) {
    throw new StrataError('INVALID_OPTIONS', `lockGuard.retries must be a whole number between 0 and 1000, not ${retries}`);
  }
  return { lockTimeoutMs: lockTimeout, retries };
}
