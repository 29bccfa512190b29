import { hostname } from 'node:os';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { checksumOf } from '../../src/checksum.js';
import { Migrator, StrataError } from '../../src/index.js';
import { advisoryLockKey } from '../../src/lock/advisory/lock-key.js';
import { openPostgres } from '../support/dialects.js';

type PgTestDatabase = Awaited<ReturnType<typeof openPostgres>>;

describe('PostgreSQL specifics', () => {
  let db: PgTestDatabase;
  let dir: { path: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    db = await openPostgres();
    dir = await tempDir('pg');
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
  });

  it("names an unnamed pool's run session strata <host>:<pid> while it holds the lock, and leaves a named one alone", async () => {
    await writeTree(dir.path, {
      '0001_seen.sql': "CREATE TABLE seen AS SELECT current_setting('application_name') AS name;",
      '0002_after.sql': 'SELECT 1;',
    });
    await new Migrator({ db: db.pool, migrations: dir.path }).run({ target: 1 });
    expect((await db.query('SELECT name FROM seen'))[0]).toEqual({ name: `strata ${hostname()}:${process.pid}`.slice(0, 63) });

    const named = new pg.Pool({ connectionString: db.url, application_name: 'orders-api', max: 2 });
    try {
      await writeTree(dir.path, { '0002_after.sql': "INSERT INTO seen SELECT current_setting('application_name');" });
      await new Migrator({ db: named, migrations: dir.path }).run();
      expect((await db.query('SELECT name FROM seen ORDER BY name')).map((row) => row.name)).toEqual([
        'orders-api',
        `strata ${hostname()}:${process.pid}`.slice(0, 63),
      ]);
    } finally {
      await named.end();
    }
  });

  it('runs a -- no-transaction file statement by statement: CREATE INDEX CONCURRENTLY and a DO block that COMMITs', async () => {
    await writeTree(dir.path, {
      '0001_table.sql': 'CREATE TABLE items (id int, a int, b text);',
      '0002_indexes.sql': [
        '-- no-transaction',
        'CREATE INDEX CONCURRENTLY items_a ON items (a);',
        "CREATE INDEX CONCURRENTLY items_b ON items (b) WHERE b <> ';';",
        'DO $$',
        'BEGIN',
        '  INSERT INTO items VALUES (1, 1, $q$semi;colon$q$);',
        '  COMMIT;',
        "  INSERT INTO items VALUES (2, 2, 'two');",
        'END $$;',
        'CREATE UNIQUE INDEX CONCURRENTLY items_id ON items (id)',
      ].join('\n'),
    });
    const report = await new Migrator({ db: db.pool, migrations: dir.path }).run();
    expect(report.applied.map((s) => s.transactional)).toEqual([true, false]);
    const indexes = await db.query("SELECT indexname FROM pg_indexes WHERE tablename = 'items' ORDER BY 1");
    expect(indexes.map((r) => r.indexname)).toEqual(['items_a', 'items_b', 'items_id']);
    expect((await db.query('SELECT b FROM items ORDER BY id')).map((r) => r.b)).toEqual(['semi;colon', 'two']);
    expect((await db.query('SELECT success FROM _strata_migrations WHERE version = 2'))[0]!.success).toBe(true);
  });

  it('refuses, before executing anything, a transactional file PostgreSQL would refuse in a transaction', async () => {
    await writeTree(dir.path, {
      '0001_table.sql': 'CREATE TABLE items (id int);',
      '0002_index.sql': 'SELECT 1;\n\n  CREATE INDEX CONCURRENTLY items_id ON items (id);',
    });
    const error = await new Migrator({ db: db.pool, migrations: dir.path }).run().catch((e: unknown) => e as StrataError);
    expect(error).toBeInstanceOf(StrataError);
    expect(error).toMatchObject({
      code: 'STATEMENT_NOT_ALLOWED_IN_TRANSACTION',
      details: { file: '0002_index.sql', line: 3, column: 3 },
    });
    expect((error as StrataError).message).toContain('-- no-transaction');
    // Nothing ran: not even the valid first migration, because the plan is checked before execution.
    expect(await db.tableExists('items')).toBe(false);
  });

  it('a failing no-transaction migration leaves a dirty row naming the statement and strata resolve', async () => {
    await writeTree(dir.path, {
      '0001_table.sql': 'CREATE TABLE items (id int);',
      '0002_indexes.sql':
        '-- no-transaction\nCREATE INDEX CONCURRENTLY items_id ON items (id);\nCREATE INDEX CONCURRENTLY bad ON nowhere (id);\n',
    });
    const m = new Migrator({ db: db.pool, migrations: dir.path });
    const error = (await m.run().catch((e: unknown) => e)) as StrataError;
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.details).toMatchObject({ version: '2', file: '0002_indexes.sql', line: 3, databaseCode: '42P01', dirty: true });
    expect(error.message).toContain('strata resolve 2 --applied');
    expect((await m.status()).map((s) => s.state)).toEqual(['applied', 'dirty']);
    expect((await m.run().catch((e: unknown) => e as StrataError)).code).toBe('MIGRATION_DIRTY');
    await m.resolve(2, 'rolled-back');
    await db.query('DROP INDEX items_id');
    await writeTree(dir.path, { '0002_indexes.sql': '-- no-transaction\nCREATE INDEX CONCURRENTLY items_id ON items (id);\n' });
    const fixed = new Migrator({ db: db.pool, migrations: dir.path });
    expect((await fixed.run()).applied.map((s) => s.version)).toEqual([2n]);
  });

  it('keeps writing history to the right table when a migration changes search_path', async () => {
    await writeTree(dir.path, {
      '0001_schema.sql': 'CREATE SCHEMA app; SET search_path TO app;\nCREATE TABLE t (id int);',
      '0002_more.sql': 'CREATE TABLE u (id int);',
    });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await new Migrator({ db: client, migrations: dir.path }).run();
    } finally {
      await client.end();
    }
    expect((await db.query('SELECT version FROM public._strata_migrations ORDER BY 1')).map((r) => r.version)).toEqual([
      '1',
      '2',
    ]);
    expect(await db.tableExists('app._strata_migrations')).toBe(false);
  });

  it('reads and writes a history written by SQLx (table _sqlx_migrations, same columns and checksums)', async () => {
    const up = '-- Add migration script here\nCREATE TABLE from_rust (id bigint);\n';
    await db.query(`CREATE TABLE _sqlx_migrations (
      version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
      success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)`);
    await db.query('CREATE TABLE from_rust (id bigint)');
    await db.pool.query(
      'INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, $2, true, $3, 1234567)',
      ['20260601115557', 'create from rust', Buffer.from(checksumOf(up))],
    );
    await writeTree(dir.path, {
      '20260601115557_create_from_rust.sql': up,
      '20260601120000_from_node.sql': 'CREATE TABLE from_node (id bigint);',
    });
    const m = new Migrator({ db: db.pool, migrations: dir.path, table: '_sqlx_migrations' });
    expect((await m.status()).map((s) => s.state)).toEqual(['applied', 'pending']);
    expect((await m.run()).applied.map((s) => s.version)).toEqual([20260601120000n]);
    const rows = await db.query('SELECT version, description, success FROM _sqlx_migrations ORDER BY version');
    expect(rows).toEqual([
      { version: '20260601115557', description: 'create from rust', success: true },
      { version: '20260601120000', description: 'from node', success: true },
    ]);
  });

  it('stores 18-digit versions exactly in BIGINT and applies Diesel directories', async () => {
    await writeTree(dir.path, {
      '2026-06-01-000001-0001_first/up.sql': 'CREATE TABLE first (id int);',
      '2026-06-01-000001-0001_first/down.sql': 'DROP TABLE first;',
      '2026-06-01-000002_second/up.sql': 'CREATE TABLE second (id int);',
      '2026-06-01-000002_second/down.sql': 'DROP TABLE second;',
    });
    const m = new Migrator({ db: db.pool, migrations: dir.path, schema: 'bookkeeping' });
    expect((await m.run()).applied.map((s) => s.version)).toEqual([20260601000002n, 202606010000010001n]);
    expect((await db.query('SELECT version FROM bookkeeping._strata_migrations ORDER BY version')).map((r) => r.version)).toEqual(
      ['20260601000002', '202606010000010001'],
    );
    await m.revert({ all: true });
    expect(await db.tableExists('first')).toBe(false);
  });

  it('a runner waiting for the lock applies nothing once another has applied everything, and reports those migrations as skipped', async () => {
    await writeTree(dir.path, {
      '0001_slow.sql': 'CREATE TABLE slow (id int);\nSELECT pg_sleep(1);',
      '0002_more.sql': 'CREATE TABLE more (id int);',
    });
    const first = new Migrator({ db: db.pool, migrations: dir.path }).run();
    // Start the second run once the first holds the lock and is inside its migration.
    for (let i = 0; i < 100; i++) {
      const rows = await db.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(1)%' AND pid <> pg_backend_pid()",
      );
      if (rows.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // The waiter's own one-connection pool: the connection it waited on must come back to the
    // application unsubscribed from the release announcements it listened for.
    const waiterPool = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      const second = await new Migrator({ db: waiterPool, migrations: dir.path }).run();
      const firstReport = await first;
      expect(firstReport.applied.map((step) => step.version)).toEqual([1n, 2n]);
      // Usually it leaves at the release announcement without the lock; when its poll timer beats
      // the announcement it takes the free lock, finds the history complete, and reports the same.
      expect(second.applied).toEqual([]);
      expect(second.skipped.map((step) => step.version)).toEqual([1n, 2n]);
      expect(second.lockWaitMs).toBeGreaterThan(0);
      const { rows } = await waiterPool.query('SELECT count(*)::int AS channels FROM pg_listening_channels()');
      expect(rows[0].channels).toBe(0);
    } finally {
      await waiterPool.end();
    }
  });

  it('announces the lock release with NOTIFY, so waiting runners wake at once instead of at their next poll', async () => {
    await writeTree(dir.path, { '0001_table.sql': 'CREATE TABLE items (id int);' });
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    try {
      const heard: { channel: string; payload?: string }[] = [];
      listener.on('notification', (message) => heard.push(message));
      await listener.query('LISTEN strata_migration_lock_released');
      await new Migrator({ db: db.pool, migrations: dir.path }).run();
      // A round trip on the listener delivers anything queued for it before the answer.
      await listener.query('SELECT 1');
      expect(heard).toEqual([
        expect.objectContaining({ channel: 'strata_migration_lock_released', payload: String(advisoryLockKey(db.name)) }),
      ]);
      // The no-op run takes no lock, so it announces nothing.
      await new Migrator({ db: db.pool, migrations: dir.path }).run();
      await listener.query('SELECT 1');
      expect(heard).toHaveLength(1);
    } finally {
      await listener.end();
    }
  });

  it('refuses a pg.Client that is not connected (or already ended) instead of hanging, and a connection string pg cannot parse', async () => {
    await writeTree(dir.path, { '0001_a.sql': 'CREATE TABLE a (id int);' });
    const client = new pg.Client({ connectionString: db.url });
    const notYet = (await new Migrator({ db: client, migrations: dir.path }).run().catch((e: unknown) => e)) as StrataError;
    expect(notYet).toMatchObject({ code: 'INVALID_OPTIONS' });
    expect(notYet.message).toContain('await client.connect()');
    await client.connect();
    expect((await new Migrator({ db: client, migrations: dir.path }).run()).applied).toHaveLength(1);
    await client.end();
    const ended = (await new Migrator({ db: client, migrations: dir.path }).status().catch((e: unknown) => e)) as StrataError;
    expect(ended).toMatchObject({ code: 'INVALID_OPTIONS' });
    const unparsable = new pg.Pool({ connectionString: 'postgres://user:pa/ss#word@127.0.0.1/x' });
    try {
      const error = (await new Migrator({ db: unparsable, migrations: dir.path }).run().catch((e: unknown) => e)) as StrataError;
      expect(error).toMatchObject({ code: 'INVALID_OPTIONS' });
      expect(error.message).not.toContain('pa/ss#word');
    } finally {
      await unparsable.end();
    }
  });

  it('statementTimeout cancels a migration statement that runs too long, keeps nothing, and leaves the pool as it was', async () => {
    await writeTree(dir.path, {
      '0001_fast.sql': 'CREATE TABLE fast (id int);',
      '0002_slow.sql': 'CREATE TABLE slow (id int);\nSELECT pg_sleep(3);',
    });
    const error = (await new Migrator({ db: db.pool, migrations: dir.path, statementTimeout: 200 })
      .run()
      .catch((e: unknown) => e)) as StrataError;
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED', details: { version: '2', databaseCode: '57014', line: 2 } });
    expect(error.message).toContain('statement_timeout');
    expect(await db.tableExists('fast')).toBe(true);
    expect(await db.tableExists('slow')).toBe(false);
    // The app's connections keep the server's default.
    const settings = await Promise.all([1, 2, 3, 4].map(() => db.query('SHOW statement_timeout')));
    expect(settings.map((rows) => rows[0]!.statement_timeout)).toEqual(['0', '0', '0', '0']);
  });

  it('locates a runtime error without a position to its statement, without keeping anything', async () => {
    await writeTree(dir.path, {
      '0001_data.sql': 'CREATE TABLE n (v int);\nINSERT INTO n VALUES (1);\nINSERT INTO n SELECT 1 / 0;\n',
    });
    const error = (await new Migrator({ db: db.pool, migrations: dir.path }).run().catch((e: unknown) => e)) as StrataError;
    expect(error.details).toMatchObject({ file: '0001_data.sql', line: 3, column: 1, databaseCode: '22012' });
    expect(await db.tableExists('n')).toBe(false);
  });
});
