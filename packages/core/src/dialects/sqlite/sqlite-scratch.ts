import type { ScratchDatabase } from '../database.js';
import type { SqliteDatabaseLike } from './sqlite-handle.js';

/** An in-memory database opened with the caller's own better-sqlite3, closed (and so gone) by `drop()`. */
export async function createSqliteScratch(handle: SqliteDatabaseLike): Promise<ScratchDatabase> {
  const Constructor = handle.constructor as new (path: string) => SqliteDatabaseLike & { close(): void };
  const opened = new Constructor(':memory:');
  return {
    handle: opened,
    name: ':memory:',
    drop: async () => {
      if (opened.open) opened.close();
    },
  };
}
