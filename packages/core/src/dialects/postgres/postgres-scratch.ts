import { randomBytes } from 'node:crypto';
import type { Connection } from '../connection.js';
import type { ScratchDatabase } from '../database.js';
import { quoteIdentifier } from '../identifiers.js';
import { isPgPool, type PgClientLike, type PgPoolLike } from './pg-handles.js';

interface PgEnding {
  end(): Promise<void>;
  on?(event: 'error', listener: () => void): unknown;
}

/**
 * A throwaway database on the caller's server (`strata_shadow_<random>`), reached with a new pool
 * (or client) of the caller's own `pg`, so core never loads a driver of its own. `drop()` ends that
 * handle and drops the database, disconnecting anything a migration may have left connected.
 */
export async function createPostgresScratch(handle: PgPoolLike | PgClientLike, admin: Connection): Promise<ScratchDatabase> {
  const name = `strata_shadow_${randomBytes(8).toString('hex')}`;
  await admin.exec(`CREATE DATABASE ${quoteIdentifier(name)}`);
  let opened: (PgEnding & object) | undefined;
  const drop = async () => {
    await opened?.end().catch(() => {});
    try {
      await admin.exec(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    } catch {
      // Before PostgreSQL 13 there is no FORCE; our own handle is closed, so a plain drop works.
      await admin.exec(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)}`);
    }
  };
  try {
    opened = await openOn(handle, name);
    return { handle: opened, name, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

async function openOn(handle: PgPoolLike | PgClientLike, database: string): Promise<PgEnding & object> {
  const Constructor = handle.constructor as new (config: Record<string, unknown>) => PgEnding & { connect(): Promise<unknown> };
  const base = (isPgPool(handle) ? handle.options : handle.connectionParameters) as Record<string, unknown> | undefined;
  const config: Record<string, unknown> = { ...base, database };
  // pg lets a connection string win over the fields beside it: point it at the new database too.
  if (typeof config.connectionString === 'string') {
    const url = new URL(config.connectionString);
    url.pathname = `/${encodeURIComponent(database)}`;
    config.connectionString = url.toString();
  }
  const opened = new Constructor(config);
  opened.on?.('error', () => {});
  if (!isPgPool(handle)) await opened.connect();
  return opened;
}
