import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MysqlConnectionLike, MysqlPoolLike } from '../dialects/mysql/mysql-handles.js';
import type { PgClientLike, PgPoolLike } from '../dialects/postgres/pg-handles.js';
import type { SqliteDatabaseLike } from '../dialects/sqlite/sqlite-handle.js';
import { UsageError } from './usage-error.js';

/** The parts of `pg` the CLI uses: the handles the engine takes, plus what opening and closing them needs. */
export interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool;
  Client: new (config: Record<string, unknown>) => PgClient;
}

interface Closable {
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(): Promise<void>;
}

export interface PgPool extends PgPoolLike, Closable {}

export interface PgClient extends PgClientLike, Closable {}

/** The parts of `better-sqlite3` the CLI uses. */
export type SqliteConstructor = new (
  path: string,
  options?: { fileMustExist?: boolean; readonly?: boolean },
) => SqliteDatabaseLike & { close(): void };

const DRIVERS = {
  pg: { label: 'PostgreSQL', install: 'npm install pg' },
  mysql2: { label: 'MySQL', install: 'npm install mysql2' },
  'better-sqlite3': { label: 'SQLite', install: 'npm install better-sqlite3' },
} as const;

/** The parts of `mysql2` (its callback API) the CLI uses. */
export interface Mysql2Module {
  createPool(config: Record<string, unknown>): MysqlPool;
  createConnection(config: Record<string, unknown>): MysqlPlainConnection;
}

export interface MysqlPool extends MysqlPoolLike {
  end(callback?: (error?: Error | null) => void): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface MysqlPlainConnection extends MysqlConnectionLike {
  connect(callback: (error: Error | null) => void): void;
  end(callback?: (error?: Error | null) => void): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export async function loadMysql2(cwd: string): Promise<Mysql2Module> {
  return (await loadPackage('mysql2', cwd)) as Mysql2Module;
}

export async function loadPg(cwd: string): Promise<PgModule> {
  return (await withNavigator(() => loadPackage('pg', cwd))) as PgModule;
}

/**
 * pg 8 asks while it loads whether it runs on Cloudflare Workers: without a global `navigator`
 * (Node 20; Node 21+ has one) it builds a `Response`, which loads Node's whole fetch
 * implementation (undici) — half of what importing pg costs, paid by every command. A
 * `navigator` that exists only while pg loads answers the question first; the CLI process starts
 * nothing else meanwhile, and the global is gone before any other code runs.
 */
async function withNavigator<T>(load: () => Promise<T>): Promise<T> {
  if ('navigator' in globalThis) return load();
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: `Node.js/${process.versions.node}` },
    configurable: true,
    writable: true,
  });
  try {
    return await load();
  } finally {
    delete (globalThis as { navigator?: unknown }).navigator;
  }
}

export async function loadBetterSqlite3(cwd: string): Promise<SqliteConstructor> {
  return (await loadPackage('better-sqlite3', cwd)) as SqliteConstructor;
}

/**
 * Drivers are optional peers: imported only when a URL needs one. They are looked up beside
 * this package first, then from the working directory (a globally installed or npx-fetched CLI
 * still finds the project's own driver).
 */
async function loadPackage(name: keyof typeof DRIVERS, cwd: string): Promise<unknown> {
  const specifier: string = name;
  try {
    return unwrapDefault(await import(specifier));
  } catch (error) {
    if (!isMissing(error, name)) throw error;
  }
  try {
    const resolved = createRequire(join(cwd, 'package.json')).resolve(name);
    return unwrapDefault(await import(pathToFileURL(resolved).href));
  } catch (error) {
    if (!isMissing(error, name)) throw error;
  }
  const driver = DRIVERS[name];
  throw new UsageError(`the ${driver.label} driver "${name}" is not installed; install it with: ${driver.install}`, {
    code: 'DRIVER_NOT_INSTALLED',
  });
}

function unwrapDefault(module: unknown): unknown {
  const withDefault = module as { default?: unknown };
  return withDefault.default ?? module;
}

/** Only the package itself being absent counts; a broken install of it must surface as it is. */
function isMissing(error: unknown, name: string): boolean {
  const { code, message } = error as { code?: string; message?: string };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  return new RegExp(`['"]${name.replace(/[-/]/g, '\\$&')}['"]`).test(message ?? '');
}
