import { resolve } from 'node:path';
import { type Logger, type MigrationSource, StrataError } from '@strata/core';
import {
  DEFAULT_PROBE_PATHS,
  type HealthProbeOptions,
  type MigrationBootOptions,
  type ProbePaths,
  type ReadinessGateOptions,
  type ResolvedGateOptions,
  type ResolvedProbePaths,
  readableLogger,
  resolveGateOptions,
  resolveProbePaths,
} from '@strata/core/boot';
import type { Request } from 'express';

export type { ProbePaths };

/** How the background gate answers the app's own routes while migrations are not done. */
export type GateOptions = ReadinessGateOptions<Request>;

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

export type ResolvedGate = ResolvedGateOptions<Request>;

export interface ResolvedOptions {
  boot: MigrationBootOptions;
  probes: HealthProbeOptions;
  background: boolean;
  /** undefined: no gate. */
  gate: ResolvedGate | undefined;
  paths: ResolvedProbePaths;
  logger: Logger;
  onError: ((error: unknown) => void) | undefined;
}

/** Where the probes are served unless `paths` says otherwise (the same defaults as @strata/nest). */
export const DEFAULT_PATHS = DEFAULT_PROBE_PATHS;

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
    paths: resolveProbePaths(paths),
    logger: readableLogger(boot.logger),
    onError,
  };
}

function bootDurations(boot: Omit<MigrationBootOptions, 'migrations'>): Record<string, unknown> {
  return { connectDeadline: boot.connectDeadline, waitTimeout: boot.waitTimeout, waitInterval: boot.waitInterval };
}

function invalid(message: string): StrataError {
  return new StrataError('INVALID_OPTIONS', message);
}
