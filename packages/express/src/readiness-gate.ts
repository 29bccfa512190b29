import type { MigrationBoot } from '@strata/core';
import type { RequestHandler } from 'express';
import type { ResolvedGate } from './options.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Background mode: holds the app's own routes at 503 until migrations are done, so no request
 * runs against an old schema while the server already listens. Registered after the probes.
 */
export function readinessGate(boot: MigrationBoot, gate: ResolvedGate): RequestHandler {
  return (req, res, next) => {
    if (boot.ready || gate.skip?.(req)) {
      next();
      return;
    }
    const failed = boot.state === 'failed';
    res.status(503).set('Cache-Control', 'no-store');
    // Waiting cannot heal a failed migration, so only a boot still in progress invites a retry.
    if (!failed) res.set('Retry-After', String(gate.retryAfter));
    res.type(PROBLEM_CONTENT_TYPE).send(
      JSON.stringify({
        title: 'Service Unavailable',
        status: 503,
        detail: failed
          ? 'database migrations failed; this instance cannot serve requests'
          : 'database migrations are in progress; retry shortly',
        state: boot.state,
      }),
    );
  };
}
