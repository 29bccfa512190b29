/**
 * The parts of `pg` strata uses, described structurally so core never imports `pg` to accept a
 * caller's pool or client (it is an optional peer dependency).
 */
export interface PgQueryResult {
  rows: Record<string, unknown>[];
}

export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
}

export interface PgPoolClient extends PgQueryable {
  release(destroy?: boolean | Error): void;
}

export interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgPoolClient>;
  readonly totalCount: number;
  readonly idleCount?: number;
  readonly options?: {
    host?: string;
    port?: number;
    database?: string;
    user?: string;
    connectionString?: string;
    connectionTimeoutMillis?: number;
    max?: number;
  };
}

export interface PgClientLike extends PgQueryable {
  connect(): Promise<unknown>;
  readonly connectionParameters?: { host?: string; port?: number; database?: string; user?: string };
}

/** The fields of a `pg` DatabaseError strata reads. */
export interface PgDatabaseError extends Error {
  code?: string;
  position?: string;
  severity?: string;
  detail?: string;
  hint?: string;
  /** The table and schema an integrity error is about (a unique or not-null violation). */
  table?: string;
  schema?: string;
}

export function isPgPool(value: unknown): value is PgPoolLike {
  const candidate = value as Partial<PgPoolLike> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.connect === 'function' &&
    typeof candidate.query === 'function' &&
    'totalCount' in candidate
  );
}

export function isPgClient(value: unknown): value is PgClientLike {
  const candidate = value as Partial<PgClientLike> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.connect === 'function' &&
    typeof candidate.query === 'function' &&
    'connectionParameters' in candidate
  );
}
