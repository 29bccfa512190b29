/**
 * Issue 8: "A statement timeout or lock timeout configured for migrations is honoured and reported
 * as such." Configured three ways a team does it: inside the migration (`SET LOCAL`), on the
 * connection (pg's `statement_timeout` / `options: -c lock_timeout=...`), and in a
 * `-- no-transaction` script (session `SET`). Each failure is MIGRATION_FAILED carrying
 * PostgreSQL's own code (57014 query_canceled, 55P03 lock_not_available) and its words, naming the
 * file, and keeps nothing of a transactional migration. A session setting made by a migration
 * must not outlive the run on the caller's pooled connection.
 */
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase, tempDir, writeTree } from '../../../../test-support/databases.js';
import { isStrataError, Migrator } from '../../src/index.js';
import { catchError, postgresHistory, postgresTables, useCleanups } from './support/fault-helpers.js';

const cleanups = useCleanups();

async function setup(poolConfig: pg.PoolConfig = {}) {
  const database = await createPostgresDatabase('timeouts');
  cleanups.push(database.drop);
  const pool = new pg.Pool({ connectionString: database.url, max: 1, ...poolConfig });
  pool.on('error', () => {});
  cleanups.push(() => pool.end());
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  cleanups.push(() => admin.end());
  const dir = await tempDir('timeouts');
  cleanups.push(dir.cleanup);
  const migrations = join(dir.path, 'migrations');
  const write = (files: Record<string, string>) => writeTree(migrations, files);
  return { url: database.url, pool, admin, migrations, write };
}

describe('PostgreSQL: timeouts configured for migrations', () => {
  it('honours SET LOCAL statement_timeout inside a migration: 57014, said plainly, nothing kept', async () => {
    const { pool, admin, migrations, write } = await setup();
    await write({
      '0001_create_ok.sql': 'CREATE TABLE ok (id INTEGER PRIMARY KEY);\n',
      '0002_too_slow.sql': "CREATE TABLE slow (id INTEGER);\nSET LOCAL statement_timeout = '100ms';\nSELECT pg_sleep(1);\n",
    });

    const error = await catchError(new Migrator({ db: pool, migrations }).run());
    expect(isStrataError(error, 'MIGRATION_FAILED'), String(error)).toBe(true);
    expect(error.details).toMatchObject({ version: '2', file: '0002_too_slow.sql', databaseCode: '57014' });
    expect(error.message).toContain('0002_too_slow.sql');
    expect(error.message).toContain('canceling statement due to statement timeout');
    expect(error.message).toContain('57014');
    expect(await postgresHistory(admin)).toEqual([{ version: '1', success: true }]);
    expect(await postgresTables(admin)).toEqual(['public._strata_migrations', 'public.ok']);
    // SET LOCAL ended with the rolled-back transaction: the pooled connection is back to no timeout.
    const { rows } = await pool.query("SELECT current_setting('statement_timeout') AS value");
    expect(rows[0].value).toBe('0');
  });

  it('honours a statement_timeout set on the caller’s connection', async () => {
    const { pool, admin, migrations, write } = await setup({ statement_timeout: 300 });
    await write({ '0001_too_slow.sql': 'CREATE TABLE slow (id INTEGER);\nSELECT pg_sleep(3);\n' });

    const error = await catchError(new Migrator({ db: pool, migrations }).run());
    expect(isStrataError(error, 'MIGRATION_FAILED'), String(error)).toBe(true);
    expect(error.details).toMatchObject({ version: '1', databaseCode: '57014' });
    expect(error.message).toContain('statement timeout');
    expect(await postgresTables(admin)).toEqual(['public._strata_migrations']);
    expect(await postgresHistory(admin)).toEqual([]);
  });

  it('honours SET LOCAL lock_timeout while another session holds the table: 55P03, then applies once it lets go', async () => {
    const { url, pool, admin, migrations, write } = await setup();
    await admin.query('CREATE TABLE accounts (id INTEGER PRIMARY KEY)');
    await write({
      '0001_add_email.sql': "SET LOCAL lock_timeout = '200ms';\nALTER TABLE accounts ADD COLUMN email TEXT;\n",
    });
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    cleanups.push(() => holder.end());
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE accounts IN ACCESS SHARE MODE');

    const error = await catchError(new Migrator({ db: pool, migrations }).run());
    expect(isStrataError(error, 'MIGRATION_FAILED'), String(error)).toBe(true);
    expect(error.details).toMatchObject({ version: '1', file: '0001_add_email.sql', databaseCode: '55P03' });
    expect(error.message).toContain('canceling statement due to lock timeout');
    expect(error.message).toContain('55P03');
    expect(await postgresHistory(admin)).toEqual([]);
    const columns = await admin.query(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts' ORDER BY 1",
    );
    expect(columns.rows).toEqual([{ column_name: 'id' }]);

    await holder.query('COMMIT');
    const report = await new Migrator({ db: pool, migrations }).run();
    expect(report.applied.map((step) => step.version)).toEqual([1n]);
  });

  it('honours a lock_timeout set on the caller’s connection (options: -c lock_timeout)', async () => {
    const { pool, admin, migrations, write } = await setup({ options: '-c lock_timeout=200' });
    await admin.query('CREATE TABLE accounts (id INTEGER PRIMARY KEY)');
    await write({ '0001_add_email.sql': 'ALTER TABLE accounts ADD COLUMN email TEXT;\n' });
    await admin.query('BEGIN');
    await admin.query('LOCK TABLE accounts IN ACCESS SHARE MODE');

    const error = await catchError(new Migrator({ db: pool, migrations }).run());
    await admin.query('COMMIT');
    expect(isStrataError(error, 'MIGRATION_FAILED'), String(error)).toBe(true);
    expect(error.details).toMatchObject({ version: '1', databaseCode: '55P03' });
    expect(error.message).toContain('lock timeout');
    expect(await postgresHistory(admin)).toEqual([]);
  });

  it('honours a session SET statement_timeout in a -- no-transaction migration, leaving it dirty with the way out', async () => {
    const { pool, admin, migrations, write } = await setup();
    await write({
      '0001_slow_outside_a_transaction.sql':
        "-- no-transaction\nCREATE TABLE first_step (id INTEGER);\nSET statement_timeout = '100ms';\nSELECT pg_sleep(1);\nCREATE TABLE never (id INTEGER);\n",
    });

    const error = await catchError(new Migrator({ db: pool, migrations }).run());
    expect(isStrataError(error, 'MIGRATION_FAILED'), String(error)).toBe(true);
    expect(error.details).toMatchObject({ version: '1', databaseCode: '57014', line: 4, dirty: true });
    expect(error.message).toContain('statement timeout');
    expect(error.message).toContain('strata resolve 1');
    expect(await postgresHistory(admin)).toEqual([{ version: '1', success: false }]);
    expect(await postgresTables(admin)).toEqual(['public._strata_migrations', 'public.first_step']);
  });

  it('does not leave a migration’s session settings on the caller’s pooled connection', async () => {
    // One pooled connection, so the app's next query is on the very connection the run used.
    const { pool, migrations, write } = await setup();
    await write({
      // A plain SET inside a transaction outlives its COMMIT; outside one it is the session's.
      '0001_session_settings_in_a_transaction.sql': "SET lock_timeout = '50ms';\nSET search_path = pg_catalog;\nSELECT 1;\n",
      '0002_session_settings_outside.sql': "-- no-transaction\nSET statement_timeout = '150ms';\nSELECT 1;\n",
    });
    const report = await new Migrator({ db: pool, migrations }).run();
    expect(report.applied.map((step) => step.version)).toEqual([1n, 2n]);

    const { rows } = await pool.query(
      "SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('lock_timeout') AS lock_timeout, current_setting('search_path') AS search_path",
    );
    expect(rows[0]).toEqual({ statement_timeout: '0', lock_timeout: '0', search_path: '"$user", public' });
  });
});
