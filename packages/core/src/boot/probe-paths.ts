import { StrataError } from '../index.js';

export type ProbeName = 'livez' | 'readyz' | 'healthz';

/** Where each probe is served; `false` leaves that probe out. */
export interface ProbePaths {
  /** Default `/livez`. */
  livez?: string | false;
  /** Default `/readyz`. */
  readyz?: string | false;
  /** Default `/healthz`. */
  healthz?: string | false;
}

export type ResolvedProbePaths = Record<ProbeName, string | false>;

export const DEFAULT_PROBE_PATHS: Readonly<ResolvedProbePaths> = Object.freeze({
  livez: '/livez',
  readyz: '/readyz',
  healthz: '/healthz',
});

const PROBES: readonly ProbeName[] = ['livez', 'readyz', 'healthz'];

/** Fills in the defaults and checks the paths; throws INVALID_OPTIONS. */
export function resolveProbePaths(paths: ProbePaths = {}): ResolvedProbePaths {
  if (paths === null || typeof paths !== 'object') throw invalid('paths must be an object');
  const resolved = { ...DEFAULT_PROBE_PATHS };
  for (const name of PROBES) {
    const value = paths[name];
    if (value === undefined) continue;
    if (value !== false && (typeof value !== 'string' || !value.startsWith('/'))) {
      throw invalid(`paths.${name} must be a path starting with '/' or false, not ${JSON.stringify(value)}`);
    }
    resolved[name] = value;
  }
  const used = Object.values(resolved).filter((value): value is string => value !== false);
  if (new Set(used).size !== used.length) throw invalid(`probe paths must differ from each other: ${used.join(', ')}`);
  return resolved;
}

/** The probes that are served, with their paths, in a fixed order. */
export function servedProbes(paths: ResolvedProbePaths): [ProbeName, string][] {
  return PROBES.flatMap((name): [ProbeName, string][] => {
    const path = paths[name];
    return path === false ? [] : [[name, path]];
  });
}

function invalid(message: string): StrataError {
  return new StrataError('INVALID_OPTIONS', message);
}
