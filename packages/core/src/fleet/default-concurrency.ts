import type { PgQueryable } from '../dialects/postgres/pg-handles.js';
import type { FleetTarget } from './fleet-target.js';
import { TargetConnection } from './target-connection.js';

/** Past this, a migration fleet is bound by the server's CPU and disks, not by round trips. */
export const MAX_DEFAULT_CONCURRENCY = 16;
/** SQLite files have no server to share (more at once only interleaves one process's work); also the fallback. */
export const SQLITE_CONCURRENCY = 4;

/**
 * The default concurrency for a server: a quarter of the connections it has free
 * (`max_connections` less `superuser_reserved_connections` less the client sessions open now),
 * between 1 and MAX_DEFAULT_CONCURRENCY, so a fleet run leaves most of the server to the apps.
 */
export function concurrencyFor(server: { maxConnections: number; reserved: number; inUse: number }): number {
  const free = server.maxConnections - server.reserved - server.inUse;
  return Math.max(1, Math.min(MAX_DEFAULT_CONCURRENCY, Math.floor(free / 4)));
}

/** Asks the server on a connection the caller already has (the one `--targets-query` runs on). */
export async function serverConcurrency(connection: PgQueryable): Promise<number> {
  const { rows } = await connection.query(
    `SELECT current_setting('max_connections')::int AS max_connections,
            current_setting('superuser_reserved_connections')::int AS reserved,
            (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend')::int AS in_use`,
  );
  const row = rows[0] ?? {};
  return concurrencyFor({
    maxConnections: Number(row.max_connections),
    reserved: Number(row.reserved),
    inUse: Number(row.in_use),
  });
}

/**
 * The default for a list of targets: asked of the first PostgreSQL target's server on a connection
 * closed before the fleet starts; SQLITE_CONCURRENCY for a fleet of files. A server that cannot be
 * asked gets SQLITE_CONCURRENCY too: the target's own failure is then reported where it belongs.
 */
export async function defaultConcurrency(targets: readonly FleetTarget[], connection: TargetConnection): Promise<number> {
  const first = targets.find((target) => target.kind === 'postgres');
  if (!first) return SQLITE_CONCURRENCY;
  try {
    return await serverConcurrency((await connection.open({ ...first, schema: undefined })) as PgQueryable);
  } catch {
    return SQLITE_CONCURRENCY;
  } finally {
    await connection.close();
  }
}
