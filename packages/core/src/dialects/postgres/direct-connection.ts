import { StrataError } from '../../errors.js';
import { redactUrl } from '../../redact.js';
import { connectionFailed } from '../connection-errors.js';
import { strataApplicationName } from './application-name.js';
import { isPgPool, type PgClientLike, type PgPoolLike, type PgQueryable } from './pg-handles.js';

interface ClientConstructor {
  new (config: {
    connectionString: string;
    connectionTimeoutMillis?: number;
    application_name?: string;
  }): PgQueryable & {
    connect(): Promise<unknown>;
    end(): Promise<void>;
    on(event: 'error', listener: () => void): unknown;
  };
}

/**
 * The run's session over `directUrl` (Prisma's convention) while the application keeps its pooled
 * handle: a PgBouncer in transaction mode serves the app, the migration gets a real session for
 * its advisory lock. The client class is the caller's own pg (a pool's `Client`, or the client's
 * constructor), so core never imports pg.
 */
export async function openDirect(
  handle: PgPoolLike | PgClientLike,
  directUrl: string,
  connectTimeoutMs: number | undefined,
): Promise<{ connection: PgQueryable; release: () => void }> {
  const Client = (isPgPool(handle) ? (handle as { Client?: unknown }).Client : handle.constructor) as
    | ClientConstructor
    | undefined;
  if (typeof Client !== 'function') {
    throw new StrataError(
      'INVALID_OPTIONS',
      'directUrl needs a pg.Pool or pg.Client as `db`, to open the direct connection with',
    );
  }
  const hasName = new URL(directUrl).searchParams.has('application_name');
  const client = new Client({
    connectionString: directUrl,
    ...(connectTimeoutMs ? { connectionTimeoutMillis: connectTimeoutMs } : {}),
    ...(hasName ? {} : { application_name: strataApplicationName() }),
  });
  // An idle client whose server goes away emits 'error'; unheard, that ends the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw connectionFailed(redactUrl(directUrl), error, true, { what: 'directUrl' });
  }
  return {
    connection: client,
    release: () => {
      void client.end().catch(() => {});
    },
  };
}

/** A direct URL must be a PostgreSQL URL; checked before anything touches the database. */
export function checkDirectUrl(value: unknown): string {
  const text = value instanceof URL ? value.href : value;
  if (typeof text !== 'string' || !/^postgres(ql)?:\/\//i.test(text)) {
    throw new StrataError('INVALID_OPTIONS', 'directUrl must be a postgres:// or postgresql:// URL');
  }
  try {
    new URL(text);
  } catch {
    throw new StrataError('INVALID_OPTIONS', `directUrl cannot be parsed: ${redactUrl(text)}`);
  }
  return text;
}
