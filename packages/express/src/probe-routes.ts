import { HEALTH_CONTENT_TYPE, type HealthProbes, type ProbeAnswer } from '@strata/core';
import type { Request, Response, Router } from 'express';
import type { ResolvedPaths } from './options.js';

/**
 * Serves the three probes on `router`. Handlers never hand an error to Express: its default
 * error handler would answer with a stack trace outside production.
 */
export function mountProbes(router: Router, probes: HealthProbes, paths: ResolvedPaths): void {
  if (paths.livez) router.get(paths.livez, (_req, res) => send(res, probes.liveness()));
  if (paths.readyz) router.get(paths.readyz, (req, res) => answer(res, () => probes.readiness(wantsVerbose(req))));
  if (paths.healthz) router.get(paths.healthz, (_req, res) => answer(res, () => probes.health()));
}

async function answer(res: Response, probe: () => Promise<ProbeAnswer>): Promise<void> {
  let result: ProbeAnswer;
  try {
    result = await probe();
  } catch {
    result = { httpStatus: 503, body: { status: 'fail', description: 'probe failed unexpectedly' } };
  }
  send(res, result);
}

function send(res: Response, result: ProbeAnswer): void {
  // Probes must never be answered from a cache: a stale 200 is the lie they exist to prevent. So
  // no-store, and end() rather than send(), which would add an ETag and could answer 304.
  res
    .status(result.httpStatus)
    .set({ 'Content-Type': `${HEALTH_CONTENT_TYPE}; charset=utf-8`, 'Cache-Control': 'no-store' })
    .end(JSON.stringify(result.body));
}

/** `?verbose`, `?verbose=1` and `?verbose=true` ask for the checks; `?verbose=0` and `?verbose=false` do not. */
function wantsVerbose(req: Request): boolean {
  const query = req.query as Record<string, unknown>;
  if (!Object.hasOwn(query, 'verbose')) return false;
  const value = query.verbose;
  return !(value === '0' || value === 'false');
}
