import { StrataError } from '../errors.js';
import type { BootState, MigrationBoot } from './migration-boot.js';

/** RFC 9457 problem details: the media type of what the gate answers a held request with. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** The body of a held request's 503 (RFC 9457 problem details, plus the boot state). */
export interface GateProblem {
  title: 'Service Unavailable';
  status: 503;
  detail: string;
  state: BootState;
}

export interface GateAnswer {
  httpStatus: 503;
  /** `Cache-Control` always; `Retry-After` only while the boot may still succeed. */
  headers: Record<string, string>;
  body: GateProblem;
}

/** The gate options the integrations share; each adds what only its framework can express. */
export interface ReadinessGateOptions<Request> {
  /** Seconds sent in `Retry-After` while migrating or waiting. Default 5. */
  retryAfter?: number;
  /** Requests this returns true for go through to the app even before migrations finish. */
  skip?: (request: Request) => boolean;
}

export interface ResolvedGateOptions<Request> {
  retryAfter: number;
  skip: ((request: Request) => boolean) | undefined;
}

/**
 * Background mode, framework-free: decides whether the app's own routes may serve yet, and what a
 * held request is answered with. The Express middleware and the Nest middleware only translate
 * this to HTTP, so both answer with the same status, headers and body.
 */
export class ReadinessGate {
  readonly retryAfter: number;
  readonly #boot: MigrationBoot;

  constructor(boot: MigrationBoot, retryAfter: number = DEFAULT_RETRY_AFTER_SECONDS) {
    this.#boot = boot;
    this.retryAfter = checkRetryAfter(retryAfter);
  }

  /** True once the boot work succeeded: from then on the only cost a request pays. */
  get open(): boolean {
    return this.#boot.ready;
  }

  get state(): BootState {
    return this.#boot.state;
  }

  /** What a request is answered with while the gate is closed. */
  answer(): GateAnswer {
    const state = this.#boot.state;
    const failed = state === 'failed';
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    // Waiting cannot heal a failed migration, so only a boot still in progress invites a retry.
    if (!failed) headers['Retry-After'] = String(this.retryAfter);
    return {
      httpStatus: 503,
      headers,
      body: {
        title: 'Service Unavailable',
        status: 503,
        detail: failed
          ? 'database migrations failed; this instance cannot serve requests'
          : 'database migrations are in progress; retry shortly',
        state,
      },
    };
  }
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

function checkRetryAfter(retryAfter: number): number {
  // Retry-After takes whole seconds (RFC 9110, 10.2.3).
  if (!Number.isInteger(retryAfter) || retryAfter < 0) {
    throw invalid(`gate.retryAfter must be a whole number of seconds >= 0, not ${JSON.stringify(retryAfter)}`);
  }
  return retryAfter;
}

function invalid(message: string): StrataError {
  return new StrataError('INVALID_OPTIONS', message);
}
