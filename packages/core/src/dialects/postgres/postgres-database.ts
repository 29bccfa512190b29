import { StrataError } from '../../errors.js';
import { AdvisoryLock } from '../../lock/advisory/advisory-lock.js';
import type { Companion } from '../../lock/advisory/pooler-check.js';
import { LeaseLock } from '../../lock/lease-lock.js';
import type { RunLock } from '../../lock/run-lock.js';
import { urlParts } from '../../redact.js';
import type { Session } from '../connection.js';
import { connectionFailed, connectTimedOut, isDriverConnectTimeout, stalledSession } from '../connection-errors.js';
import type { Database, ScratchDatabase, SessionSettings } from '../database.js';
import type { HistoryTableName } from '../dialect.js';
import { strataApplicationName } from './application-name.js';
import { openDirect } from './direct-connection.js';
import { isPgPool, type PgClientLike, type PgPoolClient, type PgPoolLike, type PgQueryable } from './pg-handles.js';
import { boundedPool, type CheckoutTimeout, checkout } from './pool-checkout.js';
import { PostgresConnection, PostgresSession } from './postgres-connection.js';
import { postgresDialect } from './postgres-dialect.js';
import { backendIdentity } from './stall-watch.js';

export interface PostgresOptions {
  /** Runs take their session over this URL (a direct connection) while reads keep using the handle. */
  directUrl?: string | undefined;
  /**
   * `lease`: the run lock is a row in `<table>_lease` (see LeaseLock), and nothing is set on the
   * session beyond one transaction, so a pooler in transaction mode hands back server connections
   * as it got them. Default: the session advisory lock.
   */
  lease?: { history: HistoryTableName; ttlMs?: number | undefined } | undefined;
  /** `statement_timeout` in ms for every statement a migration runs; undefined keeps the server's. */
  statementTimeout?: number | undefined;
  /** Milliseconds strata waits for a connection from the caller's pool; 0 or undefined: no bound. */
  connectTimeout?: number | undefined;
  /**
   * Milliseconds the run's session may sit idle, waiting for strata, before the server ends it
   * (`idle_in_transaction_session_timeout`, `idle_session_timeout`), and a round trip may wait before
   * strata asks the server whether the network stalled; 0 or undefined: neither.
   */
  stallTimeout?: number | undefined;
}

/** The server's idle timeouts strata sets on the run's session; idle_session_timeout exists from PostgreSQL 14. */
const IDLE_SETTINGS = ['idle_in_transaction_session_timeout', 'idle_session_timeout'] as const;

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
  readonly runLock: RunLock;
  readonly #options: PostgresOptions;
  /** Other connections of the caller's pool, from which a stalled session is seen; undefined with one client. */
  readonly #lookout: PgQueryable | undefined;

  constructor(handle: PgPoolLike | PgClientLike, options: PostgresOptions) {
    this.handle = handle;
    this.#options = options;
    const pooled = isPgPool(handle) ? boundedPool(handle, this.#connectTimeout, (why) => this.#timedOut(why)) : undefined;
    this.reader = new PostgresConnection(
      pooled ?? handle,
      (error) => this.connectionFailure(error),
      () => this.#requireConnectedClient(),
    );
    const { lease } = options;
    this.runLock = lease
      ? new LeaseLock(
          { schema: lease.history.schema ?? this.dialect.defaultSchema, table: lease.history.table },
          this.dialect.quoteIdentifier,
          this.reader,
          { ttlMs: lease.ttlMs },
        )
      : new AdvisoryLock(() => this.#openCompanion());
    // A pool of one connection has none to spare while the run holds it.
    this.#lookout = isPgPool(handle) && (handle.options?.max ?? 10) > 1 ? pooled : undefined;
  }

  describe(): string {
    const params = isPgPool(this.handle) ? this.handle.options : (this.handle as PgClientLike).connectionParameters;
    const fromUrl = urlParts((params as { connectionString?: string } | undefined)?.connectionString);
    const user = params?.user ?? fromUrl?.user;
    const host = params?.host ?? fromUrl?.host ?? 'localhost';
    const port = params?.port ?? fromUrl?.port ?? 5432;
    const database = params?.database ?? fromUrl?.database ?? '';
    // One rule for every message: a password that exists shows as *** (as redactUrl writes it), so
    // the reader knows one was sent; none shows as none.
    const password = (params as { password?: unknown } | undefined)?.password ?? fromUrl?.password;
    const secret = password !== undefined && password !== null && password !== '' ? ':***' : '';
    return `postgres://${user ? `${user}${secret}@` : ''}${host}:${port}/${database}`;
  }

  async openSession(): Promise<PostgresSession> {
    this.#requireConnectedClient();
    let connection: PgQueryable;
    let release: (destroy: boolean) => void;
    try {
      if (this.#options.directUrl) {
        ({ connection, release } = await openDirect(this.handle, this.#options.directUrl, this.#connectTimeout));
      } else if (isPgPool(this.handle)) {
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
    const session = new PostgresSession(connection, (error) => this.connectionFailure(error), release);
    // The lease is for poolers: the session is used as it comes (see configureSession).
    if (this.#options.lease) return session;
    await this.#watchForStalls(session, connection);
    return session;
  }

  /** Every round trip of the session, lock polls included, is watched from another connection of the pool. */
  async #watchForStalls(session: PostgresSession, connection: PgQueryable): Promise<void> {
    const stallMs = this.#stallTimeout;
    const look = this.#lookout;
    if (stallMs === 0 || !look) return;
    let backend: Awaited<ReturnType<typeof backendIdentity>>;
    try {
      backend = await backendIdentity(session.pg);
    } catch (error) {
      if (!session.broken) return;
      await session.close(true);
      throw this.connectionFailure(error);
    }
    // Behind a pooler the client's key names no backend of ours (PgBouncer makes one up), and the
    // backend a query reaches may serve other clients: what the server says of it is no verdict.
    const processID = (connection as { processID?: unknown }).processID;
    if (!backend || (typeof processID === 'number' && processID !== backend.pid)) return;
    session.watchForStalls(backend, {
      stallMs,
      look,
      failure: (verdict) => stalledSession(this.describe(), stallMs, verdict),
    });
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
      `SELECT n.nspname AS schema, pg_catalog.current_schemas(false)::text[] AS path
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname = $1 AND c.relkind IN ('r', 'p') ORDER BY n.nspname`,
      [configured.table],
    );
    const found = rows.map((row) => String(row.schema));
    // A session whose search_path is the history's own schema alone is a tenant's (schema per
    // tenant, as a fleet runs them): the same table in other schemas is other tenants' histories.
    const path = rows[0]?.path;
    const tenant = schema !== 'public' && Array.isArray(path) && path.length === 1 && path[0] === schema;
    if (found.length > 0 && !found.includes(schema) && !tenant) {
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
    const timeout = this.#options.statementTimeout;
    // Set after the lock is taken, so waiting for the lock is never cut short by them (a waiter
    // sits idle between polls), and sent again with each step, so a migration's RESET ALL or SET
    // cannot lift them for the steps after.
    if (this.#options.lease) {
      // Through a pooler nothing may outlive a transaction: SET LOCAL in each step's own transaction
      // (a -- no-transaction step runs without them; the README says so).
      const local = new Map<string, number>();
      if (this.#stallTimeout > 0) local.set('idle_in_transaction_session_timeout', this.#stallTimeout);
      if (timeout !== undefined) local.set('statement_timeout', Math.ceil(timeout));
      return { perStep: local.size === 0 ? undefined : assignments(local, 'SET LOCAL'), restore: async () => {} };
    }
    // Only once the lock is held: behind a pooler in transaction mode the advisory lock refuses, and
    // a setting made before it would stay on whichever server connection ran it.
    try {
      // Naming rides in the same round trip, first, so a server that refuses the setting (before 14)
      // leaves the name unset rather than costing a round trip of its own.
      await session.exec(`${nameSession()};\nSET client_connection_check_interval = ${DISCONNECT_CHECK_MS}`);
    } catch (error) {
      // Servers before 14 do not know the setting; only a broken connection is a failure.
      if (session.broken) throw error;
    }
    // The idle timeouts at once (a stall may come before the first step), the statement timeout
    // with the steps alone.
    const settings = await this.#setIdleTimeouts(session);
    if (timeout !== undefined) settings.set('statement_timeout', Math.ceil(timeout));
    const perStep = settings.size === 0 ? undefined : assignments(settings, 'SET');
    return {
      perStep,
      // The caller's connection goes back as it came: these settings are ours, not theirs.
      restore: async () => {
        if (session.broken) return;
        // Apart: a server older than 14 refuses this one, and a failing statement undoes the whole script.
        await session.exec(`${unnameSession()};\nRESET client_connection_check_interval`).catch(() => {});
        if (settings.size > 0)
          await session.exec([...settings.keys()].map((name) => `RESET ${name}`).join(';\n')).catch(() => {});
      },
    };
  }

  /**
   * A runner whose network stalls (nothing cut, nothing answered) leaves its backend waiting for
   * it: idle in a transaction between the two round trips of a step, holding the step's table
   * locks, or idle between steps, holding the migration lock. The server ends such a session after
   * `stallTimeout`, which frees both. A shorter value the session already has is kept. One round
   * trip reads and sets them (idle_session_timeout exists from PostgreSQL 14); returns what was set.
   */
  async #setIdleTimeouts(session: Session): Promise<Map<string, number>> {
    const bound = this.#stallTimeout;
    const set = new Map<string, number>();
    if (bound === 0) return set;
    const { rows } = await session.query(
      `SELECT name, value, pg_catalog.set_config(name, value::text, false) AS applied
         FROM (SELECT name, CASE WHEN setting::bigint > 0 AND setting::bigint < $1 THEN setting::bigint ELSE $1 END AS value
                 FROM pg_catalog.pg_settings WHERE name = ANY($2)) AS idle`,
      [bound, [...IDLE_SETTINGS]],
    );
    for (const row of rows) set.set(String(row.name), Number(row.value));
    return set;
  }

  async createScratch(): Promise<ScratchDatabase> {
    // Only validate --reversible and the drift check build a scratch database: loaded for them alone.
    const { createPostgresScratch } = await import('./postgres-scratch.js');
    return createPostgresScratch(this.handle, this.reader);
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

  get #stallTimeout(): number {
    return Math.ceil(this.#options.stallTimeout ?? 0);
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

/** `SET name = value` for each setting, as one script. */
function assignments(settings: Map<string, number>, scope: 'SET' | 'SET LOCAL'): string {
  return [...settings].map(([name, value]) => `${scope} ${name} = ${value}`).join(';\n');
}

/**
 * Names a run's session `strata <host>:<pid>` while it holds the lock, so those waiting can tell
 * which process holds it, when the caller's connection has no name (an app's pool often has none);
 * a name the caller set is theirs and stays.
 */
function nameSession(): string {
  return `SELECT pg_catalog.set_config('application_name', ${sqlString(strataApplicationName())}, false) WHERE pg_catalog.current_setting('application_name') = ''`;
}

/** Gives back the connection as it came: unnamed, if strata named it. */
function unnameSession(): string {
  return `SELECT pg_catalog.set_config('application_name', '', false) WHERE pg_catalog.current_setting('application_name') = ${sqlString(strataApplicationName())}`;
}

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
