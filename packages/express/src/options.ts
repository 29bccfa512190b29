import { resolve } from 'node:path';
import {
  type HealthProbeOptions,
  type Logger,
  type MigrationBootOptions,
  type MigrationSource,
  type ResolvedGateOptions,
  resolveGateOptions,
  StrataError,
  silentLogger,
} from '@strata/core';
import type { Request } from 'express';

/** Where each probe is served; `false` leaves that probe out. */
export interface ProbePaths {
  /** Default `/livez`. */
  livez?: string | false;
  /** Default `/readyz`. */
  readyz?: string | false;
  /** Default `/healthz`. */
  healthz?: string | false;
}

/** How the background gate answers the app's own routes while migrations are not done. */
export interface GateOptions {
  /** Seconds sent in `Retry-After` while migrating or waiting. Default 5. */
  retryAfter?: number;
  /** Requests this returns true for go through to the app even before migrations finish. */
  skip?: (req: Request) => boolean;
}

export interface MigrateOnBootOptions extends Omit<MigrationBootOptions, 'migrations'>, HealthProbeOptions {
  /**
   * A directory (path or file: URL), an array of migrations, or the module `strata embed` writes.
   * Default: `./migrations`, resolved against `process.cwd()` when migrateOnBoot() is called.
   */
  migrations?: MigrationSource;
  /**
   * Resolve at once and migrate in the background. Probes are served meanwhile (liveness passes,
   * readiness fails) and, unless `gate` is false, every other route answers 503 + Retry-After.
   * A failure never rejects anything: it is logged, shown by the probes, and passed to `onError`.
   */
  background?: boolean;
  /** Background mode: answer the app's other routes with 503 until migrations are done. Default true. */
  gate?: boolean | GateOptions;
  paths?: ProbePaths;
  /**
   * Background mode: called once if the boot work fails. The process keeps running (readiness
   * stays 503); call `process.exit(1)` here to have the orchestrator restart the instance instead.
   */
  onError?: (error: unknown) => void;
}

export interface ResolvedPaths {
  livez: string | false;
  readyz: string | false;
  healthz: string | false;
}

export type ResolvedGate = ResolvedGateOptions<Request>;

export interface ResolvedOptions {
  boot: MigrationBootOptions;
  probes: HealthProbeOptions;
  background: boolean;
  /** undefined: no gate. */
  gate: ResolvedGate | undefined;
  paths: ResolvedPaths;
  logger: Logger;
  onError: ((error: unknown) => void) | undefined;
}

export const DEFAULT_PATHS: Readonly<ResolvedPaths> = { livez: '/livez', readyz: '/readyz', healthz: '/healthz' };
export { DEFAULT_RETRY_AFTER_SECONDS } from '@strata/core';

/** Checks what the engine does not (the HTTP side) and splits the options for the boot and the probes. */
export function resolveOptions(options: MigrateOnBootOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw invalid('migrateOnBoot() options must be an object');
  }
  const {
    migrations = resolve(process.cwd(), 'migrations'),
    background = false,
    gate = true,
    paths = {},
    onError,
    pingTimeout,
    pingCacheTtl,
    statusCacheTtl,
    ...boot
  } = options;
  if (typeof background !== 'boolean') throw invalid(`background must be true or false, not ${JSON.stringify(background)}`);
  if (onError !== undefined && typeof onError !== 'function') throw invalid('onError must be a function');
  for (const [name, value] of Object.entries({ pingTimeout, pingCacheTtl, statusCacheTtl, ...bootDurations(boot) })) {
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
      throw invalid(`${name} must be a number of milliseconds >= 0, not ${JSON.stringify(value)}`);
    }
  }
  return {
    boot: { ...boot, migrations },
    probes: {
      ...(pingTimeout !== undefined ? { pingTimeout } : {}),
      ...(pingCacheTtl !== undefined ? { pingCacheTtl } : {}),
      ...(statusCacheTtl !== undefined ? { statusCacheTtl } : {}),
    },
    background,
    gate: background ? resolveGateOptions<Request>(gate) : undefined,
    paths: resolvePaths(paths),
    logger: boot.logger ?? silentLogger,
    onError,
  };
}

function bootDurations(boot: Omit<MigrationBootOptions, 'migrations'>): Record<string, unknown> {
  return { connectDeadline: boot.connectDeadline, waitTimeout: boot.waitTimeout, waitInterval: boot.waitInterval };
}

function resolvePaths(paths: ProbePaths): ResolvedPaths {
  if (paths === null || typeof paths !== 'object') throw invalid('paths must be an object');
  const resolved = { ...DEFAULT_PATHS };
  for (const name of ['livez', 'readyz', 'healthz'] as const) {
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

function invalid(message: string): StrataError {
  return new StrataError('INVALID_OPTIONS', message);
}
