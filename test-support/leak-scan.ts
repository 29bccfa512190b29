/**
 * Scanning what a person or a log could be shown for the test role's password: the fault tests of
 * @strata/express and @strata/nest look at the same outputs the same way.
 */
import { inspect } from 'node:util';
import { expect } from 'vitest';
import { LEAKABLE_PASSWORD } from './password-role.js';

/** The password as typed and as percent-encoded in a URL. */
export const SECRETS = [...new Set([LEAKABLE_PASSWORD, encodeURIComponent(LEAKABLE_PASSWORD)])];

/** Every probe, terse and verbose. */
export const PROBE_PATHS = ['/livez', '/livez?verbose', '/readyz', '/readyz?verbose', '/healthz', '/healthz?verbose'];

/** What could be shown of an error: message, stack, JSON and a deep inspect (cause included). */
export function errorTexts(error: unknown): string {
  return [String(error), (error as Error)?.stack ?? '', JSON.stringify(error), inspect(error, { depth: 10 })].join('\n');
}

export function expectNoPassword(where: string, texts: string[]): void {
  const everything = texts.join('\n');
  for (const secret of SECRETS) {
    expect(everything.includes(secret), `${where} shows the password ${JSON.stringify(secret)}:\n${everything}`).toBe(false);
  }
}
