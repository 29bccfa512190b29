import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresDatabase, sqliteFile } from '../../../../test-support/databases.js';
import type { DatabaseHandle } from '../../src/index.js';

export type Kind = 'postgres' | 'sqlite';

export interface FreshDatabase {
  kind: Kind;
  handle: DatabaseHandle;
  url: string;
  /** Runs SQL from the test, beside strata (a hand-made change). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** An empty database of `kind`: a new PostgreSQL database on the test server, or a SQLite file in a temp dir. */
export async function freshDatabase(kind: Kind): Promise<FreshDatabase> {
  if (kind === 'postgres') {
    const created = await createPostgresDatabase('schema');
    const pool = new pg.Pool({ connectionString: created.url, max: 3 });
    return {
      kind,
      handle: pool,
      url: created.url,
      exec: async (sql) => {
        await pool.query(sql);
      },
      close: async () => {
        await pool.end();
        await created.drop();
      },
    };
  }
  const file = await sqliteFile();
  const db = new Database(file.path);
  return {
    kind,
    handle: db,
    url: `sqlite://${file.path}`,
    exec: async (sql) => {
      db.exec(sql);
    },
    close: async () => {
      db.close();
      await file.cleanup();
    },
  };
}

/** An extension the test server can install, so the dump's extension section is exercised; else none. */
export async function availableExtension(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT name FROM pg_available_extensions WHERE name IN ('pgcrypto', 'citext') ORDER BY name LIMIT 1",
    );
    return rows[0]?.name as string | undefined;
  } finally {
    await client.end();
  }
}
