/**
 * What only MySQL / MariaDB has: SQLx's table and GET_LOCK name, DDL that commits itself, the
 * mysql client's DELIMITER scripts, errors located without a server offset, and mysql2's handles.
 */
import { createHash } from 'node:crypto';
import mysqlCallback from 'mysql2';
import mysql from 'mysql2/promise';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { createMysqlDatabase } from '../../../../test-support/mysql.js';
import { sqlxMysqlLockName } from '../../src/dialects/mysql/lock-name.js';
import { Migrator, StrataError } from '../../src/index.js';

async function expectCode(promise: Promise<unknown>, code: string): Promise<StrataError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(StrataError);
  expect((error as StrataError).code, (error as Error).message).toBe(code);
  return error as StrataError;
}

/** sqlx-mysql's ensure_migrations_table (src/migrate.rs), under another name where a test compares. */
const sqlxMigrationsTable = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  version BIGINT PRIMARY KEY,
  description TEXT NOT NULL,
  installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  success BOOLEAN NOT NULL,
  checksum BLOB NOT NULL,
  execution_time BIGINT NOT NULL
);`;

describe('SQLx-compatible lock name', () => {
  it("is sqlx-mysql's generate_lock_id: lowercase hex of 0x3d32ad9e * crc32(DATABASE())", () => {
    // 1026731422 * crc32('postgres') = 368907709894077238, SQLx's PostgreSQL key for the same name.
    expect(sqlxMysqlLockName('postgres')).toBe('51e9f9b8b23ab36');
    expect(sqlxMysqlLockName('postgres')).toBe(368907709894077238n.toString(16));
    expect(sqlxMysqlLockName('')).toBe('0');
  });
});

describe('MySQL / MariaDB', () => {
  let database: Awaited<ReturnType<typeof createMysqlDatabase>>;
  let pool: mysql.Pool;
  let dir: { path: string; cleanup(): Promise<void> };
  const rows = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) =>
    (await pool.query(sql, params))[0] as T[];
  const migrator = (options: Record<string, unknown> = {}) => new Migrator({ db: pool, migrations: dir.path, ...options });

  beforeEach(async () => {
    database = await createMysqlDatabase('mysql');
    pool = mysql.createPool({ uri: database.url, connectionLimit: 4 });
    dir = await tempDir('mysql');
  });
  afterEach(async () => {
    await pool.end();
    await database.drop();
    await dir.cleanup();
  });

  it("writes SQLx's exact table and rows when sharing _sqlx_migrations", async () => {
    const up = 'CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT NOT NULL);\n';
    await writeTree(dir.path, { '20260601000001_create_users.sql': up });
    await migrator({ table: '_sqlx_migrations' }).run();
    // The table sqlx-mysql's ensure_migrations_table creates, in a second table for comparison.
    await pool.query(sqlxMigrationsTable('sqlx_reference'));
    const columns = (table: string) =>
      rows(
        `SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, COLUMN_KEY FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
        [table],
      );
    expect(await columns('_sqlx_migrations')).toEqual(await columns('sqlx_reference'));
    const [row] = await rows<Record<string, unknown>>(
      'SELECT version, description, success, checksum, execution_time FROM _sqlx_migrations',
    );
    expect(row).toMatchObject({ version: 20260601000001, description: 'create users', success: 1 });
    expect(Buffer.from(row!.checksum as Buffer).equals(createHash('sha384').update(up).digest())).toBe(true);
    expect(Number(row!.execution_time)).toBeGreaterThan(0);
  });

  it('reads and writes a history written by SQLx (its table, its statements, its checksums)', async () => {
    const up = '-- Add migration script here\nCREATE TABLE from_rust (id BIGINT);\n';
    // What sqlx-mysql's ensure_migrations_table and apply run (src/migrate.rs): the row first, unfinished, then marked.
    await pool.query(sqlxMigrationsTable('_sqlx_migrations'));
    await pool.query(
      'INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time ) VALUES ( ?, ?, FALSE, ?, -1 )',
      [20260601115557n, 'create from rust', createHash('sha384').update(up).digest()],
    );
    await pool.query('CREATE TABLE from_rust (id BIGINT)');
    await pool.query('UPDATE _sqlx_migrations SET success = TRUE WHERE version = ?', [20260601115557n]);
    await pool.query('UPDATE _sqlx_migrations SET execution_time = ? WHERE version = ?', [1234567, 20260601115557n]);
    await writeTree(dir.path, {
      '20260601115557_create_from_rust.sql': up,
      '20260601120000_from_node.sql': 'CREATE TABLE from_node (id BIGINT);',
    });
    const m = migrator({ table: '_sqlx_migrations' });
    expect((await m.status()).map((line) => line.state)).toEqual(['applied', 'pending']);
    expect((await m.run()).applied.map((step) => step.version)).toEqual([20260601120000n]);
    const history = await rows<Record<string, unknown>>(
      'SELECT version, description, success, HEX(checksum) AS checksum, execution_time > 0 AS timed FROM _sqlx_migrations ORDER BY version',
    );
    expect(history).toEqual([
      {
        version: 20260601115557,
        description: 'create from rust',
        success: 1,
        checksum: createHash('sha384').update(up).digest('hex').toUpperCase(),
        timed: 1,
      },
      {
        version: 20260601120000,
        description: 'from node',
        success: 1,
        checksum: createHash('sha384').update('CREATE TABLE from_node (id BIGINT);').digest('hex').toUpperCase(),
        timed: 1,
      },
    ]);
    // And back: the table still reads as SQLx reads it (every row successful, nothing left dirty).
    expect(await rows('SELECT version FROM _sqlx_migrations WHERE success = FALSE')).toEqual([]);
  });

  it("waits while another session holds SQLx's GET_LOCK name, and names that session", async () => {
    await writeTree(dir.path, { '0001_one.sql': 'CREATE TABLE one (id INTEGER);\n' });
    const holder = await mysql.createConnection({ uri: database.url });
    try {
      const [[held]] = (await holder.query('SELECT GET_LOCK(?, 0) AS locked, CONNECTION_ID() AS id', [
        sqlxMysqlLockName(database.name),
      ])) as unknown as [{ locked: number; id: number }[]];
      expect(held?.locked).toBe(1);
      const error = await expectCode(migrator({ lockTimeout: 600 }).run(), 'LOCK_TIMEOUT');
      expect(error.message).toContain(`pid ${held?.id}`);
      expect(
        await rows("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'one'"),
      ).toEqual([]);
    } finally {
      await holder.end();
    }
    expect((await migrator({ lockTimeout: 5_000 }).run()).applied).toHaveLength(1);
  });

  it('splits DELIMITER scripts and routine bodies: a procedure and a trigger are created and work', async () => {
    await writeTree(dir.path, {
      '0001_tables.sql':
        'CREATE TABLE accounts (id INT PRIMARY KEY, balance INT NOT NULL);\nCREATE TABLE audit (id INT, note TEXT);\n',
      '0002_routines.sql': [
        '# the mysql client would accept this file as it is',
        'DELIMITER $$',
        'CREATE PROCEDURE credit(IN who INT, IN amount INT)',
        'BEGIN',
        '  UPDATE accounts SET balance = balance + amount WHERE id = who;',
        "  IF amount > 100 THEN INSERT INTO audit VALUES (who, 'big; credit'); END IF;",
        'END$$',
        'DELIMITER ;',
        'CREATE TRIGGER accounts_audit AFTER INSERT ON accounts FOR EACH ROW',
        "BEGIN INSERT INTO audit VALUES (NEW.id, CONCAT('opened ', NEW.balance)); END;",
        'INSERT INTO accounts VALUES (1, 0); -- a comment; with a semicolon',
        '',
      ].join('\n'),
    });
    await migrator().run();
    await pool.query('CALL credit(1, 500)');
    expect(await rows('SELECT balance FROM accounts')).toEqual([{ balance: 500 }]);
    expect((await rows<{ note: string }>('SELECT note FROM audit ORDER BY note')).map((r) => r.note)).toEqual([
      'big; credit',
      'opened 0',
    ]);
  });

  it('a migration of DML alone is atomic: a failure keeps nothing and writes no row', async () => {
    await writeTree(dir.path, { '0001_t.sql': 'CREATE TABLE t (id INT PRIMARY KEY);\n' });
    await migrator().run();
    await writeTree(dir.path, {
      '0002_rows.sql': 'INSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\nINSERT INTO t VALUES (1);\n',
    });
    const error = await expectCode(migrator().run(), 'MIGRATION_FAILED');
    expect(error.message).toContain('0002_rows.sql:3:1');
    expect(error.details.databaseCode).toBe('1062');
    expect(error.message).toContain('nothing from this migration was kept');
    expect(await rows('SELECT id FROM t')).toEqual([]);
    expect(await rows('SELECT version FROM _strata_migrations WHERE version = 2')).toEqual([]);
  });

  it('DDL mixed with DML: what ran is committed, the row is dirty first, and the message says which lines', async () => {
    await writeTree(dir.path, {
      '0001_mixed.sql':
        'CREATE TABLE kept (id INT);\nINSERT INTO kept VALUES (1);\nINSERT INTO missing_table VALUES (1);\nCREATE TABLE never (id INT);\n',
    });
    const plan = await migrator().plan();
    expect(plan.steps[0]).toMatchObject({ transactional: false });
    const error = await expectCode(migrator().run(), 'MIGRATION_FAILED');
    expect(error.message).toContain('0001_mixed.sql:3:1');
    expect(error.details.databaseCode).toBe('1146');
    expect(error.message).toContain('CREATE TABLE (line 1) is committed implicitly by MySQL');
    expect(error.message).toContain(
      'the 2 statements before the failing one are committed (lines 1, 2), and the failing one is not',
    );
    expect(error.message).toContain('strata resolve 1 --applied');
    expect(error.details.dirty).toBe(true);
    expect(await rows('SELECT id FROM kept')).toEqual([{ id: 1 }]);
    expect(await rows('SELECT success FROM _strata_migrations')).toEqual([{ success: 0 }]);
    await expectCode(migrator().run(), 'MIGRATION_DIRTY');
  });

  it('locates a syntax error by line and column from the server message, with its error code', async () => {
    await writeTree(dir.path, { '0001_bad.sql': 'CREATE TABLE a (id INT);\n  SELECT id FROMM a WHERE;\n' });
    const error = await expectCode(migrator().run(), 'MIGRATION_FAILED');
    // The server says `near 'a WHERE' at line 1` of the statement (FROMM reads as an alias): column 19 of the file's line 2.
    expect(error.details).toMatchObject({ line: 2, column: 19, databaseCode: '1064' });
    expect(error.message).toMatch(/0001_bad\.sql:2:19: .*syntax.* \[1064\]/);
  });

  it('refuses singleTransaction before touching the database: DDL commits itself', () => {
    expect(() => migrator({ singleTransaction: true })).toThrow(/commits DDL implicitly/);
    try {
      migrator({ singleTransaction: true });
    } catch (error) {
      expect((error as StrataError).code).toBe('SINGLE_TRANSACTION_NOT_POSSIBLE');
    }
  });

  it('keeps its history in the database it started in when a migration says USE', async () => {
    const other = await createMysqlDatabase('other');
    try {
      await writeTree(dir.path, {
        '0001_move.sql': `-- no-transaction\nUSE \`${other.name}\`;\nCREATE TABLE moved (id INT);\n`,
        '0002_next.sql': 'SELECT 1;\n',
      });
      await migrator().run();
      expect((await rows('SELECT version FROM _strata_migrations ORDER BY version')).map((r) => Number(r.version))).toEqual([
        1, 2,
      ]);
    } finally {
      await other.drop();
    }
  });

  it('takes a callback pool, a promise connection and a pool cluster, recognised by shape', async () => {
    await writeTree(dir.path, { '0001_one.sql': 'CREATE TABLE one (id INT);\n' });
    const callbackPool = mysqlCallback.createPool({ uri: database.url, connectionLimit: 2 });
    const connection = await mysql.createConnection({ uri: database.url });
    const cluster = mysqlCallback.createPoolCluster();
    cluster.add('MAIN', { uri: database.url });
    try {
      expect((await new Migrator({ db: callbackPool, migrations: dir.path }).run()).applied).toHaveLength(1);
      expect((await new Migrator({ db: connection, migrations: dir.path }).status())[0]?.state).toBe('applied');
      expect((await new Migrator({ db: cluster, migrations: dir.path }).status())[0]?.state).toBe('applied');
      // strata never left a transaction open on the caller's connection.
      const [[state]] = (await connection.query('SELECT @@in_transaction AS open')) as unknown as [{ open: number }[]];
      expect(state?.open).toBe(0);
    } finally {
      await new Promise<void>((resolve) => callbackPool.end(() => resolve()));
      await connection.end();
      await new Promise<void>((resolve) => cluster.end(() => resolve()));
    }
  });
});
