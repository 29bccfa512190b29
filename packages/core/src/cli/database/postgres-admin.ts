import { connectionFailed, connectTimedOut, isDriverConnectTimeout } from '../../dialects/connection-errors.js';
import { quoteIdentifier } from '../../dialects/identifiers.js';
import { isConnectionError } from '../../dialects/registry.js';
import { redactUrl } from '../../redact.js';
import { APPLICATION_NAME, KEEPALIVE_INITIAL_DELAY_MS } from '../connect.js';
import type { PostgresTarget } from '../database-url.js';
import { loadPg, type PgClient } from '../load-driver.js';
import { UsageError } from '../usage-error.js';
import type { DatabaseAdmin } from './admin.js';

/**
 * A database cannot create or drop itself, so this connects to the same server's `postgres`
 * maintenance database (`template1` when the target is `postgres` itself, or `postgres` is absent).
 */
export async function postgresAdmin(target: PostgresTarget, cwd: string): Promise<DatabaseAdmin> {
  const name = target.database;
  if (!name) {
    throw new UsageError(`the URL ${target.display} names no database`, {
      hint: 'put the database name in the URL path, e.g. postgres://user@localhost:5432/app',
    });
  }
  const pg = await loadPg(cwd);
  const candidates = name === 'postgres' ? ['template1'] : ['postgres', 'template1'];
  let client: PgClient | undefined;
  let lastError: unknown;
  for (const maintenance of candidates) {
    const url = withDatabase(target.url, maintenance);
    const attempt = new pg.Client({
      connectionString: url,
      application_name: APPLICATION_NAME,
      connectionTimeoutMillis: target.connectTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_INITIAL_DELAY_MS,
    });
    attempt.on('error', () => {});
    try {
      await attempt.connect();
      client = attempt;
      break;
    } catch (error) {
      lastError = error;
      await attempt.end().catch(() => {});
      // 3D000: that maintenance database does not exist; try the next one.
      if ((error as { code?: string }).code !== '3D000') break;
    }
  }
  if (!client) {
    const where = redactUrl(withDatabase(target.url, candidates[0]!));
    if (isDriverConnectTimeout(lastError)) throw connectTimedOut(where, target.connectTimeoutMs, lastError);
    throw isConnectionError(lastError) ? connectionFailed(where, lastError, true) : lastError;
  }
  const connected = client;
  const server = redactUrl(withDatabase(target.url, '')).replace(/\/(\?|$)/, '$1');
  return {
    name,
    location: server,
    async exists() {
      const { rows } = await connected.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      return rows.length > 0;
    },
    async create() {
      await connected.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    },
    async drop(force) {
      await connected.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}${force ? ' WITH (FORCE)' : ''}`);
    },
    async close() {
      await connected.end().catch(() => {});
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = database ? `/${encodeURIComponent(database)}` : '/';
  return parsed.toString();
}
