import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createPostgresDatabase, sqliteFile } from '../../../../test-support/databases.js';
import { createMysqlDatabase } from '../../../../test-support/mysql.js';
import type { DatabaseHandle } from '../../src/index.js';

/** A fresh database of one kind, with a way to run raw SQL against it for assertions. */
export interface TestDatabase {
  dialect: 'postgres' | 'sqlite' | 'mysql';
  handle: DatabaseHandle;
  /** Rows of a query, with bigint-ish values as strings so both dialects compare alike. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  tableExists(name: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function openPostgres(): Promise<TestDatabase & { url: string; name: string; pool: pg.Pool }> {
  const database = await createPostgresDatabase('engine');
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  // drop() terminates leftover sessions; an idle pooled client reports that as an 'error' event.
  pool.on('error', () => {});
  return {
    dialect: 'postgres',
    handle: pool,
    pool,
    url: database.url,
    name: database.name,
    async query(sql) {
      return (await pool.query(sql)).rows;
    },
    async tableExists(name) {
      const { rows } = await pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [name]);
      return rows[0].present === true;
    },
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

export async function openSqlite(): Promise<TestDatabase & { path: string }> {
  const file = await sqliteFile();
  const db = new Database(file.path);
  return {
    dialect: 'sqlite',
    handle: db,
    path: file.path,
    async query(sql) {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all() as Record<string, unknown>[];
      statement.run();
      return [];
    },
    async tableExists(name) {
      return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    },
    async close() {
      db.close();
      await file.cleanup();
    },
  };
}

/** A fresh MySQL / MariaDB database behind a mysql2 (promise) pool. */
export async function openMysql(): Promise<TestDatabase & { url: string; name: string; pool: mysql.Pool }> {
  const database = await createMysqlDatabase('engine');
  const pool = mysql.createPool({ uri: database.url, connectionLimit: 4, supportBigNumbers: true, bigNumberStrings: true });
  return {
    dialect: 'mysql',
    handle: pool,
    pool,
    url: database.url,
    name: database.name,
    async query(sql) {
      const [rows] = await pool.query(sql);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    async tableExists(name) {
      const [rows] = await pool.query(
        'SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
        [name],
      );
      return (rows as unknown[]).length > 0;
    },
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

export const dialects = [
  ['postgres', openPostgres],
  ['sqlite', openSqlite],
] as const;

/**
 * The suites that pass on MySQL / MariaDB as well. The other shared suites write PostgreSQL or
 * SQLite SQL of their own (double-quoted identifiers, transactional DDL) and are not yet ported;
 * test/mysql/ covers what differs there.
 */
export const dialectsWithMysql = [...dialects, ['mysql', openMysql]] as const;
