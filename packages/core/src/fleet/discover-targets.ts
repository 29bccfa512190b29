import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { StrataError } from '../errors.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../migrator.js';
import { redactUrl } from '../redact.js';
import { serverConcurrency } from './default-concurrency.js';
import type { FleetDrivers } from './drivers.js';
import type { FleetTargetInput } from './fleet-target.js';
import { fleetTargets } from './fleet-target.js';
import { TargetConnection } from './target-connection.js';

export interface QueryTargetsOptions {
  /** Each row names a schema of the URL's database (schema-per-tenant), not a database of its server. */
  perSchema?: boolean;
  drivers?: FleetDrivers;
  connectTimeout?: number;
}

/**
 * Asks the server at `url` which tenants exist: the first column of each row of `sql` is a
 * database name on that server (each target is `url` with its database swapped) or, `perSchema`,
 * a schema of `url`'s database. Also returns the server's default concurrency, read on the same
 * connection, which is closed before the fleet starts.
 */
export async function targetsFromQuery(
  url: string,
  sql: string,
  options: QueryTargetsOptions = {},
): Promise<{ targets: FleetTargetInput[]; concurrency: number }> {
  const [server] = fleetTargets([url]);
  if (server?.kind !== 'postgres') {
    throw new StrataError('INVALID_OPTIONS', `a targets query runs on PostgreSQL; ${redactUrl(url)} is not a postgres:// URL`);
  }
  const connection = new TargetConnection({ ...options.drivers }, options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS);
  try {
    const client = await connection.open(server);
    const { rows } = await (client as { query(text: string): Promise<{ rows: Record<string, unknown>[] }> }).query(sql);
    const names = [...new Set(rows.map((row, i) => tenantName(row, i)))];
    const concurrency = await serverConcurrency(client as never);
    const targets = names.map((name) => (options.perSchema ? { url, schema: name } : withDatabase(url, name)));
    return { targets, concurrency };
  } finally {
    await connection.close();
  }
}

function tenantName(row: Record<string, unknown>, index: number): string {
  const value = Object.values(row)[0];
  if (typeof value !== 'string' || value === '') {
    throw new StrataError(
      'INVALID_OPTIONS',
      `row ${index + 1} of the targets query has no name in its first column (got ${value === null ? 'NULL' : typeof value})`,
    );
  }
  return value;
}

/** The same server, user and parameters; another database. */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

const SQLITE_EXTENSIONS = /\.(db|sqlite|sqlite3)$/i;

/**
 * SQLite fleet members: every `.db`, `.sqlite` or `.sqlite3` file of a directory, or the files a
 * pattern names (`*` and `?` in the last part of the path: `tenants/*.db`), sorted by name, as
 * `sqlite://` URLs of absolute paths.
 */
export async function sqliteFleetFiles(pattern: string, cwd = process.cwd()): Promise<string[]> {
  const full = resolve(cwd, pattern);
  const isDirectory = await stat(full).then(
    (found) => found.isDirectory(),
    () => false,
  );
  const directory = isDirectory ? full : dirname(full);
  const match = isDirectory ? (name: string) => SQLITE_EXTENSIONS.test(name) : globMatcher(basename(full));
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (cause) {
    throw new StrataError('SOURCE_NOT_FOUND', `cannot list ${directory} for SQLite targets: ${(cause as Error).message}`);
  }
  return entries
    .filter(match)
    .sort()
    .map((name) => `sqlite://${join(directory, name).split('/').map(encodeURIComponent).join('/')}`);
}

function globMatcher(pattern: string): (name: string) => boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`);
  return (name) => regex.test(name);
}
