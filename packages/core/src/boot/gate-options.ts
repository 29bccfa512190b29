import { StrataError } from '../index.js';

export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/**
 * The `gate` option of both integrations, beside `true` (the default) and `false` (no gate). Each
 * integration may add what only its framework can express (Nest: `exclude`).
 */
export interface ReadinessGateOptions<Request> {
  /** Seconds sent in `Retry-After` while migrating or waiting. Default 5. */
  retryAfter?: number;
  /**
   * Requests this returns true for go through to the app even before migrations finish. It gets
   * the request a middleware gets (Express's `Request` on Express).
   */
  // A method, not a property: its parameter is then bivariant, so a predicate written for the
  // framework's richer request type is accepted where the plain Node request is declared.
  skip?(request: Request): boolean;
}

export interface ResolvedGateOptions<Request> {
  retryAfter: number;
  skip: ((request: Request) => boolean) | undefined;
}

/**
 * Reads a `gate` option as the integrations take it: `true` (the default), `false` (no gate), or
 * `{ retryAfter?, skip? }`. Throws INVALID_OPTIONS; resolves to `undefined` for no gate.
 */
export function resolveGateOptions<Request>(
  gate: boolean | ReadinessGateOptions<Request> = true,
): ResolvedGateOptions<Request> | undefined {
  if (gate === false) return undefined;
  if (gate === true) return { retryAfter: DEFAULT_RETRY_AFTER_SECONDS, skip: undefined };
  if (gate === null || typeof gate !== 'object') throw invalid('gate must be true, false or an object');
  const retryAfter = checkRetryAfter(gate.retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS);
  if (gate.skip !== undefined && typeof gate.skip !== 'function') throw invalid('gate.skip must be a function');
  return { retryAfter, skip: gate.skip };
}

export function checkRetryAfter(retryAfter: number): number {
  // Retry-After takes whole seconds (RFC 9110, 10.2.3).
  if (!Number.isInteger(retryAfter) || retryAfter < 0) {
    throw invalid(`gate.retryAfter must be a whole number of seconds >= 0, not ${JSON.stringify(retryAfter)}`);
  }
  return retryAfter;
}

function invalid(message: string): StrataError {
  return new StrataError('INVALID_OPTIONS', message);
}
