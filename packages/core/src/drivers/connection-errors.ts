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
/** SQLSTATEs that mean the server answered and refused us: waiting will not change its mind. */
const REFUSED_SQLSTATES = new Set(['28P01', '28000', '3D000']);

/** True for failures that waiting can heal: the database refused, dropped or is still starting. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof StrataError) return error.code === 'CONNECTION_FAILED' && error.details.transient !== false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || TRANSIENT_SQLSTATES.has(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error/i.test(message);
}

/** A wrong password, an unknown role or database: a connection failure, but not one to retry. */
export function isRefusedConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && REFUSED_SQLSTATES.has(code);
}

export function connectionFailed(target: string, cause: unknown, context: { version?: string; what?: string } = {}): StrataError {
  const reason = cause instanceof Error ? cause.message || (cause as { code?: string }).code || cause.name : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  const transient = !isRefusedConnection(cause);
  const what = context.what ? `${context.what}: ` : '';
  return new StrataError(
    'CONNECTION_FAILED',
    `${what}cannot reach the database at ${target}: ${redactText(String(reason))}${typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? ` [${code}]` : ''}`,
    {
      ...(typeof code === 'string' ? { databaseCode: code } : {}),
      ...(context.version ? { version: context.version } : {}),
      transient,
    },
    { cause },
  );
}
