import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE, type ReadinessGate } from '@strata/core';

/**
 * Background mode: holds the app's routes at 503 until migrations are done, with the status,
 * headers and body of @strata/express's gate (the core ReadinessGate decides both). A middleware,
 * so it runs before guards, interceptors and pipes — an auth guard reading the users table is held
 * too — and it writes through Node's own response API, which Express's response extends and which
 * Fastify hands to middleware, bypassing exception filters that would reshape the body.
 */
export function readinessGateMiddleware(readiness: ReadinessGate, skip: ((request: IncomingMessage) => boolean) | undefined) {
  return function migrationsReadinessGate(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    if (readiness.open || skip?.(request)) {
      next();
      return;
    }
    const answer = readiness.answer();
    response.statusCode = answer.httpStatus;
    for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
    response.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    response.end(JSON.stringify(answer.body));
  };
}
