import type { DatabaseHandle } from '@strata/core';

/** The app's one database, whichever kind DATABASE_URL names. */
export interface AppDatabase {
  kind: 'postgres' | 'sqlite';
  handle: DatabaseHandle;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * `postgres://…` opens a pg.Pool, anything else (`sqlite:app.db`, a path) a better-sqlite3 file.
 * Both drivers are loaded only when used and stay outside the bundle (better-sqlite3 is native),
 * so the deployed file needs `node_modules` for the driver it uses, and nothing else.
 */
export async function openDatabase(url: string): Promise<AppDatabase> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    return {
      kind: 'postgres',
      handle: pool,
      rows: async (sql) => (await pool.query(sql)).rows,
      close: () => pool.end(),
    };
  }
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(url.replace(/^sqlite:(\/\/)?/, ''));
  db.pragma('journal_mode = WAL');
  return {
    kind: 'sqlite',
    handle: db,
    rows: async (sql) => db.prepare(sql).all() as Record<string, unknown>[],
    close: async () => {
      db.close();
    },
  };
}
