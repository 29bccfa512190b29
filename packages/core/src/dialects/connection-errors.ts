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

/** The messages pg gives when its own `connectionTimeoutMillis` ends an attempt (pool and client). */
const PG_CONNECT_TIMEOUT =
  /^(timeout expired|timeout exceeded when trying to connect|Connection terminated due to connection timeout)$/;

/** True when the driver gave up connecting because its own connect timeout passed. */
export function isDriverConnectTimeout(error: unknown): boolean {
  return error instanceof Error && PG_CONNECT_TIMEOUT.test(error.message);
}

/**
 * CONNECTION_FAILED for a wait for a connection that passed its bound: the server accepted the
 * socket but never answered, or (`poolSize`) every connection of the caller's pool stayed in use.
 * Transient: a later attempt may find it answering.
 */
export function connectTimedOut(target: string, timeoutMs: number, cause?: unknown, poolSize?: number): StrataError {
  const within = formatBound(timeoutMs);
  const message =
    poolSize === undefined
      ? `cannot reach the database at ${target}: no connection within ${within} (connect timeout)`
      : `no connection to the database at ${target} within ${within} (connect timeout): all ${poolSize} connections of the pool are in use`;
  return new StrataError(
    'CONNECTION_FAILED',
    message,
    { databaseCode: 'ETIMEDOUT', timeoutMs, transient: true },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * CONNECTION_FAILED for a session whose round trip waited past the stall bound while the server,
 * asked on another connection, had ended the session or showed it idle, waiting for us: the
 * network between them stalled without cutting anything. Transient: a new connection may pass.
 */
export function stalledSession(
  target: string,
  stallTimeoutMs: number,
  verdict: { kind: 'gone' } | { kind: 'idle'; idleMs: number },
): StrataError {
  const seen =
    verdict.kind === 'gone'
      ? 'the server had already ended the session (its idle timeout)'
      : `the server showed the session idle for ${(verdict.idleMs / 1000).toFixed(1)} s, waiting for strata: strata ended it`;
  return new StrataError(
    'CONNECTION_FAILED',
    `the network to the database at ${target} stalled: no answer for over ${formatBound(stallTimeoutMs)} (stall timeout), and ${seen}, ` +
      'rolling back what it had open and freeing its locks',
    { databaseCode: 'ETIMEDOUT', stallTimeoutMs, transient: true },
  );
}

function formatBound(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
