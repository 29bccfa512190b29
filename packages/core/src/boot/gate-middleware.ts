import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReadinessGate } from './readiness-gate.js';
import { writeAnswer } from './write-answer.js';

/**
 * Background mode: holds the app's routes at 503 until migrations are done, so no request runs
 * against an old schema while the server already listens. A plain Node middleware: Express mounts
 * it after the probes; Nest registers it, so it runs before guards, interceptors and pipes (an auth
 * guard reading the users table is held too), and it bypasses exception filters that would reshape
 * the body.
 */
export function gateMiddleware<Request extends IncomingMessage>(
  gate: ReadinessGate,
  skip: ((request: Request) => boolean) | undefined,
) {
  return function migrationsReadinessGate(request: Request, response: ServerResponse, next: () => void): void {
    if (gate.open || skip?.(request)) {
      next();
      return;
    }
    writeAnswer(response, gate.answer());
  };
}
