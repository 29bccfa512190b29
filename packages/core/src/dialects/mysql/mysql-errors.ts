import { isNetworkError } from '../connection-errors.js';
import type { MysqlError } from './mysql-handles.js';

/**
 * Server error numbers that mean "not now" rather than "never": too many connections, the server
 * shutting down, the connection killed (MariaDB), the client idle past the server's wait timeout
 * (MySQL 8.0.24+).
 */
const TRANSIENT_ERRNOS = new Set([1040, 1053, 1077, 1079, 1080, 1152, 1153, 1158, 1159, 1160, 1161, 1927, 4031]);
/** mysql2's own codes for a connection that broke under it. */
const TRANSIENT_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ECONNRESET']);
/** The server answered and refused us: access denied (to the server, to the database), no such database. */
const REFUSED_ERRNOS = new Set([1044, 1045, 1049, 1698, 1251]);

export function errnoOf(error: unknown): number | undefined {
  const errno = (error as MysqlError | null)?.errno;
  return typeof errno === 'number' ? errno : undefined;
}

export function isMysqlTransient(error: unknown): boolean {
  if (isNetworkError(error)) return true;
  const code = (error as MysqlError | null)?.code;
  return (typeof code === 'string' && TRANSIENT_CODES.has(code)) || TRANSIENT_ERRNOS.has(errnoOf(error) ?? 0);
}

export function isMysqlRefused(error: unknown): boolean {
  return REFUSED_ERRNOS.has(errnoOf(error) ?? 0);
}

/** What a code means in a migration, added to the server's own message. */
export const EXPLANATIONS: Record<number, string> = {
  1205: 'the statement waited longer than innodb_lock_wait_timeout (or lock_wait_timeout) for a lock another session holds',
  1213: 'a deadlock with another session: the server rolled back this transaction',
  3024: 'the statement ran longer than max_execution_time',
  1969: 'the statement ran longer than max_statement_time',
};
