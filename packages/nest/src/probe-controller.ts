import type { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Query, RequestMethod, Res, type Type } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  answerProbe,
  type HealthProbes,
  type HttpAnswer,
  type ProbeName,
  type ProbePaths,
  type ProbeQuery,
  resolveProbePaths,
  servedProbes,
  writeAnswer,
} from '@strata/core/boot';
import { MIGRATIONS_HEALTH_PROBES } from './migrations.constants.js';
import type { ExcludedRoute } from './migrations-options.js';

/**
 * A controller serving the core HealthProbes at the given paths. It is made per module definition
 * because Nest reads routes from decorators, and the paths are options. Core decides every answer
 * (answerProbe); this only writes it out, through the HTTP adapter, so it works on Express and
 * Fastify alike.
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

    livez(@Res() response: unknown, @Query() query: ProbeQuery): Promise<void> {
      return this.#respond('livez', response, query);
    }

    readyz(@Res() response: unknown, @Query() query: ProbeQuery): Promise<void> {
      return this.#respond('readyz', response, query);
    }

    healthz(@Res() response: unknown, @Query() query: ProbeQuery): Promise<void> {
      return this.#respond('healthz', response, query);
    }

    async #respond(name: ProbeName, response: unknown, query: ProbeQuery): Promise<void> {
      this.#send(response, await answerProbe(this.#probes, name, query));
    }

    #send(response: unknown, answer: HttpAnswer): void {
      const adapter = this.#adapterHost.httpAdapter;
      // On Express the response is Node's, as @strata/express writes it: same bytes, no ETag.
      if (adapter.getType() === 'express') {
        writeAnswer(response as ServerResponse, answer);
        return;
      }
      // Other adapters (Fastify): a string body keeps the content type set here.
      for (const [name, value] of Object.entries(answer.headers)) adapter.setHeader(response, name, value);
      adapter.reply(response, answer.body, answer.status);
    }
  }

  const prototype = MigrationsProbeController.prototype;
  for (const [name, path] of servedProbes(resolveProbePaths(paths))) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
    Get(path)(prototype, name, descriptor);
  }
  return MigrationsProbeController;
}

/** The routes the probe controller serves, for the background gate to leave out. */
export function probeRoutes(paths: ProbePaths = {}): ExcludedRoute[] {
  return servedProbes(resolveProbePaths(paths)).map(([, path]) => ({ path, method: RequestMethod.GET }));
}
