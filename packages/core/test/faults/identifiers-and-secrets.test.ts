/**
 * Issue 8, security (the engine's part):
 * - "Table and schema names from options are quoted identifiers; a name such as
 *   `x"; drop table users; --` either is rejected or is used literally, and a test proves nothing
 *   else was executed." Decided: used literally. The proof is the database afterwards: `users`
 *   and its row survive, and exactly the expected tables exist, after every code path that names
 *   the history table (run, status, plan, revert, a dirty row, resolve and its resolutions table).
 * - "No password from a connection string appears in any error or log line": a pool whose URL
 *   carries a password, pointed at a closed port, and at a server that rejects the password; every
 *   error (message, stack, JSON, inspect) and every logger line is scanned.
 */
import { inspect } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, sqliteFile } from '../../../../test-support/databases.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../../../test-support/throwaway-postgres.js';
import { type DatabaseHandle, isStrataError, type MigrationInput, Migrator } from '../../src/index.js';
import { catchError, postgresTables, recordingLogger, useCleanups } from './support/fault-helpers.js';

const cleanups = useCleanups();

const EVIL_TABLE = 'x"; drop table users; --';
const EVIL_SCHEMA = 's"; drop table users; --';

const MIGRATIONS: MigrationInput[] = [
  { version: 1, description: 'create t1', up: 'CREATE TABLE t1 (id INTEGER);\n', down: 'DROP TABLE t1;\n' },
  {
    version: 2,
    description: 'create t2 outside a transaction',
    up: '-- no-transaction\nCREATE TABLE t2 (id INTEGER);\n',
    down: 'DROP TABLE t2;\n',
  },
  { version: 3, description: 'create t3', up: 'CREATE TABLE t3 (id INTEGER);\n', down: 'DROP TABLE t3;\n' },
];
/** Fails at its second statement outside a transaction: leaves a dirty row to resolve. */
const HALF_DONE: MigrationInput = {
  version: 4,
  description: 'half done',
  up: '-- no-transaction\nCREATE TABLE t4 (id INTEGER);\nSELECT * FROM no_such_table;\n',
};

/** Every code path that writes or reads the history table, under `options`. */
async function exerciseEveryPath(db: DatabaseHandle, options: { table: string; schema?: string }): Promise<void> {
  const migrator = (migrations: MigrationInput[]) => new Migrator({ db, migrations, ...options });
  expect((await migrator(MIGRATIONS).run()).applied.map((step) => step.version)).toEqual([1n, 2n, 3n]);
  expect((await migrator(MIGRATIONS).run()).applied).toEqual([]);
  expect((await migrator(MIGRATIONS).status()).map((line) => line.state)).toEqual(['applied', 'applied', 'applied']);
  expect((await migrator(MIGRATIONS).plan({ direction: 'down', all: true })).steps).toHaveLength(3);
  expect((await migrator(MIGRATIONS).revert({ steps: 2 })).applied.map((step) => step.version)).toEqual([3n, 2n]);
  expect((await migrator(MIGRATIONS).run()).applied.map((step) => step.version)).toEqual([2n, 3n]);

  const failed = await catchError(migrator([...MIGRATIONS, HALF_DONE]).run());
  expect(isStrataError(failed, 'MIGRATION_FAILED'), String(failed)).toBe(true);
  expect((await migrator([...MIGRATIONS, HALF_DONE]).status()).map((line) => line.state)).toEqual([
    'applied',
    'applied',
    'applied',
    'dirty',
  ]);
  await migrator([...MIGRATIONS, HALF_DONE]).resolve(4, 'applied');
  expect((await migrator([...MIGRATIONS, HALF_DONE]).status()).map((line) => line.state)).toEqual([
    'applied',
    'applied',
    'applied',
    'applied',
  ]);
}

describe('PostgreSQL: hostile table and schema names are used literally', () => {
  it(`table ${JSON.stringify(EVIL_TABLE)} in schema ${JSON.stringify(EVIL_SCHEMA)}: nothing else is executed`, async () => {
    const database = await createPostgresDatabase('hostile');
    cleanups.push(database.drop);
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    pool.on('error', () => {});
    cleanups.push(() => pool.end());
    await pool.query('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
    await pool.query("INSERT INTO users VALUES (1, 'still here')");

    await exerciseEveryPath(pool, { table: EVIL_TABLE, schema: EVIL_SCHEMA });

    expect((await pool.query('SELECT id, name FROM users')).rows).toEqual([{ id: 1, name: 'still here' }]);
    expect(await postgresTables(pool)).toEqual(
      [
        `${EVIL_SCHEMA}.${EVIL_TABLE}`,
        `${EVIL_SCHEMA}.${EVIL_TABLE}_resolutions`,
        'public.t1',
        'public.t2',
        'public.t3',
        'public.t4',
        'public.users',
      ].sort(),
    );
    const schemas = await pool.query(
      "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1",
    );
    expect(schemas.rows.map((row) => row.nspname).sort()).toEqual(['public', EVIL_SCHEMA].sort());
    const history = await pool.query(
      `SELECT version::text AS v, success FROM "${EVIL_SCHEMA.replace(/"/g, '""')}"."${EVIL_TABLE.replace(/"/g, '""')}" ORDER BY 1`,
    );
    expect(history.rows).toEqual(['1', '2', '3', '4'].map((v) => ({ v, success: true })));
  });

  it('a name with a dot is one identifier, not schema.table', async () => {
    const database = await createPostgresDatabase('dotted');
    cleanups.push(database.drop);
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    pool.on('error', () => {});
    cleanups.push(() => pool.end());
    await new Migrator({ db: pool, migrations: MIGRATIONS, table: 'audit.history' }).run();
    expect(await postgresTables(pool)).toEqual(['public.audit.history', 'public.t1', 'public.t2', 'public.t3']);
  });
});

describe('SQLite: hostile table and attached-database names are used literally', () => {
  it(`table ${JSON.stringify(EVIL_TABLE)} in an attached database named like an injection: nothing else is executed`, async () => {
    const file = await sqliteFile();
    cleanups.push(file.cleanup);
    const side = await sqliteFile();
    cleanups.push(side.cleanup);
    const db = new Database(file.path);
    cleanups.push(() => db.close());
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO users VALUES (1, 'still here');");
    const attached = 'h"; drop table users; --';
    db.prepare(`ATTACH DATABASE ? AS "${attached.replace(/"/g, '""')}"`).run(side.path);

    await exerciseEveryPath(db, { table: EVIL_TABLE, schema: attached });

    expect(db.prepare('SELECT id, name FROM users').all()).toEqual([{ id: 1, name: 'still here' }]);
    const names = (schema: string) =>
      db
        .prepare(`SELECT name FROM "${schema.replace(/"/g, '""')}".sqlite_master WHERE type = 'table' ORDER BY name`)
        .pluck()
        .all();
    expect(names('main')).toEqual(['t1', 't2', 't3', 't4', 'users']);
    expect(names(attached)).toEqual([EVIL_TABLE, `${EVIL_TABLE}_resolutions`]);
  });
});

/** Every text an error can show a person or a log: message, stack, JSON, a deep inspect. */
function errorTexts(error: unknown): string {
  return [String(error), (error as Error)?.stack ?? '', JSON.stringify(error), inspect(error, { depth: 10 })].join('\n');
}

function expectNoSecret(text: string, secrets: string[]): void {
  for (const secret of secrets) expect(text.includes(secret), `the text shows ${JSON.stringify(secret)}:\n${text}`).toBe(false);
}

describe('passwords never appear in errors or log lines', () => {
  const password = 'S3cr3t-p@ss:w/rd';
  const encoded = encodeURIComponent(password);
  const secrets = [password, encoded];

  it('a pool with a password in its URL, pointed at a closed port: CONNECTION_FAILED from every call, naming the target but not the password', async () => {
    const pools = [
      new pg.Pool({ connectionString: `postgres://strata:${encoded}@127.0.0.1:1/strata_db`, connectionTimeoutMillis: 5_000 }),
      new pg.Pool({
        host: '127.0.0.1',
        port: 1,
        user: 'strata',
        password,
        database: 'strata_db',
        connectionTimeoutMillis: 5_000,
      }),
    ];
    for (const pool of pools) {
      pool.on('error', () => {});
      cleanups.push(() => pool.end());
      const logger = recordingLogger();
      const migrator = new Migrator({ db: pool, migrations: MIGRATIONS, logger, lockTimeout: 1_000 });
      const calls = [
        () => migrator.run(),
        () => migrator.status(),
        () => migrator.plan(),
        () => migrator.revert(),
        () => migrator.resolve(1, 'applied'),
      ];
      for (const call of calls) {
        const error = await catchError(call());
        expect(isStrataError(error, 'CONNECTION_FAILED'), errorTexts(error)).toBe(true);
        expect(error.message).toContain('127.0.0.1:1');
        // The one rule: the user, and *** where the password was.
        expect(error.message).toContain('strata:***@127.0.0.1:1');
        expectNoSecret(errorTexts(error), secrets);
      }
      expectNoSecret(logger.text(), secrets);
    }
  });

  it('a connection string inside a database error message is redacted in the error and the log', async () => {
    const database = await createPostgresDatabase('redact');
    cleanups.push(database.drop);
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    pool.on('error', () => {});
    cleanups.push(() => pool.end());
    const logger = recordingLogger();
    const migrations: MigrationInput[] = [
      {
        version: 1,
        description: 'fails naming a url',
        up: "DO $$ BEGIN RAISE EXCEPTION 'cannot reach postgres://replicator:hunter2-secret@replica:5432/app'\n  USING DETAIL = 'tried postgres://replicator:hunter2-secret@replica:5432/app', HINT = 'see postgresql://replicator:hunter2-secret@replica/app'; END $$;\n",
      },
    ];
    const error = await catchError(new Migrator({ db: pool, migrations, logger }).run());
    expect(isStrataError(error, 'MIGRATION_FAILED'), String(error)).toBe(true);
    expect(error.message).toContain('postgres://replicator:***@replica:5432/app');
    expectNoSecret(`${error.message}\n${JSON.stringify(error)}`, ['hunter2-secret']);
    expect(logger.lines.some((line) => line.level === 'error')).toBe(true);
    expectNoSecret(logger.text(), ['hunter2-secret']);
  });

  describe('against a server that rejects the password', () => {
    let server: ThrowawayPostgres;
    beforeAll(async () => {
      server = await startThrowawayPostgres({ password: 'the-right-Pa55word' });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('fails with a typed CONNECTION_FAILED showing neither the wrong nor the right password', async () => {
      const wrong = 'wr0ng-Pa55word-xyz';
      const pool = new pg.Pool({ connectionString: `postgres://postgres:${wrong}@127.0.0.1:${server.port}/postgres` });
      pool.on('error', () => {});
      cleanups.push(() => pool.end());
      const logger = recordingLogger();
      const migrator = new Migrator({ db: pool, migrations: MIGRATIONS, logger });
      for (const call of [() => migrator.run(), () => migrator.status()]) {
        const error = await catchError(call());
        expect(isStrataError(error, 'CONNECTION_FAILED'), errorTexts(error)).toBe(true);
        expect(error.details?.databaseCode).toBe('28P01');
        expectNoSecret(errorTexts(error), [wrong, server.password]);
      }
      expectNoSecret(logger.text(), [wrong, server.password]);
    });
  });
});
