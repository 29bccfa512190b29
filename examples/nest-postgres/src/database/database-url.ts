import { isAbsolute, resolve } from 'node:path';

export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; file: string };

/**
 * `postgres://…` / `postgresql://…` for PostgreSQL; `sqlite://path/to/file.db` (relative to the
 * working directory), `sqlite:///abs/path.db` or `sqlite::memory:` for SQLite.
 */
export function parseDatabaseUrl(value: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', url: value };
  if (value === 'sqlite::memory:') return { kind: 'sqlite', file: ':memory:' };
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(value);
  if (sqlite) {
    const path = decodeURIComponent(sqlite[1]!);
    return { kind: 'sqlite', file: isAbsolute(path) ? path : resolve(path) };
  }
  throw new Error('DATABASE_URL must start with postgres://, postgresql:// or sqlite:');
}
