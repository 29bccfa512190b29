import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { checksumOf, toHex } from '../../src/checksum.js';
import { openDatabase } from '../../src/dialects/registry.js';
import { SqlxHistoryStore } from '../../src/history/sqlx-history-store.js';
import { Migrator, type MigratorOptions, StrataError } from '../../src/index.js';
import { sourceDigest } from '../../src/source-digest.js';
import { dialectsWithMysql, type TestDatabase } from '../support/dialects.js';

const reversible = {
  '20260101000001_create_users.up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n',
  '20260101000001_create_users.down.sql': 'DROP TABLE users;\n',
  '20260101000002_create_posts.up.sql':
    "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), title TEXT);\nINSERT INTO users (id, name) VALUES (1, 'ada');\n",
  '20260101000002_create_posts.down.sql': 'DROP TABLE posts;\nDELETE FROM users WHERE id = 1;\n',
  '20260101000003_add_email.up.sql': 'ALTER TABLE users ADD COLUMN email TEXT',
  '20260101000003_add_email.down.sql': 'ALTER TABLE users DROP COLUMN email',
};

async function expectCode(promise: Promise<unknown>, code: string): Promise<StrataError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(StrataError);
  expect((error as StrataError).code).toBe(code);
  return error as StrataError;
}

describe.each(dialectsWithMysql)('Migrator on %s', (_name, open) => {
  let db: TestDatabase;
  let dir: { path: string; cleanup(): Promise<void> };
  const migrator = (options: Partial<MigratorOptions> = {}) => new Migrator({ db: db.handle, migrations: dir.path, ...options });
  const history = async (table = '_strata_migrations') =>
    (await db.query(`SELECT version, success FROM ${table} ORDER BY version`)).map(
      (row) => `${row.version}:${Number(row.success) ? 'ok' : 'dirty'}`,
    );

  beforeEach(async () => {
    db = await open();
    dir = await tempDir('migrator');
    await writeTree(dir.path, reversible);
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
  });

  it('applies pending migrations in order, each recorded with checksum and duration', async () => {
    const report = await migrator().run();
    expect(report.applied.map((s) => s.version)).toEqual([20260101000001n, 20260101000002n, 20260101000003n]);
    expect(report.lockTaken).toBe(true);
    const rows = await db.query(
      'SELECT version, description, success, checksum, execution_time FROM _strata_migrations ORDER BY version',
    );
    expect(rows.map((r) => String(r.description))).toEqual(['create users', 'create posts', 'add email']);
    expect(rows.every((r) => (r.checksum as Buffer).length === 48 && Number(r.execution_time) > 0)).toBe(true);
    expect(await db.query('SELECT email FROM users')).toHaveLength(1);
  });

  it('is a no-op the second time, answered from history without taking the lock', async () => {
    await migrator().run();
    const second = await migrator().run();
    expect(second.applied).toEqual([]);
    expect(second.lockTaken).toBe(false);
    if (db.dialect === 'postgres') {
      // Proof that no lock is needed: another session holds the migration lock, and the run still returns at once.
      const { advisoryLockKey } = await import('../../src/lock/advisory/lock-key.js');
      const pgdb = db as TestDatabase & { pool: import('pg').Pool; name: string };
      const holder = await pgdb.pool.connect();
      try {
        await holder.query('SELECT pg_advisory_lock($1)', [String(advisoryLockKey(pgdb.name))]);
        const third = await migrator({ lockTimeout: 200 }).run();
        expect(third.applied).toEqual([]);
      } finally {
        holder.release(true);
      }
    } else {
      // Proof for SQLite: another connection holds the write lock, and the no-op run still succeeds.
      const Database = (await import('better-sqlite3')).default;
      const other = new Database((db as TestDatabase & { path: string }).path);
      other.exec('BEGIN IMMEDIATE');
      try {
        const third = await migrator({ lockTimeout: 200 }).run();
        expect(third.applied).toEqual([]);
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
    }
  });

  it('folds the history into the digest of the source, so a no-op boot is one small query', async () => {
    const m = migrator();
    expect(await historySummary(db.handle)).toBeUndefined();
    await m.run();
    const summary = await historySummary(db.handle);
    expect(summary).toEqual({ count: 3, clean: true, digest: sourceDigest(await m.migrations()) });
    await m.revert();
    const fewer = await historySummary(db.handle);
    expect(fewer?.count).toBe(2);
    expect(fewer?.digest).toBe(sourceDigest((await m.migrations()).slice(0, 2)));
  });

  it('an embedded module states its history digest: the no-op compares it and builds no migrations, and a stale one is never trusted', async () => {
    const values = (await migrator().migrations()).map((m) => ({
      version: String(m.version),
      description: m.description,
      checksum: toHex(m.checksum),
      up: m.up,
    }));
    const embedded = { migrations: values, historyDigest: sourceDigest(await migrator().migrations()) };
    const first = new Migrator({ db: db.handle, migrations: embedded });
    await first.run();
    expect((await historySummary(db.handle))?.digest).toBe(embedded.historyDigest);

    // Elements that throw when read: the no-op may look at the list's length and nothing else.
    const untouchable = new Proxy(values, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) throw new Error(`migration ${key} was read`);
        return Reflect.get(target, key, receiver);
      },
    });
    const noop = await new Migrator({ db: db.handle, migrations: { ...embedded, migrations: untouchable } }).run();
    expect(noop).toMatchObject({ applied: [], lockTaken: false });

    // A stale digest (a migration added by hand to the generated file) is not a no-op: it is applied.
    const added = { version: '20260101000004', description: 'add age', up: 'ALTER TABLE users ADD COLUMN age INTEGER;' };
    const edited = { migrations: [...values, added], historyDigest: embedded.historyDigest };
    const report = await new Migrator({ db: db.handle, migrations: edited }).run();
    expect(report.applied.map((s) => s.version)).toEqual([20260101000004n]);
    // A wrong digest only costs the full path, which finds nothing to do.
    const wrong = await new Migrator({ db: db.handle, migrations: { ...edited, historyDigest: '00'.repeat(32) } }).run();
    expect(wrong).toMatchObject({ applied: [], lockTaken: false });
  });

  it('dry run and plan() report what would run and touch nothing', async () => {
    const planned = await migrator().plan();
    expect(planned.steps.map((s) => s.version)).toEqual([20260101000001n, 20260101000002n, 20260101000003n]);
    const dry = await migrator().run({ dryRun: true });
    expect(dry.planned).toHaveLength(3);
    expect(dry.applied).toHaveLength(0);
    expect(await db.tableExists('_strata_migrations')).toBe(false);
    expect(await db.tableExists('users')).toBe(false);
  });

  it('runs up to a target, reverts to a target, all the way down, and up again', async () => {
    const m = migrator();
    expect((await m.run({ target: '20260101000002' })).applied).toHaveLength(2);
    expect((await m.status()).map((s) => s.state)).toEqual(['applied', 'applied', 'pending']);
    await m.run();
    const toFirst = await m.revert({ target: 20260101000001n });
    expect(toFirst.applied.map((s) => s.version)).toEqual([20260101000003n, 20260101000002n]);
    expect(await db.tableExists('posts')).toBe(false);
    expect(await history()).toEqual(['20260101000001:ok']);
    await m.run();
    expect((await m.revert()).applied.map((s) => s.version)).toEqual([20260101000003n]);
    expect((await m.revert({ steps: 2 })).applied.map((s) => s.version)).toEqual([20260101000002n, 20260101000001n]);
    expect(await db.tableExists('users')).toBe(false);
    await m.run();
    expect((await m.revert({ all: true })).applied).toHaveLength(3);
    expect(await history()).toEqual([]);
    expect(await db.tableExists('users')).toBe(false);
    expect((await m.run()).applied).toHaveLength(3);
    expect(await history()).toHaveLength(3);
  });

  it('refuses a modified migration with SQLx’s message, but not a CRLF-only change', async () => {
    await migrator().run();
    await writeTree(dir.path, {
      '20260101000003_add_email.up.sql': reversible['20260101000003_add_email.up.sql'].replace(/\n/g, '\r\n'),
    });
    await writeTree(dir.path, {
      '20260101000001_create_users.up.sql': reversible['20260101000001_create_users.up.sql'].replace(/\n/g, '\r\n'),
    });
    const status = await migrator().status();
    expect(status.map((s) => s.state)).toEqual(['applied', 'applied', 'applied']);
    expect(status[0]!.lineEndingsOnly).toBe(true);
    expect((await migrator().run()).applied).toEqual([]);

    await writeTree(dir.path, { '20260101000002_create_posts.up.sql': 'CREATE TABLE posts (id INTEGER);' });
    expect((await migrator().status()).map((s) => s.state)).toEqual(['applied', 'modified', 'applied']);
    const error = await expectCode(migrator().run(), 'MIGRATION_MODIFIED');
    // SQLx's sentence first, then the way out.
    expect(error.message).toMatch(/^migration 20260101000002 was previously applied but has been modified\. /);
    expect(error.message).toContain('strata repair --version 20260101000002');
  });

  it('refuses an applied migration missing from the source unless ignoreMissing', async () => {
    await migrator().run();
    const fewer = await tempDir('fewer');
    // 2 leaves the middle of the sequence (an applied migration newer than all is `future`: rollbacks.test.ts).
    await writeTree(fewer.path, {
      '20260101000001_create_users.up.sql': reversible['20260101000001_create_users.up.sql'],
      '20260101000001_create_users.down.sql': reversible['20260101000001_create_users.down.sql'],
      '20260101000003_add_email.up.sql': reversible['20260101000003_add_email.up.sql'],
      '20260101000003_add_email.down.sql': reversible['20260101000003_add_email.down.sql'],
    });
    try {
      const m = new Migrator({ db: db.handle, migrations: fewer.path });
      expect((await m.status()).map((s) => s.state)).toEqual(['applied', 'missing', 'applied']);
      const error = await expectCode(m.run(), 'MIGRATION_MISSING');
      expect(error.message).toContain(
        'migration 20260101000002 was previously applied but is missing in the resolved migrations',
      );
      expect((await new Migrator({ db: db.handle, migrations: fewer.path, ignoreMissing: true }).run()).applied).toEqual([]);
    } finally {
      await fewer.cleanup();
    }
  });

  it('refuses an empty source when history has rows: the migrations were probably not bundled', async () => {
    await migrator().run();
    const error = await expectCode(new Migrator({ db: db.handle, migrations: [] }).run(), 'MIGRATIONS_NOT_BUNDLED');
    expect(error.message).toContain('not bundled');
  });

  it('reports an out-of-order migration and applies it only when allowed', async () => {
    await migrator().run();
    await writeTree(dir.path, {
      '20251231000000_late_branch.up.sql': 'CREATE TABLE late (id INTEGER);',
      '20251231000000_late_branch.down.sql': 'DROP TABLE late;',
    });
    const status = await migrator().status();
    expect(status[0]).toMatchObject({ version: 20251231000000n, state: 'pending', outOfOrder: true });
    const error = await expectCode(migrator().run(), 'MIGRATION_OUT_OF_ORDER');
    expect(error.message).toContain('20251231000000');
    expect(await db.tableExists('late')).toBe(false);
    expect((await migrator({ allowOutOfOrder: true }).run()).applied.map((s) => s.version)).toEqual([20251231000000n]);
    expect(await db.tableExists('late')).toBe(true);
  });

  it('leaves no trace of a failing migration and names file:line:column and the database code', async () => {
    await writeTree(dir.path, {
      '20260101000004_broken.up.sql': 'CREATE TABLE keep_me_not (id INTEGER);\nINSERT INTO keep_me_not VALUES (1);\n  SELEC 1;\n',
      '20260101000004_broken.down.sql': 'DROP TABLE keep_me_not;',
    });
    const error = await expectCode(migrator().run(), 'MIGRATION_FAILED');
    expect(error.details).toMatchObject({ version: '20260101000004', file: '20260101000004_broken.up.sql', line: 3, column: 3 });
    expect(error.message).toContain('20260101000004_broken.up.sql:3:3');
    expect(error.details.databaseCode).toBe({ postgres: '42601', sqlite: 'SQLITE_ERROR', mysql: '1064' }[db.dialect]);
    if (db.dialect === 'mysql') {
      // MySQL commits CREATE TABLE implicitly: the statements before the failing one are kept, and
      // the message and the dirty row say so rather than claiming a rollback.
      expect(error.message).toContain('CREATE TABLE (line 1) is committed implicitly by MySQL');
      expect(error.message).toContain('the 2 statements before the failing one are committed (lines 1, 2)');
      expect(error.details.dirty).toBe(true);
      expect(await db.tableExists('keep_me_not')).toBe(true);
      expect(await history()).toEqual(['20260101000001:ok', '20260101000002:ok', '20260101000003:ok', '20260101000004:dirty']);
      return;
    }
    expect(error.message).toContain('nothing from this migration was kept');
    expect(await db.tableExists('keep_me_not')).toBe(false);
    // The migrations before it were applied and kept, each in its own transaction.
    expect(await history()).toEqual(['20260101000001:ok', '20260101000002:ok', '20260101000003:ok']);
  });

  it('refuses a dirty row with the version and the way out, and resolve clears it', async () => {
    await migrator().run();
    await db.query(
      `INSERT INTO _strata_migrations (version, description, success, checksum, execution_time) VALUES (20260101000009, 'half done', ${db.dialect === 'postgres' ? 'false' : '0'}, ${db.dialect === 'postgres' ? `'\\x${'00'.repeat(48)}'::bytea` : `x'${'00'.repeat(48)}'`}, 0)`,
    );
    expect((await migrator().status()).find((s) => s.version === 20260101000009n)?.state).toBe('dirty');
    const error = await expectCode(migrator().run(), 'MIGRATION_DIRTY');
    expect(error.message).toContain('20260101000009');
    expect(error.message).toContain('strata resolve 20260101000009');
    await migrator().resolve('20260101000009', 'rolled-back');
    expect(await history()).toHaveLength(3);
  });

  it('uses a custom table and schema, quoted literally', async () => {
    const table = 'x"; DROP TABLE users; --';
    await migrator({ table }).run();
    expect(await db.tableExists('users')).toBe(true);
    const quoted = db.dialect === 'mysql' ? `\`${table}\`` : `"${table.replace(/"/g, '""')}"`;
    expect(await history(quoted)).toHaveLength(3);
    expect(await db.tableExists('_strata_migrations')).toBe(false);
  });

  it('accepts migrations as values and computes the same checksums as the directory', async () => {
    const fromDir = await migrator().migrations();
    const values = fromDir.map((m) => ({
      version: String(m.version),
      description: m.description,
      up: m.up,
      down: m.down ?? null,
    }));
    await new Migrator({ db: db.handle, migrations: values }).run();
    expect((await migrator().status()).map((s) => s.state)).toEqual(['applied', 'applied', 'applied']);
  });

  it('refuses to run a value whose carried checksum does not match its script, before running anything', async () => {
    const values = [
      { version: 1, description: 'ok', up: 'CREATE TABLE ok_table (id INTEGER);' },
      {
        version: 2,
        description: 'edited',
        up: 'CREATE TABLE edited (id INTEGER);',
        checksum: toHex(checksumOf('CREATE TABLE original (id INTEGER);')),
      },
    ];
    const error = await expectCode(new Migrator({ db: db.handle, migrations: values }).run(), 'INVALID_MIGRATION');
    expect(error.message).toContain('strata embed');
    expect(await db.tableExists('ok_table')).toBe(false);
  });

  it('accepts statementTimeout on a server (not SQLite), as a positive number of milliseconds', () => {
    expect(() => migrator({ statementTimeout: 0 })).toThrow(/milliseconds between 1 and 2147483647/);
    if (db.dialect === 'sqlite') expect(() => migrator({ statementTimeout: 1000 })).toThrow(/SQLite has no statement timeout/);
    else expect(migrator({ statementTimeout: 1000 })).toBeInstanceOf(Migrator);
  });

  it('rejects an unsupported db handle with a clear error', () => {
    expect(() => new Migrator({ db: { hello: 1 } as never, migrations: dir.path })).toThrow(
      /pg.Pool, a pg.Client or a better-sqlite3 Database/,
    );
  });
});

/** The history folded as the no-op check reads it, on the test's own handle. */
function historySummary(handle: TestDatabase['handle']) {
  const database = openDatabase(handle, {});
  return new SqlxHistoryStore(database.dialect, { schema: undefined, table: '_strata_migrations' }).summary(database.reader);
}
