/**
 * Issue 8: "SIGKILL while a `-- no-transaction` migration runs between two statements: the history
 * shows it dirty; the next run refuses with a message naming the version and the `strata resolve`
 * command; after resolve the run continues."
 *
 * Migration 2 runs outside a transaction: its first statement (an index) commits on its own, then
 * it stalls (pg_sleep / a blocking SQLite function) and the runner process is SIGKILLed there.
 * Both ways out are exercised: the person finishes the migration by hand and resolves `applied`,
 * or undoes its first statement and resolves `rolled-back` so the next run applies it again.
 * The runner is engine-processes' fixture (one OS process, the built engine).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { sqliteFile, tempDir, writeTree } from '../../../../test-support/databases.js';
import { createMysqlDatabase } from '../../../../test-support/mysql.js';
import { Migrator } from '../../src/index.js';
import {
  describeRun,
  doomedPostgresScene,
  type FixtureRun,
  readPid,
  runFixture,
  waitFor,
} from '../engine-processes/process-harness.js';
import { postgresHistory, postgresTables, useCleanups } from './support/fault-helpers.js';

/** The dead run's statement would sleep this long; a rerun that took it would be waiting on the corpse. */
const STALL_SECONDS = 30;
/** Generous: well under the stall, so "the rerun was not blocked by the killed run" is what it proves. */
const RERUN_BOUND_MS = 20_000;

const cleanups = useCleanups();

function migrations(dialect: 'postgres' | 'sqlite'): Record<string, string> {
  const stall =
    dialect === 'postgres'
      ? `SELECT pg_sleep(CASE WHEN current_setting('application_name') = 'strata-doomed' THEN ${STALL_SECONDS} ELSE 0 END);`
      : `SELECT strata_test_pause(${STALL_SECONDS * 1000});`;
  const concurrently = dialect === 'postgres' ? 'CONCURRENTLY ' : '';
  return {
    'migrations/0001_create_accounts.sql': 'CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n',
    'migrations/0002_index_accounts_then_audit.sql':
      `-- no-transaction\nCREATE INDEX ${concurrently}accounts_email ON accounts (email);\n${stall}\n` +
      'CREATE TABLE audit (id INTEGER PRIMARY KEY);\n',
    'migrations/0003_after_the_dirty_one.sql': 'CREATE TABLE after_dirty (id INTEGER PRIMARY KEY);\n',
  };
}

function expectRefusedAsDirty(run: FixtureRun): void {
  expect(run.result.code, describeRun(run)).toBe(1);
  expect(run.output?.error?.code, describeRun(run)).toBe('MIGRATION_DIRTY');
  const message = run.output?.error?.message ?? '';
  expect(message).toContain('migration 2 ');
  expect(message).toContain('strata resolve 2');
  expect(run.output?.error?.details?.version).toBe('2');
}

describe('PostgreSQL: SIGKILL between two statements of a -- no-transaction migration', () => {
  for (const resolution of ['applied', 'rolled-back'] as const) {
    it(`leaves it dirty, the next run refuses naming strata resolve, and after resolve ${resolution} the run continues`, async () => {
      const scene = await doomedPostgresScene('killed_notx', migrations('postgres'), cleanups);
      const { database, pidFile, client } = scene;
      const migrationsDir = scene.migrations;

      const doomed = runFixture({
        dialect: 'postgres',
        url: database.url,
        migrations: migrationsDir,
        applicationName: 'strata-doomed',
        pidFile,
      });
      const pid = await readPid(pidFile);
      // Between the statements: the index is built (CONCURRENTLY commits by itself) and pg_sleep runs.
      await waitFor('the doomed run to sleep inside migration 2', async () => {
        const { rows } = await client.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'strata-doomed' AND state = 'active' AND query LIKE '%pg_sleep%'",
        );
        return rows.length === 1;
      });
      process.kill(pid, 'SIGKILL');
      const killed = await doomed;
      expect(killed.result.signal, describeRun(killed)).toBe('SIGKILL');

      // Dirty in the history; the first statement's work is there, the rest of the file is not.
      expect(await postgresHistory(client)).toEqual([
        { version: '1', success: true },
        { version: '2', success: false },
      ]);
      const index = await client.query("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('accounts_email')");
      expect(index.rows).toEqual([{ indisvalid: true }]);
      expect(await postgresTables(client)).toEqual(['public._strata_migrations', 'public.accounts']);

      const pool = new pg.Pool({ connectionString: database.url, max: 2 });
      pool.on('error', () => {});
      cleanups.push(() => pool.end());
      const status = await new Migrator({ db: pool, migrations: migrationsDir }).status();
      expect(status.map((line) => [String(line.version), line.state])).toEqual([
        ['1', 'applied'],
        ['2', 'dirty'],
        ['3', 'pending'],
      ]);

      // The next run, in a new process: refused (not blocked by the dead backend), nothing changed.
      const started = performance.now();
      const refused = await runFixture({
        dialect: 'postgres',
        url: database.url,
        migrations: migrationsDir,
        applicationName: 'strata-rerun',
      });
      expect(performance.now() - started, 'the rerun waited for the killed run').toBeLessThan(RERUN_BOUND_MS);
      expectRefusedAsDirty(refused);
      expect(await postgresHistory(client)).toEqual([
        { version: '1', success: true },
        { version: '2', success: false },
      ]);
      expect(await postgresTables(client)).toEqual(['public._strata_migrations', 'public.accounts']);

      // The person repairs the database, then records what they did.
      if (resolution === 'applied') await client.query('CREATE TABLE audit (id INTEGER PRIMARY KEY)');
      else await client.query('DROP INDEX accounts_email');
      await new Migrator({ db: pool, migrations: migrationsDir }).resolve(2, resolution);
      const recorded = await client.query('SELECT version::text AS version, resolution FROM _strata_migrations_resolutions');
      expect(recorded.rows).toEqual([{ version: '2', resolution }]);

      const resumed = await runFixture({
        dialect: 'postgres',
        url: database.url,
        migrations: migrationsDir,
        applicationName: 'strata-rerun',
      });
      expect(resumed.result.code, describeRun(resumed)).toBe(0);
      expect(resumed.output?.report?.applied).toEqual(resolution === 'applied' ? ['3'] : ['2', '3']);
      expect(await postgresHistory(client)).toEqual(['1', '2', '3'].map((version) => ({ version, success: true })));
      const after = await client.query("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass('accounts_email')");
      expect(after.rows).toEqual([{ indisvalid: true }]);
      expect(await postgresTables(client)).toEqual([
        'public._strata_migrations',
        'public._strata_migrations_resolutions',
        'public.accounts',
        'public.after_dirty',
        'public.audit',
      ]);
    });
  }
});

describe('SQLite: SIGKILL between two statements of a -- no-transaction migration', () => {
  for (const resolution of ['applied', 'rolled-back'] as const) {
    it(`leaves it dirty, the next run refuses naming strata resolve, and after resolve ${resolution} the run continues`, async () => {
      const file = await sqliteFile();
      cleanups.push(file.cleanup);
      const dir = await tempDir('killed-notx-sqlite');
      cleanups.push(dir.cleanup);
      await writeTree(dir.path, migrations('sqlite'));
      const migrationsDir = join(dir.path, 'migrations');
      const pidFile = join(dir.path, 'doomed.pid');
      const marker = join(dir.path, 'paused');

      const doomed = runFixture({
        dialect: 'sqlite',
        file: file.path,
        migrations: migrationsDir,
        pidFile,
        pauseMarkerFile: marker,
      });
      const pid = await readPid(pidFile);
      await waitFor('the doomed run to stall inside migration 2', async () => existsSync(marker));
      process.kill(pid, 'SIGKILL');
      const killed = await doomed;
      expect(killed.result.signal, describeRun(killed)).toBe('SIGKILL');

      const db = new Database(file.path);
      cleanups.push(() => db.close());
      db.function('strata_test_pause', () => 0);
      const history = () =>
        db
          .prepare('SELECT CAST(version AS TEXT) AS version, success FROM _strata_migrations ORDER BY _strata_migrations.version')
          .all();
      const objects = () =>
        db.prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
      expect(history()).toEqual([
        { version: '1', success: 1 },
        { version: '2', success: 0 },
      ]);
      expect(objects()).toEqual(['_strata_migrations', 'accounts', 'accounts_email']);
      const status = await new Migrator({ db, migrations: migrationsDir }).status();
      expect(status.map((line) => [String(line.version), line.state])).toEqual([
        ['1', 'applied'],
        ['2', 'dirty'],
        ['3', 'pending'],
      ]);

      const started = performance.now();
      const refused = await runFixture({ dialect: 'sqlite', file: file.path, migrations: migrationsDir, pauseMs: 0 });
      expect(performance.now() - started, 'the rerun waited for the killed run').toBeLessThan(RERUN_BOUND_MS);
      expectRefusedAsDirty(refused);
      expect(history()).toEqual([
        { version: '1', success: 1 },
        { version: '2', success: 0 },
      ]);

      if (resolution === 'applied') db.exec('CREATE TABLE audit (id INTEGER PRIMARY KEY)');
      else db.exec('DROP INDEX accounts_email');
      const resolveError = await new Migrator({ db, migrations: migrationsDir })
        .resolve(2, resolution)
        .catch((error: unknown) => error);
      expect(resolveError, String(resolveError)).toBeUndefined();
      expect(db.prepare('SELECT CAST(version AS TEXT) AS version, resolution FROM _strata_migrations_resolutions').all()).toEqual(
        [{ version: '2', resolution }],
      );

      const resumed = await runFixture({ dialect: 'sqlite', file: file.path, migrations: migrationsDir, pauseMs: 0 });
      expect(resumed.result.code, describeRun(resumed)).toBe(0);
      expect(resumed.output?.report?.applied).toEqual(resolution === 'applied' ? ['3'] : ['2', '3']);
      expect(history()).toEqual(['1', '2', '3'].map((version) => ({ version, success: 1 })));
      expect(objects()).toEqual([
        '_strata_migrations',
        '_strata_migrations_resolutions',
        'accounts',
        'accounts_email',
        'after_dirty',
        'audit',
      ]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    });
  }
});

/**
 * MySQL commits DDL itself, so a migration holding it runs statement by statement without
 * `-- no-transaction`: killed between two statements, it is what a no-transaction one is elsewhere.
 */
describe('MySQL: SIGKILL between two statements of a migration holding DDL', () => {
  for (const resolution of ['applied', 'rolled-back'] as const) {
    it(`leaves it dirty, the next run refuses naming strata resolve, and after resolve ${resolution} the run continues`, async () => {
      const database = await createMysqlDatabase('killed_ddl');
      cleanups.push(database.drop);
      const dir = await tempDir('killed-ddl-mysql');
      cleanups.push(dir.cleanup);
      const pool = mysql.createPool({ uri: database.url, connectionLimit: 2 });
      cleanups.push(() => pool.end());
      const rows = async (sql: string) => (await pool.query(sql))[0] as Record<string, unknown>[];
      const history = async () =>
        (await rows('SELECT version, success FROM _strata_migrations ORDER BY version')).map(
          (row) => `${row.version}:${Number(row.success) === 1 ? 'ok' : 'dirty'}`,
        );
      const tables = async () =>
        (await rows('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()'))
          .map((row) => String(row.t))
          .sort();
      // The stall lasts while the marker row exists: the reruns run the same bytes without it.
      await pool.query('CREATE TABLE stall_marker (id INTEGER)');
      await pool.query('INSERT INTO stall_marker VALUES (1)');
      await writeTree(dir.path, {
        'migrations/0001_create_accounts.sql': 'CREATE TABLE accounts (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL);\n',
        'migrations/0002_index_accounts_then_audit.sql':
          'CREATE INDEX accounts_email ON accounts (email);\n' +
          `SELECT SLEEP(IF((SELECT COUNT(*) FROM stall_marker) > 0, ${STALL_SECONDS}, 0));\n` +
          'CREATE TABLE audit (id INTEGER PRIMARY KEY);\n',
        'migrations/0003_after_the_dirty_one.sql': 'CREATE TABLE after_dirty (id INTEGER PRIMARY KEY);\n',
      });
      const migrationsDir = join(dir.path, 'migrations');
      const pidFile = join(dir.path, 'doomed.pid');
      const doomed = runFixture({ dialect: 'mysql', url: database.url, migrations: migrationsDir, pidFile });
      const pid = await readPid(pidFile);
      await waitFor('the doomed run to sleep inside migration 2', async () => {
        const sleeping = await rows(
          "SELECT 1 FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'SELECT SLEEP(IF(%'",
        );
        return sleeping.length === 1;
      });
      process.kill(pid, 'SIGKILL');
      const killed = await doomed;
      expect(killed.result.signal, describeRun(killed)).toBe('SIGKILL');
      await pool.query('DELETE FROM stall_marker');

      // Dirty; the index (committed as it ran) is there, the rest of the file is not.
      expect(await history()).toEqual(['1:ok', '2:dirty']);
      expect(await rows("SHOW INDEX FROM accounts WHERE Key_name = 'accounts_email'")).toHaveLength(1);
      expect(await tables()).toEqual(['_strata_migrations', 'accounts', 'stall_marker']);

      // The next run, in a new process: refused (a lock the dead session held would end it in LOCK_TIMEOUT), nothing changed.
      const refused = await runFixture({ dialect: 'mysql', url: database.url, migrations: migrationsDir, lockTimeout: 15_000 });
      expectRefusedAsDirty(refused);
      expect(await history()).toEqual(['1:ok', '2:dirty']);

      if (resolution === 'applied') await pool.query('CREATE TABLE audit (id INTEGER PRIMARY KEY)');
      else await pool.query('DROP INDEX accounts_email ON accounts');
      await new Migrator({ db: pool, migrations: migrationsDir }).resolve(2, resolution);
      const resumed = await runFixture({ dialect: 'mysql', url: database.url, migrations: migrationsDir, lockTimeout: 15_000 });
      expect(resumed.result.code, describeRun(resumed)).toBe(0);
      expect(resumed.output?.report?.applied).toEqual(resolution === 'applied' ? ['3'] : ['2', '3']);
      expect(await history()).toEqual(['1:ok', '2:ok', '3:ok']);
      expect(await rows("SHOW INDEX FROM accounts WHERE Key_name = 'accounts_email'")).toHaveLength(1);
      expect(await tables()).toEqual([
        '_strata_migrations',
        '_strata_migrations_resolutions',
        'accounts',
        'after_dirty',
        'audit',
        'stall_marker',
      ]);
    });
  }
});
