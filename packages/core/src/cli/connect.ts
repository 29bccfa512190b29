import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DialectName } from '../dialects/dialect.js';
import { strataApplicationName } from '../dialects/postgres/application-name.js';
import type { DatabaseHandle } from '../dialects/registry.js';
import { StrataError } from '../errors.js';
import type { DatabaseTarget, PostgresTarget, SqliteTarget } from './database-url.js';
import { loadBetterSqlite3, loadMysql2, loadPg } from './load-driver.js';
import { mysqlConfig } from './mysql-config.js';
import type { MysqlTarget } from './mysql-url.js';

export interface OpenDatabase {
  target: DatabaseTarget;
  handle: DatabaseHandle;
  close(): Promise<void>;
  /** Its first connection was started ahead of the engine (context.migrator); done once per handle. */
  warm?: boolean;
}

/**
 * The name PostgreSQL shows in pg_stat_activity, so a lock wait elsewhere can say who holds the
 * lock: `strata <host>:<pid>`, unless the URL names one (`?application_name=`, which pg lets win).
 */
export const APPLICATION_NAME = strataApplicationName();

/**
 * TCP keepalive on every connection the CLI opens: a connection idle this long (waiting for an
 * answer whose request was acknowledged, say) is probed, and Node (libuv) gives up after 10
 * unanswered probes a second apart, so a peer that died or vanished behind a stalled network is
 * noticed in about 20 s rather than after the kernel's default of 2 h 11 min.
 */
export const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

/** How the CLI opens each database kind; a new dialect without an entry does not compile. */
const OPENERS: { [K in DialectName]: (target: Extract<DatabaseTarget, { kind: K }>, cwd: string) => Promise<OpenDatabase> } = {
  postgres: openPostgres,
  sqlite: openSqlite,
  mysql: openMysql,
};

export async function openDatabase(target: DatabaseTarget, cwd: string): Promise<OpenDatabase> {
  return (OPENERS[target.kind] as (target: DatabaseTarget, cwd: string) => Promise<OpenDatabase>)(target, cwd);
}

async function openPostgres(target: PostgresTarget, cwd: string): Promise<OpenDatabase> {
  const pg = await loadPg(cwd);
  // A pool, not a client: the engine holds the lock on one connection while reading on others.
  const pool = new pg.Pool({
    ...connectionParts(target.url),
    connectionString: target.url,
    application_name: APPLICATION_NAME,
    max: 4,
    // pg's own bound on each connection (the Migrator bounds its waits by the same time): a server
    // that accepts and never answers the startup ends the attempt, and the process can exit.
    connectionTimeoutMillis: target.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
  });
  // An idle connection dropped by the server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const sockets = new Set<ClosingSocket>();
  (pool as unknown as { on(event: 'connect', listener: (client: unknown) => void): unknown }).on('connect', (client) => {
    const socket = (client as { connection?: { stream?: ClosingSocket } }).connection?.stream;
    if (socket && typeof socket.unref === 'function') sockets.add(socket);
  });
  return {
    target,
    handle: pool,
    close: async () => {
      await pool.end();
      for (const socket of sockets) letGo(socket);
    },
  };
}

interface ClosingSocket {
  unref(): unknown;
  writableFinished?: boolean;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * pg's end() sends Terminate and its half of the close, then the socket stays open until the
 * server's backend has exited and closed its side: 10-20 ms on a quiet machine, 40-60 under load,
 * which a CLI about to exit spent doing nothing (psql does not wait for it). Once everything was
 * written (Terminate included: 'finish'), the socket no longer keeps the process alive; the kernel
 * completes the close the process started.
 */
function letGo(socket: ClosingSocket): void {
  if (socket.writableFinished !== false) socket.unref();
  else socket.once('finish', () => socket.unref());
}

/**
 * pg reads everything from connectionString, but the engine names the server in its messages from
 * the pool's host/port/database/user options, so those are given too (with the same values).
 */
function connectionParts(url: string): Record<string, string | number> {
  const parsed = new URL(url);
  const parts: Record<string, string | number> = {};
  const host = parsed.hostname || parsed.searchParams.get('host');
  if (host) parts.host = host;
  if (parsed.port) parts.port = Number(parsed.port);
  if (parsed.username) parts.user = decodeURIComponent(parsed.username);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database) parts.database = database;
  return parts;
}

async function openMysql(target: MysqlTarget, cwd: string): Promise<OpenDatabase> {
  const mysql2 = await loadMysql2(cwd);
  // A pool, as for PostgreSQL: the run holds GET_LOCK on one connection while reads use others.
  const pool = mysql2.createPool({ ...mysqlConfig(target, { database: true }), connectionLimit: 4 });
  return {
    target,
    handle: pool,
    close: () => new Promise<void>((resolve) => pool.end(() => resolve())),
  };
}

async function openSqlite(target: SqliteTarget, cwd: string): Promise<OpenDatabase> {
  const Database = await loadBetterSqlite3(cwd);
  if (!target.memory && !existsSync(target.path)) {
    if (!target.create) {
      throw new StrataError(
        'CONNECTION_FAILED',
        `cannot open SQLite database ${target.path}: the file does not exist ` +
          '(create it with `strata database create`, or add ?mode=rwc to the URL to create it on connect)',
        { databaseCode: 'SQLITE_CANTOPEN' },
      );
    }
    if (!existsSync(dirname(target.path))) {
      throw new StrataError(
        'CONNECTION_FAILED',
        `cannot create SQLite database ${target.path}: the directory ${dirname(target.path)} does not exist`,
        { databaseCode: 'SQLITE_CANTOPEN' },
      );
    }
  }
  let db: InstanceType<typeof Database>;
  try {
    db = new Database(target.path, { fileMustExist: !target.create && !target.memory, readonly: target.readOnly });
  } catch (cause) {
    throw new StrataError(
      'CONNECTION_FAILED',
      `cannot open SQLite database ${target.path}: ${(cause as Error).message}`,
      { databaseCode: (cause as { code?: string }).code },
      { cause },
    );
  }
  return {
    target,
    handle: db,
    close: async () => {
      if (db.open) db.close();
    },
  };
}
