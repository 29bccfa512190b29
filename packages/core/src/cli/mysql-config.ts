import { readFileSync } from 'node:fs';
import type { MysqlTarget } from './mysql-url.js';
import { UsageError } from './usage-error.js';

/** TCP keepalive as the other CLI connections have it (see connect.ts). */
const KEEPALIVE_INITIAL_DELAY_MS = 10_000;

/** mysql2's connection options for a target; `database: false` connects to the server alone (create, drop). */
export function mysqlConfig(target: MysqlTarget, options: { database: boolean }): Record<string, unknown> {
  return {
    ...(target.socket ? { socketPath: target.socket } : { host: target.host, port: target.port }),
    ...(target.user !== undefined ? { user: target.user } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(options.database && target.database ? { database: target.database } : {}),
    ...(target.charset ? { charset: target.charset } : {}),
    ...(target.connectTimeoutMs > 0 ? { connectTimeout: target.connectTimeoutMs } : {}),
    ...tls(target),
    enableKeepAlive: true,
    keepAliveInitialDelay: KEEPALIVE_INITIAL_DELAY_MS,
    // What SQLx reads back as i64 strata reads exact: BIGINTs as strings, never doubles.
    supportBigNumbers: true,
    bigNumberStrings: true,
  };
}

function tls(target: MysqlTarget): Record<string, unknown> {
  switch (target.sslMode) {
    case 'disabled':
    case 'preferred':
      return {};
    case 'required':
      return { ssl: { rejectUnauthorized: false } };
    default: {
      if (!target.sslCa) return { ssl: { rejectUnauthorized: true } };
      try {
        return { ssl: { rejectUnauthorized: true, ca: readFileSync(target.sslCa, 'utf8') } };
      } catch (error) {
        throw new UsageError(`cannot read ssl-ca ${target.sslCa}: ${(error as Error).message}`, { code: 'INVALID_URL' });
      }
    }
  }
}
