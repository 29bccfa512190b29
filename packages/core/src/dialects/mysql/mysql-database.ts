import { StrataError } from '../../errors.js';
import type { RunLock } from '../../lock/run-lock.js';
import type { Session } from '../connection.js';
import { connectionFailed, connectTimedOut } from '../connection-errors.js';
import type { Database, SessionSettings } from '../database.js';
import type { HistoryTableName } from '../dialect.js';
import { currentDatabase, GetLock } from './get-lock.js';
import { MysqlConnection, MysqlSession, runOn } from './mysql-connection.js';
import { mysqlDialect } from './mysql-dialect.js';
import {
  type MysqlConnectionConfig,
  type MysqlConnectionLike,
  type MysqlCore,
  type MysqlHandleLike,
  type MysqlPoolLike,
  mysqlCore,
} from './mysql-handles.js';

export interface MysqlOptions {
  /** Milliseconds strata waits for a connection from the caller's pool; 0 or undefined: no bound. */
  connectTimeout?: number | undefined;
  /**
   * Milliseconds a statement of a migration may run: MariaDB's `max_statement_time` (every
   * statement), MySQL's `max_execution_time` (read-only SELECTs alone: the server bounds no other).
   */
  statementTimeout?: number | undefined;
}

/** The caller's mysql2 pool, pool cluster or connection (callback or promise API). strata never ends it. */
export class MysqlDatabase implements Database {
  readonly dialect = mysqlDialect;
  readonly handle: MysqlHandleLike;
  readonly reader: MysqlConnection;
  readonly runLock: RunLock = new GetLock();
  readonly #core: MysqlCore;
  readonly #connectTimeout: number;
  readonly #statementTimeout: number | undefined;

  constructor(handle: MysqlHandleLike, options: MysqlOptions) {
    const core = mysqlCore(handle);
    if (!core) throw new StrataError('UNSUPPORTED_DATABASE', 'db is not a mysql2 pool, pool cluster or connection');
    this.handle = handle;
    this.#core = core;
    this.#connectTimeout = options.connectTimeout ?? 0;
    this.#statementTimeout = options.statementTimeout;
    const wrap = (error: unknown) => this.connectionFailure(error);
    this.reader =
      core.kind === 'connection'
        ? new MysqlConnection((query) => runOn(core.connection, query), wrap)
        : new MysqlConnection(async (query) => {
            const connection = await this.#checkout(core.pool);
            try {
              return await runOn(connection, query);
            } finally {
              connection.release?.();
            }
          }, wrap);
  }

  describe(): string {
    const config = this.#config();
    if (!config) return 'mysql://(pool cluster)';
    const user = config.user ? `${config.user}@` : '';
    return `mysql://${user}${config.host ?? 'localhost'}:${config.port ?? 3306}/${config.database ?? ''}`;
  }

  async openSession(): Promise<MysqlSession> {
    const wrap = (error: unknown) => this.connectionFailure(error);
    if (this.#core.kind === 'connection') return new MysqlSession(this.#core.connection, wrap, () => {});
    let connection: MysqlConnectionLike;
    try {
      connection = await this.#checkout(this.#core.pool);
    } catch (error) {
      throw this.connectionFailure(error);
    }
    return new MysqlSession(connection, wrap, (destroy) => (destroy ? connection.destroy?.() : connection.release?.()));
  }

  /**
   * The history lives in the session's database by name: a migration's `USE other` must not make
   * the next step's history write (or the next release) look in another database.
   */
  async pinHistoryTable(session: Session, configured: HistoryTableName): Promise<HistoryTableName> {
    return { schema: configured.schema ?? (await currentDatabase(session)), table: configured.table };
  }

  /**
   * The statement timeout, set once the lock is held (waiting for it is never cut short) and sent
   * again before each step, so a migration's own SET cannot lift it for the steps after; the
   * session's own value is put back after the run.
   */
  async configureSession(session: Session): Promise<SessionSettings> {
    const timeout = this.#statementTimeout;
    if (timeout === undefined) return { perStep: undefined, restore: async () => {} };
    const [flavour] = await session.values('SELECT VERSION() LIKE ?', ['%MariaDB%']);
    const variable = Number(flavour?.[0]) === 1 ? 'max_statement_time' : 'max_execution_time';
    const [current] = await session.values(`SELECT @@SESSION.${variable}`);
    // The server refuses a quoted value for these variables: the session's own goes back as a number literal.
    const before = Number(current?.[0]);
    const previous = Number.isFinite(before) && before >= 0 ? String(before) : 'DEFAULT';
    // MariaDB counts seconds (to the microsecond), MySQL milliseconds.
    const value = variable === 'max_statement_time' ? (timeout / 1000).toFixed(6) : String(Math.ceil(timeout));
    return {
      perStep: `SET SESSION ${variable} = ${value}`,
      restore: async () => {
        if (session.broken) return;
        await session.exec(`SET SESSION ${variable} = ${previous}`).catch(() => {});
      },
    };
  }

  connectionFailure(error: unknown): unknown {
    if (error instanceof StrataError) return error;
    const refused = this.dialect.isRefused(error);
    return refused || this.dialect.isTransient(error) ? connectionFailed(this.describe(), error, !refused) : error;
  }

  #config(): MysqlConnectionConfig | undefined {
    if (this.#core.kind === 'connection') return this.#core.connection.config;
    return this.#core.pool.config?.connectionConfig;
  }

  /**
   * A connection from the pool, waiting at most the connect timeout: past it the attempt is
   * abandoned, and a connection that still arrives is destroyed rather than kept or leaked.
   */
  #checkout(pool: MysqlPoolLike): Promise<MysqlConnectionLike> {
    const bound = this.#connectTimeout;
    return new Promise((resolve, reject) => {
      let abandoned = false;
      const timer =
        bound > 0
          ? setTimeout(() => {
              abandoned = true;
              reject(connectTimedOut(this.describe(), bound));
            }, bound)
          : undefined;
      pool.getConnection((error, connection) => {
        if (abandoned) {
          connection?.destroy?.();
          return;
        }
        clearTimeout(timer);
        if (error || !connection) reject(error ?? new Error('the pool gave no connection'));
        else resolve(connection);
      });
    });
  }
}
