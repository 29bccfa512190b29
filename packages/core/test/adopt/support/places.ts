import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createPostgresDatabase } from '../../../../../test-support/databases.js';
import { createMysqlDatabase } from '../../../../../test-support/mysql.js';
import type { Kind, Place } from './foreign-histories.js';

export interface OpenedPlace {
  place: Place;
  /** What strata is given: a better-sqlite3 Database, a pg.Pool or a mysql2 pool. */
  handle: object;
  close(): Promise<void>;
}

/** A fresh project directory and database; the handle strata is given, and how to drop them. */
export async function openPlace(kind: Kind): Promise<OpenedPlace> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-import-'));
  if (kind === 'sqlite') {
    const { default: Database } = await import('better-sqlite3');
    const place: Place = { kind, dir, sqlitePath: join(dir, 'app.db') };
    const handle = new Database(place.sqlitePath!);
    return {
      place,
      handle,
      async close() {
        handle.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  if (kind === 'mysql') {
    const database = await createMysqlDatabase('import');
    const pool = mysql.createPool({ uri: database.url, connectionLimit: 3 });
    return {
      place: { kind, dir, mysqlUrl: database.url },
      handle: pool,
      async close() {
        await pool.end();
        await database.drop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createPostgresDatabase('import');
  const pool = new pg.Pool({ connectionString: database.url, max: 3 });
  pool.on('error', () => {});
  return {
    place: { kind, dir, pgUrl: database.url },
    handle: pool,
    async close() {
      await pool.end();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
