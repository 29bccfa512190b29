import { StrataError } from '../../errors.js';
import { AdvisoryLock } from '../../lock/advisory/advisory-lock.js';
import type { Companion } from '../../lock/advisory/pooler-check.js';
import type { Session } from '../connection.js';
import { connectionFailed, connectTimedOut, isDriverConnectTimeout } from '../connection-errors.js';
import type { Database, SessionSettings } from '../database.js';
import type { HistoryTableName } from '../dialect.js';
import { isPgPool, type PgClientLike, type PgPoolClient, type PgPoolLike, type PgQueryable } from './pg-handles.js';
import { boundedPool, type CheckoutTimeout, checkout } from './pool-checkout.js';
import { PostgresConnection, PostgresSession } from './postgres-connection.js';
import { postgresDialect } from './postgres-dialect.js';

export interface PostgresOptions {
  /** `statement_timeout` in ms for every statement a migration runs; undefined keeps the server's. */
  statementTimeout?: number | undefined;
  /** Milliseconds strata waits for a connection from the caller's pool; 0 or undefined: no bound. */
  connectTimeout?: number | undefined;
}

/**
 * A backend busy in a long statement notices that its client died only when it next talks to it,
 * so a runner killed during `pg_sleep` or a long UPDATE would keep the advisory lock until the
 * statement ends. PostgreSQL 14+ can poll the socket meanwhile; older servers refuse the setting.
 */
const DISCONNECT_CHECK_MS = 1_000;

/** The caller's pg.Pool or connected pg.Client. strata never connects or ends it. */
export class PostgresDatabase implements Database {
  readonly dialect = postgresDialect;
  readonly reader: PostgresConnection;
  readonly handle: PgPoolLike | PgClientLike;
  readonly #options: PostgresOptions;

  constructor(handle: PgPoolLike | PgClientLike, options: PostgresOptions) {
    this.handle = handle;
    this.#options = options;
    this.reader = new PostgresConnection(
      isPgPool(handle) ? boundedPool(handle, this.#connectTimeout, (why) => this.#timedOut(why)) : handle,
      (error) => this.connectionFailure(error),
      () => this.#requireConnectedClient(),
    );
  }

  readonly runLock = new AdvisoryLock(() => this.#openCompanion());

  describe(): string {
    const params = isPgPool(this.handle) ? this.handle.options : (this.handle as PgClientLike).connectionParameters;
    const fromUrl = parseConnectionString((params as { connectionString?: string } | undefined)?.connectionString);
    const user = params?.user ?? fromUrl?.user;
    const host = params?.host ?? fromUrl?.host ?? 'localhost';
    const port = params?.port ?? fromUrl?.port ?? 5432;
    const database = params?.database ?? fromUrl?.database ?? '';
    return `postgres://${user ? `${user}@` : ''}${host}:${port}/${database}`;
  }

  async openSession(): Promise<PostgresSession> {
    this.#requireConnectedClient();
    let connection: PgQueryable;
    let release: (destroy: boolean) => void;
    try {
      if (isPgPool(this.handle)) {
        const client = await checkout(this.handle, this.#connectTimeout, (why) => this.#timedOut(why));
        connection = client;
        release = (destroy) => client.release(destroy);
      } else {
        connection = this.handle;
        release = () => {};
      }
    } catch (error) {
      throw this.connectionFailure(error);
    }
    return new PostgresSession(connection, (error) => this.connectionFailure(error), release);
  }

  /**
   * A second connection for the advisory lock's pooler check, when the caller's pool can give one
   * without waiting for the run's own session to come back (a pool of one would deadlock).
   */
  async #openCompanion(): Promise<Companion | undefined> {
    const pool = this.handle;
    if (!isPgPool(pool)) return undefined;
    const spare = pool.totalCount < (pool.options?.max ?? 10) || (pool.idleCount ?? 0) > 0;
    if (!spare) return undefined;
    let client: PgPoolClient;
    try {
      client = await checkout(pool, this.#connectTimeout, (why) => this.#timedOut(why));
    } catch (error) {
      throw this.connectionFailure(error);
    }
    return {
      connection: new PostgresConnection(client, (error) => this.connectionFailure(error)),
      release: () => client.release(true),
    };
  }

  /**
   * The history lives in its schema by name. A table of the same name only in other schemas (an
   * older strata followed search_path, or the `schema` option changed) is not silently replaced by
   * a new empty one — that would apply every migration again: the run stops and names it.
   */
  async pinHistoryTable(session: Session, configured: HistoryTableName): Promise<HistoryTableName> {
    const schema = configured.schema ?? 'public';
    const { rows } = await session.query(
      `SELECT n.nspname AS schema FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname = $1 AND c.relkind IN ('r', 'p') ORDER BY n.nspname`,
      [configured.table],
    );
    const found = rows.map((row) => String(row.schema));
    if (found.length > 0 && !found.includes(schema)) {
      throw new StrataError(
        'INVALID_OPTIONS',
        `the history table ${schema}.${configured.table} does not exist, but ${found.map((s) => `${s}.${configured.table}`).join(' and ')} does: ` +
          `pass the \`schema\` option (CLI --schema) naming the one that holds this database's history, so it is not started again from empty`,
        { table: configured.table, schema, foundIn: found },
      );
    }
    return { schema, table: configured.table };
  }

  async configureSession(session: Session): Promise<SessionSettings> {
    // Only once the lock is held: behind a pooler in transaction mode the lock refuses, and a
    // setting made before it would stay on whichever server connection ran it.
    try {
      await session.exec(`SET client_connection_check_interval = ${DISCONNECT_CHECK_MS}`);
    } catch (error) {
      // Servers before 14 do not know the setting; only a broken connection is a failure.
      if (session.broken) throw error;
    }
    const timeout = this.#options.statementTimeout;
    // Set after the lock is taken, so waiting for the lock is never cut short by it; sent again
    // with each step, so a migration's RESET ALL or SET cannot lift it for the steps after.
    const perStep = timeout === undefined ? undefined : `SET statement_timeout = ${Math.ceil(timeout)}`;
    return {
      perStep,
      // The caller's connection goes back as it came: these settings are ours, not theirs.
      restore: async () => {
        if (session.broken) return;
        await session.exec('RESET client_connection_check_interval').catch(() => {});
        if (timeout !== undefined) await session.exec('RESET statement_timeout').catch(() => {});
      },
    };
  }

  connectionFailure(error: unknown): unknown {
    if (error instanceof StrataError) return error;
    if ((error as { code?: unknown } | null)?.code === 'ERR_INVALID_URL') {
      return new StrataError(
        'INVALID_OPTIONS',
        'the pg connection string cannot be parsed; percent-encode special characters in the user name and password',
        {},
        { cause: error },
      );
    }
    if (isDriverConnectTimeout(error)) {
      // pg's own timeout (the pool's connectionTimeoutMillis) said the same as ours would: say it the same way.
      const bound = isPgPool(this.handle) ? this.handle.options?.connectionTimeoutMillis : undefined;
      if (typeof bound === 'number' && bound > 0) return connectTimedOut(this.describe(), bound, error);
    }
    const refused = this.dialect.isRefused(error);
    return refused || this.dialect.isTransient(error) ? connectionFailed(this.describe(), error, !refused) : error;
  }

  get #connectTimeout(): number {
    return this.#options.connectTimeout ?? 0;
  }

  #timedOut(why: CheckoutTimeout): StrataError {
    return connectTimedOut(this.describe(), this.#connectTimeout, undefined, why.kind === 'pool-busy' ? why.size : undefined);
  }

  /**
   * A pg.Client that was never connected queues queries forever: say so instead of hanging.
   * (pg keeps this state in private fields; a client without them is taken as it comes.)
   */
  #requireConnectedClient(): void {
    if (isPgPool(this.handle)) return;
    const state = this.handle as { _connected?: unknown; _connecting?: unknown; _ending?: unknown };
    if (state._ending === true) throw new StrataError('INVALID_OPTIONS', 'the pg.Client handed to strata has been ended');
    if (state._connected === false && state._connecting === false) {
      throw new StrataError(
        'INVALID_OPTIONS',
        'the pg.Client handed to strata is not connected: `await client.connect()` first (or pass a pg.Pool)',
      );
    }
  }
}

/** The parts of a connection string a message may show: never the password. */
function parseConnectionString(
  connectionString: string | undefined,
): { user?: string; host?: string; port?: number; database?: string } | undefined {
  if (!connectionString) return undefined;
  try {
    const url = new URL(connectionString);
    return {
      ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
      ...(url.hostname ? { host: url.hostname } : {}),
      ...(url.port ? { port: Number(url.port) } : {}),
      ...(url.pathname.length > 1 ? { database: decodeURIComponent(url.pathname.slice(1)) } : {}),
    };
  } catch {
    return undefined;
  }
}
