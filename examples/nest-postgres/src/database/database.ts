import type Sqlite from 'better-sqlite3';
import type pg from 'pg';

export type DatabaseHandle = pg.Pool | Sqlite.Database;

/**
 * The app's own data access: one `query()` for both databases. Parameters are written `$1, $2…`
 * (PostgreSQL's style); for SQLite each becomes a `?`, fed the matching value.
 */
export class Database {
  constructor(readonly handle: DatabaseHandle) {}

  get kind(): 'postgres' | 'sqlite' {
    return 'prepare' in this.handle ? 'sqlite' : 'postgres';
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const handle = this.handle;
    if ('prepare' in handle) {
      const values: unknown[] = [];
      const statement = handle.prepare(
        sql.replace(/\$(\d+)/g, (_match, index: string) => {
          values.push(params[Number(index) - 1]);
          return '?';
        }),
      );
      if (statement.reader) return statement.all(...values) as T[];
      statement.run(...values);
      return [];
    }
    const result = await handle.query(sql, params);
    return result.rows as T[];
  }

  async close(): Promise<void> {
    const handle = this.handle;
    if ('prepare' in handle) handle.close();
    else await handle.end();
  }
}
