/**
 * The MySQL / MariaDB server the tests use: STRATA_TEST_MYSQL_URL, else the MariaDB this machine
 * kind runs at 127.0.0.1:3306 (root, no password). Each test gets its own database. Where no
 * server answers, a test fails saying how to provide one: it is never skipped.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';

export const MYSQL_URL_ENV = 'STRATA_TEST_MYSQL_URL';
const DEFAULT_URL = 'mysql://root@127.0.0.1:3306/';

/** The server's URL, without a database. */
export function mysqlServerUrl(): string {
  return process.env[MYSQL_URL_ENV] ?? DEFAULT_URL;
}

/** A fresh database's URL on the test server (`strata_test_<prefix>_<random>`); `drop()` removes it. */
export async function createMysqlDatabase(prefix = 'db'): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const tag = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 24);
  const name = `strata_test_${tag}_${randomBytes(6).toString('hex')}`;
  await withMysqlAdmin((admin) => admin.query(`CREATE DATABASE \`${name}\``));
  const url = new URL(mysqlServerUrl());
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop: () => {
      dropped ??= withMysqlAdmin(async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      });
      return dropped;
    },
  };
}

export async function withMysqlAdmin<T>(work: (admin: mysql.Connection) => Promise<T>): Promise<T> {
  let admin: mysql.Connection;
  try {
    admin = await mysql.createConnection({ uri: mysqlServerUrl(), connectTimeout: 10_000 });
  } catch (error) {
    throw new Error(
      `no MySQL / MariaDB server answers at ${mysqlServerUrl().replace(/:[^:@/]*@/, ':***@')} (${(error as Error).message}). ` +
        `Start one (this machine kind runs MariaDB at 127.0.0.1:3306, user root without a password), or set ${MYSQL_URL_ENV} to a server URL whose user may create databases.`,
    );
  }
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}
