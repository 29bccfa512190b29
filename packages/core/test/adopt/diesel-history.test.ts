import type Database from 'better-sqlite3';
import type mysql from 'mysql2/promise';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { type HarnessConnection, runDieselMigrations } from '../../../../test-support/diesel-harness.js';
import { mysqlLexer } from '../../src/dialects/mysql/mysql-lexer.js';
import { Migrator, type MigratorOptions } from '../../src/index.js';
import { splitStatements } from '../../src/sql/split-statements.js';
import { dialectsWithMysql, type TestDatabase } from '../support/dialects.js';
import { failureOf } from '../support/failure.js';

/** A Diesel project's migrations directory, as `diesel migration generate` lays it out. */
const first = {
  '00000000000000_diesel_initial_setup/up.sql': 'CREATE TABLE setup_marker (id INTEGER);\n',
  '00000000000000_diesel_initial_setup/down.sql': 'DROP TABLE setup_marker;\n',
  '2026-01-01-000001_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n',
  '2026-01-01-000001_create_users/down.sql': 'DROP TABLE users;\n',
  '2026-01-02-000001_create_posts/up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT);\n',
  '2026-01-02-000001_create_posts/down.sql': 'DROP TABLE posts;\n',
};
/** MySQL indexes no TEXT column without a length, and drops an index ON its table. */
const later = (db: TestDatabase) => ({
  '2026-01-03-000001_add_email/up.sql': `ALTER TABLE users ADD COLUMN email ${db.dialect === 'mysql' ? 'VARCHAR(200)' : 'TEXT'};\n`,
  '2026-01-03-000001_add_email/down.sql': 'ALTER TABLE users DROP COLUMN email;\n',
  '2026-01-04-000001_index_email/up.sql': 'CREATE INDEX users_email ON users (email);\n',
  '2026-01-04-000001_index_email/down.sql': `DROP INDEX users_email${db.dialect === 'mysql' ? ' ON users' : ''};\n`,
  '2026-01-04-000001_index_email/metadata.toml': 'run_in_transaction = false\n',
});

function harness(db: TestDatabase): HarnessConnection {
  if (db.dialect === 'postgres') {
    const pool = db.handle as pg.Pool;
    return {
      batch: async (sql) => void (await pool.query(sql)),
      versions: async (sql) => (await pool.query(sql)).rows.map((row) => String(row.version)),
    };
  }
  if (db.dialect === 'mysql') {
    const pool = db.handle as mysql.Pool;
    return {
      // Diesel's MySQL backend sends a script statement by statement, on one connection.
      batch: async (sql) => {
        const connection = await pool.getConnection();
        try {
          for (const piece of splitStatements(sql, mysqlLexer)) if (!piece.empty) await connection.query(piece.text);
        } finally {
          connection.release();
        }
      },
      versions: async (sql) => ((await pool.query(sql))[0] as Record<string, unknown>[]).map((row) => String(row.version)),
    };
  }
  const sqlite = db.handle as Database.Database;
  return {
    batch: async (sql) => void sqlite.exec(sql),
    versions: async (sql) => sqlite.prepare(sql).pluck().all() as string[],
  };
}

describe.each(dialectsWithMysql)("sharing Diesel's history table on %s", (_name, open) => {
  let db: TestDatabase;
  let dir: { path: string; cleanup(): Promise<void> };
  const migrator = (options: Partial<MigratorOptions> = {}) =>
    new Migrator({ db: db.handle, migrations: dir.path, history: 'diesel', ...options });
  const dieselRows = async () =>
    (await db.query('SELECT version FROM __diesel_schema_migrations')).map((row) => String(row.version)).sort();
  const columns = async (table: string) =>
    (await db.columns()).filter((column) => column.startsWith(`${table}.`)).map((column) => column.slice(table.length + 1));

  beforeEach(async () => {
    db = await open();
    dir = await tempDir('diesel');
    await writeTree(dir.path, first);
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
  });

  it('a Diesel service and strata alternate on one __diesel_schema_migrations without re-running anything', async () => {
    // The Rust service migrates first and creates the table the way Diesel does.
    expect(await runDieselMigrations(dir.path, harness(db))).toEqual(['00000000000000', '20260101000001', '20260102000001']);
    await db.query("INSERT INTO users (id, name) VALUES (1, 'ada')");

    await writeTree(dir.path, later(db));
    const statusBefore = await migrator().status();
    expect(statusBefore.map((line) => `${line.version}:${line.state}`)).toEqual([
      '0:applied',
      '20260101000001:applied',
      '20260102000001:applied',
      '20260103000001:pending',
      '20260104000001:pending',
    ]);
    // Diesel keeps no description or duration: strata takes the description from the source and claims no duration.
    expect(statusBefore[1]).toMatchObject({ description: 'create users', history: { executionTimeNs: undefined } });

    const run = await migrator().run();
    expect(run.applied.map((step) => step.version)).toEqual([20260103000001n, 20260104000001n]);
    expect(await dieselRows()).toEqual([
      '00000000000000',
      '20260101000001',
      '20260102000001',
      '20260103000001',
      '20260104000001',
    ]);
    expect(await columns('__diesel_schema_migrations')).toEqual(['version', 'run_on']);
    expect(await db.query('SELECT id, name, email FROM users')).toEqual([{ id: 1, name: 'ada', email: null }]);

    // Diesel, run again, finds nothing pending: strata wrote the versions as Diesel spells them.
    expect(await runDieselMigrations(dir.path, harness(db))).toEqual([]);
    // A no-op run is answered without the lock.
    expect((await migrator().run()).lockTaken).toBe(false);

    // strata reverts the newest; Diesel sees it pending and applies it again; strata then has nothing to do.
    const revert = await migrator().revert();
    expect(revert.applied.map((step) => step.version)).toEqual([20260104000001n]);
    expect(await dieselRows()).not.toContain('20260104000001');
    expect(await runDieselMigrations(dir.path, harness(db))).toEqual(['20260104000001']);
    expect((await migrator().run()).applied).toEqual([]);
    expect((await migrator().status()).every((line) => line.state === 'applied')).toBe(true);
    // strata made no table of its own for the history.
    expect(await db.tableExists('_strata_migrations')).toBe(false);
  });

  it('strata migrates first and creates the table exactly as Diesel does; Diesel then runs nothing', async () => {
    await writeTree(dir.path, later(db));
    const run = await migrator().run();
    expect(run.applied).toHaveLength(5);
    expect(await columns('__diesel_schema_migrations')).toEqual(['version', 'run_on']);
    expect(await runDieselMigrations(dir.path, harness(db))).toEqual([]);
  });

  it('says plainly what it cannot verify: an edited file goes unnoticed, repair and resolve do not apply', async () => {
    await migrator().run();
    await writeTree(dir.path, { '2026-01-01-000001_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n' });
    expect((await migrator().status()).map((line) => line.state)).toEqual(['applied', 'applied', 'applied']);
    const repair = await failureOf(migrator().repair({ version: 20260101000001n }));
    expect(repair.code).toBe('NOT_SUPPORTED');
    expect(repair.message).toContain('keeps no checksums');
    expect((await failureOf(migrator().resolve(20260101000001n, 'applied'))).code).toBe('NOT_FOUND');
  });

  it('a no-transaction migration that stops part-way leaves no row, and the message says what is in place', async () => {
    await writeTree(dir.path, {
      '2026-01-05-000001_half/up.sql': 'CREATE TABLE half (id INTEGER);\nCREATE TABLE half (id INTEGER);\n',
      '2026-01-05-000001_half/metadata.toml': 'run_in_transaction = false\n',
    });
    const error = await failureOf(migrator().run());
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.details.dirty).toBe(false);
    expect(error.message).toContain('cannot mark a migration dirty');
    expect(error.message).toContain('starts it again from its first statement');
    expect(error.message).not.toContain('strata resolve');
    expect(await dieselRows()).toEqual(['00000000000000', '20260101000001', '20260102000001']);
    expect(await db.tableExists('half')).toBe(true);
  });

  it('baseline writes Diesel-spelled versions and audits them beside the table', async () => {
    for (const sql of [
      'CREATE TABLE setup_marker (id INTEGER)',
      'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)',
    ]) {
      await db.query(sql);
    }
    const report = await migrator().baseline({ version: 20260101000001n });
    expect(report.recorded.map((m) => m.version)).toEqual([0n, 20260101000001n]);
    expect(await dieselRows()).toEqual(['00000000000000', '20260101000001']);
    expect(
      (await db.query('SELECT resolution FROM __diesel_schema_migrations_resolutions')).map((row) => row.resolution),
    ).toEqual(['baseline', 'baseline']);
    expect(await runDieselMigrations(dir.path, harness(db))).toEqual(['20260102000001']);
  });

  it('refuses an unknown history kind before touching the database', () => {
    expect(() => migrator({ history: 'flyway' as never })).toThrow(/history must be 'strata' or 'diesel'/);
  });
});
