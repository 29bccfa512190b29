/**
 * Scanning what a person or a log could be shown for the test role's password: the fault tests of
 * @strata/express and @strata/nest look at the same outputs the same way.
 */
import { tmpdir } from 'node:os';
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

/**
 * What a probe body must never carry, whatever the state: stack frames, paths of the server,
 * connection details and the password. A test adds what is its own (the failing migration's SQL
 * and file, the database, role and ports it used).
 */
const NEVER_IN_A_PROBE: (string | RegExp)[] = [
  // Stack frames.
  /\bat \S+ \(/,
  /\bat (file:|node:|\/)/,
  'node:internal',
  /\.[cm]?[jt]s:\d+/,
  // Paths of the server.
  '/tmp',
  tmpdir(),
  process.cwd(),
  /(^|[\s"'(=,:])\/[\w.-]+\/[\w.-]/,
  // Connection details.
  'postgres://',
  /\b\d{1,3}(\.\d{1,3}){3}\b/,
  'localhost',
  ...SECRETS,
];

export function expectCleanProbeBodies(bodies: string[], alsoForbidden: (string | RegExp)[]): void {
  const everything = bodies.join('\n');
  for (const needle of [...NEVER_IN_A_PROBE, ...alsoForbidden]) {
    if (typeof needle === 'string') expect(everything, `a probe body contains ${needle}`).not.toContain(needle);
    else expect(everything, `a probe body matches ${needle}`).not.toMatch(needle);
  }
}

/**
 * What the failing migration of the Express and Nest fault suites (`0003_add_flag`, adding
 * `leaked_column_xyz no_such_type_xyz`) and the database's words about it say: no probe body may
 * repeat any of it.
 */
export const FAILING_MIGRATION_WORDS = [
  'ALTER TABLE',
  'ADD COLUMN',
  'leaked_column_xyz',
  'no_such_type_xyz',
  'does not exist',
  '0003_add_flag',
  '.sql',
];
