import { Controller, Get, Inject, Query, RequestMethod, Res, type Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HEALTH_CONTENT_TYPE, type HealthProbes, type ProbeAnswer } from '@strata/core';
import { MIGRATIONS_HEALTH_PROBES } from './migrations.constants.js';
import type { ExcludedRoute, ProbePaths } from './migrations-options.js';

export const DEFAULT_PROBE_PATHS = { livez: '/livez', readyz: '/readyz', healthz: '/healthz' } as const;

/**
 * A controller serving the core HealthProbes at the given paths. It is made per module definition
 * because Nest reads routes from decorators, and the paths are options. The response goes through
 * the HTTP adapter, so it works on Express and Fastify alike.
 */
export function createProbeController(paths: ProbePaths = {}): Type<unknown> {
  @Controller()
  class MigrationsProbeController {
    readonly #probes: HealthProbes;
    readonly #adapterHost: HttpAdapterHost;

    constructor(@Inject(MIGRATIONS_HEALTH_PROBES) probes: HealthProbes, @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost) {
      this.#probes = probes;
      this.#adapterHost = adapterHost;
    }

    livez(@Res() response: unknown): void {
      this.#send(response, this.#probes.liveness());
    }

    async readyz(@Res() response: unknown, @Query('verbose') verbose?: string): Promise<void> {
      this.#send(response, await answer(() => this.#probes.readiness(isVerbose(verbose))));
    }

    async healthz(@Res() response: unknown): Promise<void> {
      this.#send(response, await answer(() => this.#probes.health()));
    }

    /** Same bytes and headers as @strata/express's probe routes. */
    #send(response: unknown, result: ProbeAnswer): void {
      const adapter = this.#adapterHost.httpAdapter;
      const body = JSON.stringify(result.body);
      adapter.setHeader(response, 'Content-Type', `${HEALTH_CONTENT_TYPE}; charset=utf-8`);
      adapter.setHeader(response, 'Cache-Control', 'no-store');
      if (adapter.getType() === 'express') {
        // end(), not send(): Express's send() would add an ETag, and a conditional request could
        // then get a 304 — a cached answer is the lie a probe exists to prevent.
        adapter.status(response, result.httpStatus);
        adapter.end(response, body);
        return;
      }
      // Other adapters (Fastify): a string body keeps the content type set above.
      adapter.reply(response, body, result.httpStatus);
    }
  }

  const prototype = MigrationsProbeController.prototype;
  for (const [name, path] of servedProbes(paths)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
    Get(path)(prototype, name, descriptor);
  }
  return MigrationsProbeController;
}

/** The routes the probe controller serves, for the background gate to leave out. */
export function probeRoutes(paths: ProbePaths = {}): ExcludedRoute[] {
  return servedProbes(paths).map(([, path]) => ({ path, method: RequestMethod.GET }));
}

function servedProbes(paths: ProbePaths): ['livez' | 'readyz' | 'healthz', string][] {
  const routes = { ...DEFAULT_PROBE_PATHS, ...paths };
  const served: ['livez' | 'readyz' | 'healthz', string][] = [];
  for (const name of ['livez', 'readyz', 'healthz'] as const) {
    const path = routes[name];
    if (path !== false) served.push([name, path]);
  }
  return served;
}

/** A probe that throws answers 503 rather than reaching Nest's exception filter. */
async function answer(probe: () => Promise<ProbeAnswer>): Promise<ProbeAnswer> {
  try {
    return await probe();
  } catch {
    return { httpStatus: 503, body: { status: 'fail', description: 'probe failed unexpectedly' } };
  }
}

/** `?verbose`, `?verbose=1` and `?verbose=true` ask for the checks; `?verbose=0` and `?verbose=false` do not. */
function isVerbose(value: string | undefined): boolean {
  return value !== undefined && value !== '0' && value !== 'false';
}
