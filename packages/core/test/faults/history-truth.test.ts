/**
 * A migration's SQL must never make strata record what did not happen, lose rows, or leave a
 * transaction or the lock behind. Each case is SQL people really write; each is judged by the
 * schema, the rows and the history, not only by the outcome of the call.
 */
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStrataError, type MigrationInput, Migrator, type StrataError } from '../../src/index.js';
import { dialectsWithMysql, openMysql, openPostgres, openSqlite, type TestDatabase } from '../support/dialects.js';

async function failure(promise: Promise<unknown>): Promise<StrataError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStrataError(error)) throw new Error(`expected a StrataError, got ${String(error)}`);
  return error;
}

async function history(db: TestDatabase): Promise<string[]> {
  const rows = await db.query('SELECT version, success FROM _strata_migrations ORDER BY version').catch(() => []);
  return rows.map((row) => `${row.version}:${Number(row.success) || row.success === true ? 'ok' : 'dirty'}`);
}

async function count(db: TestDatabase, table: string): Promise<number> {
  const [row] = await db.query(`SELECT count(*) AS n FROM ${table}`);
  return Number(row?.n);
}

/** Nothing left open on the caller's handle: no transaction, and no run lock held by anyone. */
async function expectNothingLeftOpen(db: TestDatabase): Promise<void> {
  expect(await db.leftOpen()).toEqual({ locks: 0, transactions: 0 });
}

const v = (version: number, up: string, extra: Partial<MigrationInput> = {}): MigrationInput => ({
  version,
  description: `step ${version}`,
  up,
  ...extra,
});

describe.each(dialectsWithMysql)('history truth on %s', (name, open) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await open();
  });
  afterEach(async () => {
    await db.close();
  });

  it('refuses a transactional script that ends its own transaction (COMMIT in the middle), before anything runs', async () => {
    const migrations = [
      v(
        1,
        'CREATE TABLE payments (amount int);\nINSERT INTO payments VALUES (10);\nCOMMIT;\nUPDATE payments SET amount = amount / 0;\n',
      ),
    ];
    const error = await failure(new Migrator({ db: db.handle, migrations }).run());
    expect(error.code).toBe('TRANSACTION_CONTROL_IN_MIGRATION');
    expect(error.details).toMatchObject({ version: '1', line: 3, column: 1, statement: 'COMMIT' });
    expect(error.message).toContain('-- no-transaction');
    expect(await db.tableExists('payments')).toBe(false);
    expect(await history(db)).toEqual([]);
    await expectNothingLeftOpen(db);
  });

  it('refuses ROLLBACK inside a transactional script, and allows SAVEPOINT / ROLLBACK TO', async () => {
    const refused = [v(1, 'CREATE TABLE users (id int);\nROLLBACK;\nCREATE TABLE audit (id int);\n')];
    const error = await failure(new Migrator({ db: db.handle, migrations: refused }).run());
    expect(error.code).toBe('TRANSACTION_CONTROL_IN_MIGRATION');
    expect(error.details).toMatchObject({ line: 2, statement: 'ROLLBACK' });
    expect(await db.tableExists('users')).toBe(false);
    expect(await db.tableExists('audit')).toBe(false);

    const savepoints =
      'SAVEPOINT s;\nINSERT INTO t VALUES (1);\nROLLBACK TO SAVEPOINT s;\nINSERT INTO t VALUES (2);\nRELEASE SAVEPOINT s;\n';
    // MySQL commits the CREATE TABLE (and so any transaction) itself: there the savepoints go in a migration of DML alone.
    const allowed =
      name === 'mysql' ? [v(2, 'CREATE TABLE t (id int);'), v(3, savepoints)] : [v(2, `CREATE TABLE t (id int);\n${savepoints}`)];
    await new Migrator({ db: db.handle, migrations: allowed }).run();
    expect(await db.query('SELECT id FROM t')).toEqual([{ id: 2 }]);
    expect(await history(db)).toEqual(name === 'mysql' ? ['2:ok', '3:ok'] : ['2:ok']);
    await expectNothingLeftOpen(db);
  });

  it('a -- no-transaction script that opens a transaction and never commits: rolled back, nothing recorded as applied, the handle left clean', async () => {
    const migrations = [v(1, '-- no-transaction\nCREATE TABLE kept (id int);\nBEGIN;\nINSERT INTO kept VALUES (1);\n')];
    const error = await failure(new Migrator({ db: db.handle, migrations }).run());
    expect(error.code).toBe('TRANSACTION_LEFT_OPEN');
    expect(error.details).toMatchObject({ version: '1', line: 3, column: 1, dirty: true });
    // The CREATE committed on its own; the INSERT inside the unfinished transaction did not.
    expect(await db.tableExists('kept')).toBe(true);
    expect(await count(db, 'kept')).toBe(0);
    expect(await history(db)).toEqual(['1:dirty']);
    await expectNothingLeftOpen(db);
    // The next run stops at the dirty row instead of passing it.
    expect((await failure(new Migrator({ db: db.handle, migrations }).run())).code).toBe('MIGRATION_DIRTY');
  });

  it('a -- no-transaction script with its own BEGIN ... COMMIT applies and is recorded', async () => {
    const migrations = [v(1, '-- no-transaction\nCREATE TABLE t (id int);\nBEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;\n')];
    await new Migrator({ db: db.handle, migrations }).run();
    expect(await count(db, 't')).toBe(1);
    expect(await history(db)).toEqual(['1:ok']);
    await expectNothingLeftOpen(db);
  });

  it('the replay that locates a failing statement never runs committed work twice', async () => {
    // A no-transaction script runs statement by statement from the start: never replayed.
    const migrations = [
      v(
        1,
        '-- no-transaction\nCREATE TABLE payments (amount int NOT NULL);\nINSERT INTO payments VALUES (10);\nUPDATE payments SET amount = NULL;\n',
      ),
    ];
    const error = await failure(new Migrator({ db: db.handle, migrations }).run());
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.details).toMatchObject({ line: 4 });
    expect(await count(db, 'payments')).toBe(1);
    expect(await history(db)).toEqual(['1:dirty']);
    await expectNothingLeftOpen(db);
  });

  it('two run() calls at once on one handle take turns: every migration applied exactly once', async () => {
    await db.query('CREATE TABLE log (n int)');
    const migrations = [1, 2, 3, 4].map((n) => v(n, `INSERT INTO log VALUES (${n});`));
    const other = [1, 2, 3, 4].map((n) => v(n, `INSERT INTO log VALUES (${n});`));
    const [a, b] = await Promise.all([
      new Migrator({ db: db.handle, migrations }).run(),
      new Migrator({ db: db.handle, migrations: other }).run(),
    ]);
    expect(a.applied.length + b.applied.length).toBe(4);
    expect((await db.query('SELECT n FROM log ORDER BY n')).map((row) => Number(row.n))).toEqual([1, 2, 3, 4]);
    expect(await history(db)).toEqual(['1:ok', '2:ok', '3:ok', '4:ok']);
    await expectNothingLeftOpen(db);
  });
});

describe('history truth on PostgreSQL only', () => {
  let db: Awaited<ReturnType<typeof openPostgres>>;
  beforeEach(async () => {
    db = await openPostgres();
  });
  afterEach(async () => {
    await db.close();
  });

  it('two runs at once on ONE pg.Client (whose advisory lock is re-entrant) take turns: each migration once, nothing interleaved', async () => {
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => {});
    await client.connect();
    try {
      await db.query('CREATE TABLE log (id serial PRIMARY KEY, n int)');
      const migrations = [1, 2, 3, 4].map((n) => v(n, `INSERT INTO log (n) VALUES (${n});\nSELECT pg_sleep(0.02);`));
      // Two Migrators, two history tables, one session: before, their statements interleaved on it.
      const [a, b] = await Promise.all([
        new Migrator({ db: client, migrations, table: 'history_a' }).run(),
        new Migrator({ db: client, migrations, table: 'history_b' }).run(),
      ]);
      expect(a.applied).toHaveLength(4);
      expect(b.applied).toHaveLength(4);
      // Each run's four inserts, one run after the other: never 1,1,2,2 or a rolled-back step recorded.
      expect((await db.query('SELECT n FROM log ORDER BY id')).map((row) => Number(row.n))).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
      for (const table of ['history_a', 'history_b']) {
        expect((await db.query(`SELECT version FROM ${table} ORDER BY version`)).map((row) => Number(row.version))).toEqual([
          1, 2, 3, 4,
        ]);
      }
      expect((client as unknown as { _txStatus: string })._txStatus).toBe('I');
      await expectNothingLeftOpen(db);
    } finally {
      await client.end();
    }
  });

  it('a COMMIT the lexer cannot see (inside a procedure) ends the step: nothing recorded, the lock released', async () => {
    await db.query(`CREATE PROCEDURE sneaky_commit() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$`);
    // CALL of a procedure that commits fails inside a transaction block: PostgreSQL refuses it.
    const migrations = [v(1, 'CREATE TABLE t (id int);\nCALL sneaky_commit();\n')];
    const error = await failure(new Migrator({ db: db.handle, migrations }).run());
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.details).toMatchObject({ databaseCode: '2D000', line: 2 });
    expect(await db.tableExists('t')).toBe(false);
    expect(await history(db)).toEqual([]);
    await expectNothingLeftOpen(db);
  });

  it('a migration that releases the run lock (pg_advisory_unlock_all) is stopped before its history row: LOCK_LOST, nothing recorded', async () => {
    const migrations = [
      v(1, 'CREATE TABLE a (id int);'),
      v(2, 'CREATE TABLE b (id int);\nSELECT pg_advisory_unlock_all();\n'),
      v(3, 'CREATE TABLE c (id int);'),
    ];
    const error = await failure(new Migrator({ db: db.handle, migrations }).run());
    expect(error.code).toBe('LOCK_LOST');
    expect(error.details).toMatchObject({ version: '2' });
    expect(await db.tableExists('b')).toBe(false);
    expect(await db.tableExists('c')).toBe(false);
    expect(await history(db)).toEqual(['1:ok']);
    await expectNothingLeftOpen(db);
  });

  it('a lock released inside a single-transaction run rolls the whole run back: LOCK_LOST, nothing recorded', async () => {
    const migrations = [
      v(1, 'CREATE TABLE a (id int);'),
      v(2, 'CREATE TABLE b (id int);\nSELECT pg_advisory_unlock_all();\n'),
      v(3, 'CREATE TABLE c (id int);'),
    ];
    const error = await failure(new Migrator({ db: db.handle, migrations, singleTransaction: true }).run());
    expect(error.code).toBe('LOCK_LOST');
    expect(error.details).toMatchObject({ singleTransaction: true });
    for (const table of ['a', 'b', 'c']) expect(await db.tableExists(table)).toBe(false);
    expect(await history(db)).toEqual([]);
    await expectNothingLeftOpen(db);
  });

  it('DISCARD ALL in a -- no-transaction migration drops the lock: stopped with LOCK_LOST, the row left dirty by name', async () => {
    const migrations = [v(1, '-- no-transaction\nCREATE TABLE a (id int);\nDISCARD ALL;\n'), v(2, 'CREATE TABLE b (id int);')];
    const error = await failure(new Migrator({ db: db.handle, migrations }).run());
    expect(error.code).toBe('LOCK_LOST');
    expect(error.details).toMatchObject({ version: '1', dirty: true });
    expect(await db.tableExists('b')).toBe(false);
    expect(await history(db)).toEqual(['1:dirty']);
    await expectNothingLeftOpen(db);
  });

  it('RESET ALL in one migration does not lift statementTimeout for the next', async () => {
    const migrations = [v(1, 'RESET ALL;\nCREATE TABLE a (id int);'), v(2, 'SELECT pg_sleep(2);\nCREATE TABLE b (id int);')];
    const error = await failure(new Migrator({ db: db.handle, migrations, statementTimeout: 300 }).run());
    expect(error.details).toMatchObject({ version: '2', databaseCode: '57014' });
    expect(await history(db)).toEqual(['1:ok']);
    expect(await db.tableExists('b')).toBe(false);
    const settings = await Promise.all([1, 2, 3, 4].map(() => db.query('SHOW statement_timeout')));
    expect(settings.map((rows) => rows[0]?.statement_timeout)).toEqual(['0', '0', '0', '0']);
  });

  it('refuses statementTimeout values PostgreSQL cannot take, before touching the database', async () => {
    for (const statementTimeout of [Number.POSITIVE_INFINITY, 2 ** 31, Number.NaN]) {
      expect(() => new Migrator({ db: db.handle, migrations: [v(1, 'SELECT 1;')], statementTimeout })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      );
    }
    await expectNothingLeftOpen(db);
  });

  it('the history is pinned to its schema: a search_path a migration sets for the database does not move it', async () => {
    const pool = db.handle as pg.Pool;
    const database = (await db.query('SELECT current_database() AS d'))[0]?.d as string;
    const migrations = [
      v(1, `CREATE SCHEMA tenant;\nALTER DATABASE "${database}" SET search_path TO tenant;\nCREATE TABLE public.a (id int);`),
    ];
    await new Migrator({ db: pool, migrations }).run();
    // New sessions now see search_path = tenant.
    const fresh = new pg.Pool({ connectionString: (db as { url?: string }).url, max: 2 });
    fresh.on('error', () => {});
    try {
      expect((await fresh.query('SHOW search_path')).rows[0]?.search_path).toBe('tenant');
      const next = [...migrations, v(2, 'CREATE TABLE public.b (id int);')];
      const report = await new Migrator({ db: fresh, migrations: next }).run();
      expect(report.applied.map((step) => String(step.version))).toEqual(['2']);
      expect(
        (await fresh.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = '_strata_migrations' AND relkind = 'r'"))
          .rows[0]?.n,
      ).toBe(1);
    } finally {
      await fresh.end();
    }
  });
});

describe('history truth on MySQL / MariaDB only', () => {
  let db: Awaited<ReturnType<typeof openMysql>>;
  beforeEach(async () => {
    db = await openMysql();
  });
  afterEach(async () => {
    await db.close();
  });

  it('a migration that frees the run lock (RELEASE_ALL_LOCKS) is stopped before its history row: LOCK_LOST; its DML rolled back, its DDL dirty by name', async () => {
    await db.query('CREATE TABLE log (n int)');
    const dml = [v(1, 'INSERT INTO log VALUES (1);'), v(2, 'INSERT INTO log VALUES (2);\nSELECT RELEASE_ALL_LOCKS();\n')];
    const error = await failure(new Migrator({ db: db.handle, migrations: dml }).run());
    expect(error.code).toBe('LOCK_LOST');
    expect(error.details).toMatchObject({ version: '2' });
    expect((await db.query('SELECT n FROM log')).map((row) => Number(row.n))).toEqual([1]);
    expect(await history(db)).toEqual(['1:ok']);
    await expectNothingLeftOpen(db);

    // DDL commits itself: the row written first stays, dirty, naming the version.
    const ddl = [dml[0]!, v(2, 'CREATE TABLE b (id int);\nSELECT RELEASE_ALL_LOCKS();\n'), v(3, 'CREATE TABLE c (id int);')];
    const again = await failure(new Migrator({ db: db.handle, migrations: ddl }).run());
    expect(again.code).toBe('LOCK_LOST');
    expect(again.details).toMatchObject({ version: '2', dirty: true });
    expect(await db.tableExists('b')).toBe(true);
    expect(await db.tableExists('c')).toBe(false);
    expect(await history(db)).toEqual(['1:ok', '2:dirty']);
    await expectNothingLeftOpen(db);
  });

  it("statementTimeout is MariaDB's max_statement_time: a statement past it fails the step, a migration's own SET does not lift it, the session gets its value back", async () => {
    await db.query('CREATE TABLE log (n int)');
    const migrations = [
      v(1, 'SET SESSION max_statement_time = 0;\nINSERT INTO log VALUES (1);'),
      v(2, 'INSERT INTO log VALUES (2);\nINSERT INTO log SELECT SLEEP(3);\n'),
      v(3, 'CREATE TABLE c (id int);\nCREATE TABLE d AS SELECT SLEEP(3) AS s;\n'),
    ];
    const error = await failure(new Migrator({ db: db.handle, migrations, statementTimeout: 300 }).run());
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.details).toMatchObject({ version: '2', databaseCode: '1969', line: 2 });
    expect(error.message).toContain('max_statement_time');
    // Migration 2 is DML alone: rolled back whole, no row.
    expect((await db.query('SELECT n FROM log')).map((row) => Number(row.n))).toEqual([1]);
    expect(await history(db)).toEqual(['1:ok']);

    // DDL runs statement by statement: bounded too, and what ran before is committed, the row dirty.
    const ddl = await failure(
      new Migrator({ db: db.handle, migrations: [migrations[0]!, migrations[2]!], statementTimeout: 300 }).run(),
    );
    expect(ddl.details).toMatchObject({ version: '3', databaseCode: '1969', line: 2, dirty: true });
    expect(await db.tableExists('c')).toBe(true);
    expect(await db.tableExists('d')).toBe(false);
    expect(await history(db)).toEqual(['1:ok', '3:dirty']);
    await expectNothingLeftOpen(db);
    const settings = await Promise.all([1, 2, 3, 4].map(() => db.query('SELECT @@SESSION.max_statement_time AS t')));
    expect(settings.map((rows) => Number(rows[0]?.t))).toEqual([0, 0, 0, 0]);
  });

  it("statementTimeout gives the caller's own connection its value back after a run, its own setting included", async () => {
    const connection = await mysql.createConnection({ uri: db.url });
    try {
      const value = async () =>
        Number(((await connection.query('SELECT @@SESSION.max_statement_time AS t'))[0] as { t: string }[])[0]?.t);
      const migrations = [v(1, 'CREATE TABLE a (id int);'), v(2, 'INSERT INTO a VALUES (1);')];
      await new Migrator({ db: connection, migrations: migrations.slice(0, 1), statementTimeout: 5_000 }).run();
      expect(await value()).toBe(0);
      await connection.query('SET SESSION max_statement_time = 42.5');
      await new Migrator({ db: connection, migrations, statementTimeout: 5_000 }).run();
      expect(await value()).toBe(42.5);
      expect(await history(db)).toEqual(['1:ok', '2:ok']);
    } finally {
      await connection.end();
    }
  });
});

describe('history truth on SQLite only', () => {
  let db: Awaited<ReturnType<typeof openSqlite>>;
  beforeEach(async () => {
    db = await openSqlite();
  });
  afterEach(async () => {
    await db.close();
  });

  it("SQLite's own table-rebuild recipe (PRAGMA foreign_keys=OFF ... ON) loses no child row", async () => {
    const handle = db.handle as { pragma(sql: string, options?: { simple: boolean }): unknown };
    handle.pragma('foreign_keys = ON');
    await new Migrator({
      db: db.handle,
      migrations: [
        v(
          1,
          "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT);\nCREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors(id) ON DELETE CASCADE);\nINSERT INTO authors VALUES (1, 'a');\nINSERT INTO books VALUES (1, 1), (2, 1), (3, 1);\n",
        ),
      ],
    }).run();
    const rebuild = v(
      2,
      "PRAGMA foreign_keys=OFF;\nCREATE TABLE authors_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '');\nINSERT INTO authors_new SELECT id, name FROM authors;\nDROP TABLE authors;\nALTER TABLE authors_new RENAME TO authors;\nPRAGMA foreign_key_check;\nPRAGMA foreign_keys=ON;\n",
    );
    const all = [
      v(
        1,
        "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT);\nCREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors(id) ON DELETE CASCADE);\nINSERT INTO authors VALUES (1, 'a');\nINSERT INTO books VALUES (1, 1), (2, 1), (3, 1);\n",
      ),
      rebuild,
    ];
    await new Migrator({ db: db.handle, migrations: all }).run();
    expect(await count(db, 'books')).toBe(3);
    expect(await history(db)).toEqual(['1:ok', '2:ok']);
    // The caller's setting is back as it was.
    expect(handle.pragma('foreign_keys', { simple: true })).toBe(1);
    await expectNothingLeftOpen(db);
  });

  it("refuses the history in SQLite's temp schema, which would vanish with the connection", async () => {
    const error = await failure(
      new Migrator({ db: db.handle, migrations: [v(1, 'CREATE TABLE t (id int);')], schema: 'temp' }).run(),
    );
    expect(error.code).toBe('INVALID_OPTIONS');
    expect(await db.tableExists('t')).toBe(false);
  });
});
