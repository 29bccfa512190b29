/**
 * The parts of `mysql2` strata uses, described structurally so core never imports `mysql2` to
 * accept a caller's handle (it is an optional peer dependency). Promise wrappers keep the
 * callback object they wrap (`.pool`, `.connection`, `.poolCluster`, `.poolNamespace`); strata
 * always talks to that one, so the callback and promise APIs take one path.
 */
export interface MysqlQueryOptions {
  sql: string;
  values?: unknown[] | undefined;
  rowsAsArray?: boolean;
  supportBigNumbers?: boolean;
  bigNumberStrings?: boolean;
}

export type MysqlCallback = (error: MysqlError | null, results?: unknown, fields?: unknown) => void;

export interface MysqlConnectionConfig {
  host?: string;
  port?: number;
  user?: string;
  database?: string;
  password?: string;
}

/** A callback-API connection (a plain one, or one checked out of a pool). */
export interface MysqlConnectionLike {
  query(options: MysqlQueryOptions, callback: MysqlCallback): unknown;
  beginTransaction(callback: (error: MysqlError | null) => void): unknown;
  changeUser(...args: unknown[]): unknown;
  readonly config?: MysqlConnectionConfig;
  readonly threadId?: number | null;
  /** Pool connections only. */
  release?(): void;
  destroy?(): void;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  off?(event: 'error', listener: (error: Error) => void): unknown;
}

/** A pool, a pool cluster or one of its namespaces (`cluster.of('MASTER')`): all hand out connections. */
export interface MysqlPoolLike {
  getConnection(callback: (error: MysqlError | null, connection?: MysqlConnectionLike) => void): void;
  readonly config?: { connectionConfig?: MysqlConnectionConfig; connectionLimit?: number };
}

/** What a caller may pass as `db`: any of the above, callback or promise API. */
export type MysqlHandleLike = object & { readonly __mysql2Handle?: never };

/** The fields of a mysql2 error strata reads. */
export interface MysqlError extends Error {
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  sql?: string;
  fatal?: boolean;
}

export type MysqlCore = { kind: 'connection'; connection: MysqlConnectionLike } | { kind: 'pool'; pool: MysqlPoolLike };

const WRAPPED = ['pool', 'poolCluster', 'poolNamespace', 'connection'] as const;

/** The callback-API object behind a mysql2 handle, or undefined when `value` is not one. */
export function mysqlCore(value: unknown): MysqlCore | undefined {
  const direct = coreOf(value);
  if (direct) return direct;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const key of WRAPPED) {
    const inner = coreOf((value as Record<string, unknown>)[key]);
    if (inner) return inner;
  }
  return undefined;
}

export function isMysqlHandle(value: unknown): value is MysqlHandleLike {
  return mysqlCore(value) !== undefined;
}

function coreOf(value: unknown): MysqlCore | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Record<string, unknown>;
  // A promise wrapper (it keeps its Promise constructor): only the callback object inside it is taken.
  if ('Promise' in candidate) return undefined;
  // changeUser is mysql2's own (pg's Client has neither it nor beginTransaction).
  if (
    typeof candidate.query === 'function' &&
    typeof candidate.beginTransaction === 'function' &&
    typeof candidate.changeUser === 'function' &&
    'threadId' in candidate
  ) {
    return { kind: 'connection', connection: value as unknown as MysqlConnectionLike };
  }
  // A pool cluster has no query() of its own: getConnection is what all of them share.
  if (typeof candidate.getConnection === 'function') {
    return { kind: 'pool', pool: value as unknown as MysqlPoolLike };
  }
  return undefined;
}
