import { HEALTH_CONTENT_TYPE, type HealthProbes, type ProbeAnswer } from './health-probes.js';
import type { HttpAnswer } from './http-answer.js';
import type { ProbeName } from './probe-paths.js';

/** A request's query as frameworks parse it (`req.query`): `?verbose` arrives as `{ verbose: '' }`. */
export type ProbeQuery = Readonly<Record<string, unknown>> | undefined;

/**
 * Answers a probe request completely: status, headers and the JSON bytes. The Express router and
 * the Nest controller only write the result out. Never rejects: a probe that throws answers 503
 * rather than reaching a framework's error handler, which could show a stack trace.
 */
export async function answerProbe(probes: HealthProbes, name: ProbeName, query?: ProbeQuery): Promise<HttpAnswer> {
  let result: ProbeAnswer;
  try {
    result =
      name === 'livez'
        ? probes.liveness()
        : name === 'readyz'
          ? await probes.readiness(wantsVerbose(query))
          : await probes.health();
  } catch {
    result = { httpStatus: 503, body: { status: 'fail', description: 'probe failed unexpectedly' } };
  }
  return {
    status: result.httpStatus,
    // A stale 200 from a cache is the lie a probe exists to prevent.
    headers: { 'Content-Type': `${HEALTH_CONTENT_TYPE}; charset=utf-8`, 'Cache-Control': 'no-store' },
    body: JSON.stringify(result.body),
  };
}

/** `?verbose`, `?verbose=1` and `?verbose=true` ask for the checks; `?verbose=0` and `?verbose=false` do not. */
export function wantsVerbose(query: ProbeQuery): boolean {
  if (!query || !Object.hasOwn(query, 'verbose')) return false;
  const value = query.verbose;
  return !(value === '0' || value === 'false');
}
