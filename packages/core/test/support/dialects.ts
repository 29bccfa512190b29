import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createPostgresDatabase, sqliteFile } from '../../../../test-support/databases.js';
import { createMysqlDatabase } from '../../../../test-support/mysql.js';
import { sqlxMysqlLockName } from '../../src/dialects/mysql/lock-name.js';
import type { DatabaseHandle } from '../../src/index.js';

/** A fresh database of one kind, with a way to run raw SQL against it for assertions. */
export interface TestDatabase {
  dialect: 'postgres' | 'sqlite' | 'mysql';
  handle: DatabaseHandle;
  /** Rows of a query, with bigint-ish values as strings so both dialects compare alike. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  tableExists(name: string): Promise<boolean>;
  /** The database's tables, sorted by code point (collations differ on `_`). */
  tables(): Promise<string[]>;
  /** `table.column` of every table but strata's own (`_strata…`), in table then column order. */
  columns(): Promise<string[]>;
  /** SQL that differs between the databases, for tests that write history rows by hand. */
  sql: DialectSql;
  /** What a run may leave behind in this database: run locks held by anyone, sessions inside a transaction. */
  leftOpen(): Promise<{ locks: number; transactions: number }>;
  close(): Promise<void>;
}

export interface DialectSql {
  /** A byte-string literal from hex digits. */
  bytes(hex: string): string;
  /** A boolean literal. */
  bool(value: boolean): string;
  /** The column types and default of the history table. */
  timestamp: string;
  blob: string;
  now: string;
  /** Lowercase hex of a byte column. */
  hex(column: string): string;
  /** An integer column as text, exact (SQLite would hand a 64-bit one to JavaScript as a double). */
  text(column: string): string;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** `table.column` pairs sorted by table (code points), then by the columns' order in the table. */
function columnList(rows: Record<string, unknown>[]): string[] {
  return rows
    .map((row, index) => ({ t: String(row.t), c: String(row.c), index }))
    .filter((row) => !row.t.startsWith('_strata'))
    .sort((a, b) => byCodePoint(a.t, b.t) || a.index - b.index)
    .map((row) => `${row.t}.${row.c}`);
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
    async tables() {
      const { rows } = await pool.query("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'");
      return rows.map((row) => String(row.name)).sort(byCodePoint);
    },
    async columns() {
      const { rows } = await pool.query(
        "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'public' ORDER BY ordinal_position",
      );
      return columnList(rows);
    },
    async leftOpen() {
      const { rows } = await pool.query(
        `SELECT (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))::int AS locks,
                (SELECT count(*) FROM pg_stat_activity
                   WHERE datname = current_database() AND state LIKE 'idle in transaction%')::int AS transactions`,
      );
      return { locks: rows[0].locks, transactions: rows[0].transactions };
    },
    sql: {
      bytes: (hex) => `'\\x${hex}'::bytea`,
      bool: (value) => String(value),
      timestamp: 'TIMESTAMPTZ',
      blob: 'BYTEA',
      now: 'now()',
      hex: (column) => `encode(${column}, 'hex')`,
      text: (column) => `CAST(${column} AS TEXT)`,
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
    async tables() {
      const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      return names.sort(byCodePoint);
    },
    async columns() {
      const rows = db
        .prepare(
          "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' ORDER BY p.cid",
        )
        .all() as Record<string, unknown>[];
      return columnList(rows);
    },
    async leftOpen() {
      // The lock file beside the database is released with its transaction: one flag says both.
      return { locks: 0, transactions: db.inTransaction ? 1 : 0 };
    },
    sql: {
      bytes: (hex) => `X'${hex}'`,
      bool: (value) => (value ? '1' : '0'),
      timestamp: 'TIMESTAMP',
      blob: 'BLOB',
      now: 'CURRENT_TIMESTAMP',
      hex: (column) => `lower(hex(${column}))`,
      text: (column) => `CAST(${column} AS TEXT)`,
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
    async tables() {
      const [rows] = await pool.query('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()');
      return (rows as Record<string, unknown>[]).map((row) => String(row.name)).sort(byCodePoint);
    },
    async columns() {
      const [rows] = await pool.query(
        'SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY ORDINAL_POSITION',
      );
      return columnList(rows as Record<string, unknown>[]);
    },
    async leftOpen() {
      const [rows] = await pool.query(
        `SELECT IS_USED_LOCK(?) IS NOT NULL AS locks,
                (SELECT count(*) FROM information_schema.INNODB_TRX AS t
                   JOIN information_schema.PROCESSLIST AS p ON p.ID = t.trx_mysql_thread_id
                   WHERE p.DB = DATABASE()) AS transactions`,
        [sqlxMysqlLockName(database.name)],
      );
      const [row] = rows as Record<string, unknown>[];
      return { locks: Number(row?.locks), transactions: Number(row?.transactions) };
    },
    sql: {
      bytes: (hex) => `X'${hex}'`,
      bool: (value) => (value ? 'TRUE' : 'FALSE'),
      timestamp: 'TIMESTAMP',
      blob: 'BLOB',
      now: 'CURRENT_TIMESTAMP',
      hex: (column) => `lower(hex(${column}))`,
      text: (column) => `CAST(${column} AS CHAR)`,
    },
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

/**
 * PostgreSQL and SQLite alone: for the suite whose fixtures are SQL those two share and MySQL
 * does not (embed/checksum-parity: TEXT indexed without a length, DROP INDEX without ON).
 */
export const dialects = [
  ['postgres', openPostgres],
  ['sqlite', openSqlite],
] as const;

/** All three databases: the shared suites run on each (test/mysql/ covers what only MySQL has). */
export const dialectsWithMysql = [...dialects, ['mysql', openMysql]] as const;
