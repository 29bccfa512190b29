import { type MigrationBoot, PROBLEM_CONTENT_TYPE, ReadinessGate } from '@strata/core';
import type { RequestHandler } from 'express';
import type { ResolvedGate } from './options.js';

export { PROBLEM_CONTENT_TYPE };

/**
 * Background mode: holds the app's own routes at 503 until migrations are done, so no request
 * runs against an old schema while the server already listens. Registered after the probes.
 * What to answer is the core ReadinessGate's decision, shared with @strata/nest.
 */
export function readinessGate(boot: MigrationBoot, gate: ResolvedGate): RequestHandler {
  const readiness = new ReadinessGate(boot, gate.retryAfter);
  return (req, res, next) => {
    if (readiness.open || gate.skip?.(req)) {
      next();
      return;
    }
    const answer = readiness.answer();
    res.status(answer.httpStatus).set(answer.headers);
    res.type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(answer.body));
  };
}
