import type { ServerResponse } from 'node:http';
import type { HttpAnswer } from './http-answer.js';

/**
 * Writes an answer through Node's own response API, which Express's response extends and which
 * Nest hands to middleware on any platform. `end()`, never Express's `send()`: that would add an
 * ETag, and a conditional request could then get a 304 — a cached answer is the lie probes and
 * the gate exist to prevent.
 */
export function writeAnswer(response: ServerResponse, answer: HttpAnswer): void {
  response.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) response.setHeader(name, value);
  response.end(answer.body);
}
