import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresDatabase } from '../../../../../test-support/databases.js';

export type Kind = 'sqlite' | 'postgres';
export const KINDS: readonly Kind[] = ['sqlite', 'postgres'];

/** A database for one test, reachable by the CLI through `url` and by the test through `query`. */
export interface TestDatabase {
  kind: Kind;
  url: string;
  /** Runs SQL from the test process (not through the CLI), to check or prepare what the CLI sees. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  tableExists(name: string): Promise<boolean>;
  /** The versions in the history table, oldest first, as decimal strings. */
  appliedVersions(): Promise<string[]>;
  drop(): Promise<void>;
}

/**
 * SQLite: `app.db` in the project directory, with `?mode=rwc` so the first command creates it.
 * PostgreSQL: a fresh database on the test server.
 */
const APPLIED = 'SELECT version FROM _strata_migrations ORDER BY version';
const appliedFrom = (query: TestDatabase['query']) => async () =>
  (await query<{ version: unknown }>(APPLIED)).map((row) => String(row.version));

export async function testDatabase(kind: Kind, projectDir: string): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const path = join(projectDir, 'app.db');
    const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
      const db = new Database(path);
      try {
        const statement = db.prepare(sql);
        if (statement.reader) return statement.all(...params) as T[];
        statement.run(...params);
        return [];
      } finally {
        db.close();
      }
    };
    return {
      kind,
      url: 'sqlite://app.db?mode=rwc',
      query,
      tableExists: async (name) =>
        (await query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [name])).length > 0,
      appliedVersions: appliedFrom(query),
      drop: async () => {},
    };
  }
  const created = await createPostgresDatabase('cli');
  const query = async <T>(sql: string, params: unknown[] = []): Promise<T[]> => {
    const client = new pg.Client({ connectionString: created.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  return {
    kind,
    url: created.url,
    query,
    tableExists: async (name) => (await query('SELECT to_regclass($1) AS t', [name]))[0]?.t !== null,
    appliedVersions: appliedFrom(query),
    drop: created.drop,
  };
}
