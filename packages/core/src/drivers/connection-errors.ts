import { StrataError } from '../errors.js';
import { redactText } from '../redact.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
]);
/** SQLSTATEs that mean "not now" rather than "never": the server is starting, full, or went away. */
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006']);

/** True for failures that waiting can heal: the database refused, dropped or is still starting. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof StrataError) return error.code === 'CONNECTION_FAILED';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || TRANSIENT_SQLSTATES.has(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error/i.test(message);
}

export function connectionFailed(target: string, cause: unknown): StrataError {
  const reason = cause instanceof Error ? cause.message || (cause as { code?: string }).code || cause.name : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  return new StrataError(
    'CONNECTION_FAILED',
    `cannot reach the database at ${target}: ${redactText(String(reason))}`,
    typeof code === 'string' ? { databaseCode: code } : {},
    { cause },
  );
}
