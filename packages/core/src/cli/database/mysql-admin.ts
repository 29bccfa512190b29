import { connectionFailed } from '../../dialects/connection-errors.js';
import { quoteMysqlIdentifier } from '../../dialects/mysql/mysql-dialect.js';
import { isConnectionError } from '../../dialects/registry.js';
import { loadMysql2, type MysqlPlainConnection } from '../load-driver.js';
import { mysqlConfig } from '../mysql-config.js';
import type { MysqlTarget } from '../mysql-url.js';
import { UsageError } from '../usage-error.js';
import type { DatabaseAdmin } from './admin.js';

/** As sqlx-mysql does: connect to the server with no database selected, then CREATE / DROP DATABASE. */
export async function mysqlAdmin(target: MysqlTarget, cwd: string): Promise<DatabaseAdmin> {
  const name = target.database;
  if (!name) {
    throw new UsageError(`the URL ${target.display} names no database`, {
      hint: 'put the database name in the URL path, e.g. mysql://root@localhost:3306/app',
    });
  }
  const mysql2 = await loadMysql2(cwd);
  const connection = mysql2.createConnection(mysqlConfig(target, { database: false }));
  connection.on('error', () => {});
  const location = `mysql://${target.user ? `${target.user}@` : ''}${target.host}:${target.port}`;
  try {
    await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
  } catch (error) {
    connection.end(() => {});
    throw isConnectionError(error) ? connectionFailed(location, error, true) : error;
  }
  const run = (sql: string, values: unknown[] = []) =>
    new Promise<unknown>((resolve, reject) =>
      connection.query({ sql, values }, (error, results) => (error ? reject(error) : resolve(results))),
    );
  return {
    name,
    location,
    async exists() {
      const rows = (await run('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])) as unknown[];
      return rows.length > 0;
    },
    async create() {
      await run(`CREATE DATABASE ${quoteMysqlIdentifier(name)}`);
    },
    // MySQL has no FORCE: DROP DATABASE waits for the metadata locks of sessions using it.
    async drop() {
      await run(`DROP DATABASE IF EXISTS ${quoteMysqlIdentifier(name)}`);
    },
    async close() {
      await new Promise<void>((resolve) => (connection as MysqlPlainConnection).end(() => resolve()));
    },
  };
}
