import { isStrataError, type StrataErrorCode } from '../errors.js';
import { CliError } from './usage-error.js';

export const EXIT_OK = 0;
/** A migration or the database failed, or a check found a problem. */
export const EXIT_FAILURE = 1;
/** The command line or the configuration is wrong; nothing was attempted. */
export const EXIT_USAGE = 2;

/** Engine errors that mean "you asked for something that cannot be", not "the database said no". */
const USAGE_CODES = new Set<StrataErrorCode>([
  'INVALID_OPTIONS',
  'INVALID_CONFIG',
  'TARGET_NOT_FOUND',
  'SOURCE_NOT_FOUND',
  'DRIVER_NOT_INSTALLED',
  'UNSUPPORTED_DATABASE',
  // --single-transaction asked for one transaction around a migration that cannot run in one.
  'SINGLE_TRANSACTION_NOT_POSSIBLE',
  // The advisory lock behind a transaction-mode pooler: the fix is a direct URL or --lock lease.
  'POOLER_DETECTED',
]);

export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (isStrataError(error) && USAGE_CODES.has(error.code)) return EXIT_USAGE;
  return EXIT_FAILURE;
}
