import { StrataError } from '../errors.js';
import { redactText } from '../redact.js';

/** Node's socket errors: the network, not the database, said no. */
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

/** True for failures of the network between us and any database, whatever the driver. */
export function isNetworkError(error: unknown): boolean {
  if (error instanceof StrataError) return error.code === 'CONNECTION_FAILED' && error.details.transient !== false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error/i.test(message);
}

/** CONNECTION_FAILED naming the target; `transient` false when retrying cannot help (the server refused us). */
export function connectionFailed(
  target: string,
  cause: unknown,
  transient: boolean,
  context: { version?: string; what?: string } = {},
): StrataError {
  const reason = cause instanceof Error ? cause.message || (cause as { code?: string }).code || cause.name : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
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
