/** The parts of a better-sqlite3 Database strata uses, described structurally (an optional peer). */
export interface SqliteStatementLike {
  run(...params: unknown[]): { changes: number };
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  iterate(...params: unknown[]): IterableIterator<unknown>;
  safeIntegers(toggle?: boolean): SqliteStatementLike;
  raw(toggle?: boolean): SqliteStatementLike;
  /** True when the statement returns rows. */
  readonly reader: boolean;
}

export interface SqliteDatabaseLike {
  prepare(sql: string): SqliteStatementLike;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  readonly name: string;
  readonly memory: boolean;
  readonly open: boolean;
  readonly inTransaction: boolean;
}

export function isSqliteDatabase(value: unknown): value is SqliteDatabaseLike {
  const candidate = value as Partial<SqliteDatabaseLike> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.prepare === 'function' &&
    typeof candidate.exec === 'function' &&
    typeof candidate.pragma === 'function'
  );
}
