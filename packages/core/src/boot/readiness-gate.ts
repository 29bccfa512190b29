import { checkRetryAfter, DEFAULT_RETRY_AFTER_SECONDS } from './gate-options.js';
import type { HttpAnswer } from './http-answer.js';
import type { BootState, MigrationBoot } from './migration-boot.js';

/** RFC 9457 problem details: the media type of what the gate answers a held request with. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The body of a held request's 503 (RFC 9457 problem details, plus the boot state). */
export interface GateProblem {
  title: 'Service Unavailable';
  status: 503;
  detail: string;
  state: BootState;
}

/**
 * Background mode, framework-free: decides whether the app's own routes may serve yet, and what a
 * held request is answered with. The integrations only write that out (see gateMiddleware), so
 * both answer with the same status, headers and body.
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
  answer(): HttpAnswer {
    const state = this.#boot.state;
    const failed = state === 'failed';
    const headers: Record<string, string> = {
      'Content-Type': `${PROBLEM_CONTENT_TYPE}; charset=utf-8`,
      'Cache-Control': 'no-store',
    };
    // Waiting cannot heal a failed migration, so only a boot still in progress invites a retry.
    if (!failed) headers['Retry-After'] = String(this.retryAfter);
    const problem: GateProblem = {
      title: 'Service Unavailable',
      status: 503,
      detail: failed
        ? 'database migrations failed; this instance cannot serve requests'
        : 'database migrations are in progress; retry shortly',
      state,
    };
    return { status: 503, headers, body: JSON.stringify(problem) };
  }
}
