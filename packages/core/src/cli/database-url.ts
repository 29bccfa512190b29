import { isAbsolute, resolve } from 'node:path';
import { redactUrl } from '../redact.js';
import { type MysqlTarget, parseMysql } from './mysql-url.js';
import { DEFAULT_CONNECT_TIMEOUT_S, decodeUrlPart, MAX_TIMER_MS } from './url-parts.js';

export { DEFAULT_CONNECT_TIMEOUT_S };

import { UsageError } from './usage-error.js';

export type DatabaseTarget = PostgresTarget | SqliteTarget | MysqlTarget;

export interface PostgresTarget {
  kind: 'postgres';
  url: string;
  /** The database the URL names, or undefined (then the server uses the user's name). */
  database: string | undefined;
  /** The password, to scrub from anything printed. */
  password: string | undefined;
  /** The URL for display, password removed. */
  display: string;
  /**
   * How long to wait for the server to answer a connection, in ms; 0 waits. --connect-timeout, else
   * the URL's `connect_timeout` (seconds, as libpq reads it), else DEFAULT_CONNECT_TIMEOUT_S.
   */
  connectTimeoutMs: number;
}

export interface SqliteTarget {
  kind: 'sqlite';
  /** Absolute path, or `:memory:`. */
  path: string;
  memory: boolean;
  /** `?mode=rwc`: create the file when it is missing. */
  create: boolean;
  /** `?mode=ro`. */
  readOnly: boolean;
  display: string;
}

const SQLITE_MODES = new Set(['ro', 'rw', 'rwc', 'memory']);

/**
 * Reads a database URL the way SQLx does: `postgres://` / `postgresql://`, and `sqlite:` in its
 * forms: `sqlite::memory:`, `sqlite://app.db` and `sqlite:app.db` (relative to the working
 * directory), `sqlite:///abs/app.db` (absolute), with `?mode=ro|rw|rwc|memory`. Without
 * `mode=rwc` a missing file is an error, as with SQLx.
 */
export function parseDatabaseUrl(url: string, cwd: string, connectTimeoutMs?: number): DatabaseTarget {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1];
  if (!scheme) {
    throw new UsageError(`the database URL ${redactUrl(url)} has no scheme`, {
      code: 'NO_SCHEME',
      hint: 'use postgres://user@host/db, mysql://user@host/db, sqlite://app.db or sqlite::memory:',
    });
  }
  switch (scheme.toLowerCase()) {
    case 'postgres':
    case 'postgresql':
      return parsePostgres(url, connectTimeoutMs);
    case 'sqlite':
      return parseSqlite(url, cwd);
    case 'mysql':
    case 'mariadb':
      return parseMysql(url, connectTimeoutMs);
    default:
      throw new UsageError(`no driver found for URL scheme "${scheme}"`, {
        code: 'UNKNOWN_SCHEME',
        hint: 'strata supports postgres://, postgresql:// (driver pg), mysql://, mariadb:// (driver mysql2) and sqlite: (driver better-sqlite3)',
      });
  }
}

function parsePostgres(url: string, connectTimeoutMs: number | undefined): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`the database URL ${redactUrl(url)} is not a valid URL`, { code: 'INVALID_URL' });
  }
  const path = parsed.pathname.replace(/^\//, '');
  return {
    kind: 'postgres',
    url,
    database: path ? decodeUrlPart(path, url) : undefined,
    password: parsed.password ? decodeUrlPart(parsed.password, url) : undefined,
    display: redactUrl(url),
    // The flag wins over the URL, as a command-line flag does over configuration.
    // Node's timers (and pg's) take at most 2^31 - 1 ms; anything longer is as good as waiting.
    connectTimeoutMs: Math.min(
      connectTimeoutMs ?? urlConnectTimeout(parsed, url) ?? DEFAULT_CONNECT_TIMEOUT_S * 1000,
      MAX_TIMER_MS,
    ),
  };
}

/**
 * libpq's `connect_timeout`: whole seconds; 0 or less waits indefinitely. pg ignores the parameter,
 * so strata applies it. Anything that is not an integer is refused, as libpq refuses it.
 */
function urlConnectTimeout(parsed: URL, url: string): number | undefined {
  const text = parsed.searchParams.get('connect_timeout');
  if (text === null) return undefined;
  if (!/^\s*[-+]?\d+\s*$/.test(text)) {
    throw new UsageError(
      `connect_timeout in the database URL ${redactUrl(url)} must be a whole number of seconds, not "${text}"`,
      {
        code: 'INVALID_URL',
        hint: 'for example ?connect_timeout=10 (0 waits indefinitely); --connect-timeout overrides it',
      },
    );
  }
  return Math.max(0, Number(text)) * 1000;
}

function parseSqlite(url: string, cwd: string): SqliteTarget {
  const rest = url.replace(/^sqlite:(\/\/)?/i, '');
  const question = rest.indexOf('?');
  const rawPath = question === -1 ? rest : rest.slice(0, question);
  const params = new URLSearchParams(question === -1 ? '' : rest.slice(question + 1));
  const mode = params.get('mode') ?? undefined;
  if (mode !== undefined && !SQLITE_MODES.has(mode)) {
    throw new UsageError(`unknown SQLite mode "${mode}" in ${url}`, {
      code: 'INVALID_URL',
      hint: 'mode is one of ro, rw, rwc, memory',
    });
  }
  const memory = rawPath === ':memory:' || mode === 'memory';
  if (memory) {
    return { kind: 'sqlite', path: ':memory:', memory: true, create: true, readOnly: false, display: 'sqlite::memory:' };
  }
  if (rawPath === '') {
    throw new UsageError(`the SQLite URL ${url} names no file`, {
      code: 'INVALID_URL',
      hint: 'for example sqlite://app.db (relative), sqlite:///var/lib/app.db (absolute) or sqlite::memory:',
    });
  }
  const decoded = decodeUrlPart(rawPath, url);
  const path = isAbsolute(decoded) ? decoded : resolve(cwd, decoded);
  return { kind: 'sqlite', path, memory: false, create: mode === 'rwc', readOnly: mode === 'ro', display: url };
}
