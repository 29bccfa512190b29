import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { checksumOf, toHex } from '../../src/checksum.js';
import { Migrator, type MigratorOptions } from '../../src/index.js';
import { dialectsWithMysql, type TestDatabase } from '../support/dialects.js';
import { failureOf } from '../support/failure.js';

const files = {
  '0001_create_users.up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n',
  '0001_create_users.down.sql': 'DROP TABLE users;\n',
  '0002_create_posts.up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\n',
  '0002_create_posts.down.sql': 'DROP TABLE posts;\n',
  '0003_add_email.up.sql': 'ALTER TABLE users ADD COLUMN email TEXT;\n',
  '0003_add_email.down.sql': 'ALTER TABLE users DROP COLUMN email;\n',
};

/** The schema a team built before strata: what migrations 1 and 2 create, by hand, with a row in it. */
const builtByHand = [
  'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)',
  'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id))',
  "INSERT INTO users (id, name) VALUES (1, 'ada')",
];

describe.each(dialectsWithMysql)('adopting an existing database on %s', (_name, open) => {
  let db: TestDatabase;
  let dir: { path: string; cleanup(): Promise<void> };
  const migrator = (options: Partial<MigratorOptions> = {}) => new Migrator({ db: db.handle, migrations: dir.path, ...options });
  const history = async () =>
    (await db.query('SELECT version, execution_time, success FROM _strata_migrations ORDER BY version')).map(
      (row) => `${row.version}:${Number(row.success) ? 'ok' : 'dirty'}:${row.execution_time}`,
    );
  const audit = async () =>
    (
      await db.query(
        'SELECT version, resolution, reason, checksum, new_checksum, resolved_by FROM _strata_migrations_resolutions ORDER BY version, resolved_on',
      )
    ).map((row) => ({
      version: String(row.version),
      resolution: row.resolution,
      reason: row.reason,
      checksum: toHex(row.checksum as Uint8Array),
      newChecksum: row.new_checksum === null ? null : toHex(row.new_checksum as Uint8Array),
      by: typeof row.resolved_by,
    }));

  beforeEach(async () => {
    db = await open();
    dir = await tempDir('adopt');
    await writeTree(dir.path, files);
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
  });

  it('a run on a schema built before strata fails with the database error and names baseline as the way in; nothing is recorded', async () => {
    for (const sql of builtByHand) await db.query(sql);
    const error = await failureOf(migrator().run());
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).toMatch(/already exists/);
    expect(error.message).toContain('strata baseline --version V');
    expect(error.message).toContain('strata import --from TOOL');
    expect(error.details.adopt).toBe('baseline');
    if (db.dialect !== 'mysql') {
      expect(await history()).toEqual([]);
      return;
    }
    // MySQL commits DDL itself: the row written before the script stays, dirty, and the hint says to clear it first.
    expect(await history()).toEqual(['1:dirty:0']);
    expect(error.message).toContain('strata resolve 1 --rolled-back');
    await migrator().resolve(1, 'rolled-back');
    expect((await migrator().baseline({ version: 2 })).recorded.map((m) => m.version)).toEqual([1n, 2n]);
    expect((await migrator().run()).applied.map((step) => step.version)).toEqual([3n]);
  });

  it('the hint is only for an empty history: a later migration that collides says nothing of baseline', async () => {
    await migrator({ allowOutOfOrder: false }).run({ target: 1 });
    await db.query('CREATE TABLE posts (id INTEGER PRIMARY KEY)');
    const error = await failureOf(migrator().run());
    expect(error.code).toBe('MIGRATION_FAILED');
    expect(error.message).not.toContain('baseline');
  });

  it('baseline records every migration up to V as applied without running it, audits each, and run applies only the newer ones', async () => {
    for (const sql of builtByHand) await db.query(sql);
    const report = await migrator().baseline({ version: 2 });
    expect(report.recorded.map((m) => m.version)).toEqual([1n, 2n]);
    expect(report.recorded.map((m) => m.description)).toEqual(['create users', 'create posts']);
    expect(await history()).toEqual(['1:ok:0', '2:ok:0']);
    const rows = await db.query('SELECT version, checksum FROM _strata_migrations ORDER BY version');
    expect(toHex(rows[0]!.checksum as Uint8Array)).toBe(toHex(checksumOf(files['0001_create_users.up.sql'])));
    const trail = await audit();
    expect(trail.map((row) => `${row.version}:${row.resolution}`)).toEqual(['1:baseline', '2:baseline']);
    expect(trail.every((row) => row.by === 'string')).toBe(true);

    const run = await migrator().run();
    expect(run.applied.map((step) => step.version)).toEqual([3n]);
    // The hand-made row survived: nothing was dropped or re-created.
    expect(await db.query('SELECT id, name, email FROM users')).toEqual([{ id: 1, name: 'ada', email: null }]);
    expect((await migrator().status()).map((line) => line.state)).toEqual(['applied', 'applied', 'applied']);
  });

  it('--dry-run lists what it would record and changes nothing', async () => {
    const report = await migrator().baseline({ version: 2, dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(report.planned.map((m) => m.version)).toEqual([1n, 2n]);
    expect(report.recorded).toEqual([]);
    expect(await db.tableExists('_strata_migrations')).toBe(false);
  });

  it('refuses a version the source does not have, and a history that already has rows unless skipApplied', async () => {
    expect((await failureOf(migrator().baseline({ version: 7 }))).code).toBe('TARGET_NOT_FOUND');
    await migrator().run({ target: 1 });
    const refused = await failureOf(migrator().baseline({ version: 2 }));
    expect(refused.code).toBe('HISTORY_NOT_EMPTY');
    expect(refused.message).toContain('--skip-applied');
    expect(await history()).toEqual([expect.stringMatching(/^1:ok:[1-9]/)]);

    await db.query('CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id))');
    const report = await migrator().baseline({ version: 2, skipApplied: true });
    expect(report.recorded.map((m) => m.version)).toEqual([2n]);
    expect(report.alreadyApplied).toEqual([1n]);
    expect((await history()).slice(1)).toEqual(['2:ok:0']);
  });

  it('refuses while a dirty row is unresolved', async () => {
    await migrator().run({ target: 1 });
    await db.query('UPDATE _strata_migrations SET success = FALSE WHERE version = 1');
    const error = await failureOf(migrator().baseline({ version: 2, skipApplied: true }));
    expect(error.code).toBe('MIGRATION_DIRTY');
    expect(await history()).toEqual([expect.stringMatching(/^1:dirty:/)]);
  });

  it('MIGRATION_MODIFIED names repair; repair re-records the checksum and keeps the old one, the new one and the reason', async () => {
    await migrator().run();
    const before = files['0002_create_posts.up.sql'];
    const after = `-- posts belong to users\n${before}`;
    await writeFile(join(dir.path, '0002_create_posts.up.sql'), after);

    const modified = await failureOf(migrator().run());
    expect(modified.code).toBe('MIGRATION_MODIFIED');
    expect(modified.message).toContain('strata repair --version 2');

    const preview = await migrator().repair({ version: 2, dryRun: true });
    expect(preview).toMatchObject({ changed: true, dryRun: true, previousChecksum: toHex(checksumOf(before)) });
    expect(await db.tableExists('_strata_migrations_resolutions')).toBe(false);

    const report = await migrator().repair({ version: 2, reason: 'comment only' });
    expect(report).toMatchObject({ version: 2n, changed: true, checksum: toHex(checksumOf(after)) });
    expect(await audit()).toEqual([
      {
        version: '2',
        resolution: 'repaired',
        reason: 'comment only',
        checksum: toHex(checksumOf(before)),
        newChecksum: toHex(checksumOf(after)),
        by: 'string',
      },
    ]);
    expect((await migrator().run()).applied).toEqual([]);
    expect((await migrator().status()).map((line) => line.state)).toEqual(['applied', 'applied', 'applied']);
    // Nothing ran again: the schema is as it was.
    expect((await db.query('SELECT COUNT(*) AS n FROM posts')).map((row) => Number(row.n))).toEqual([0]);

    const again = await migrator().repair({ version: 2 });
    expect(again.changed).toBe(false);
    expect(await audit()).toHaveLength(1);
  });

  it('repair refuses a migration that is not applied, not in the source, or dirty', async () => {
    await migrator().run({ target: 1 });
    expect((await failureOf(migrator().repair({ version: 2 }))).code).toBe('NOT_FOUND');
    expect((await failureOf(migrator().repair({ version: 9 }))).code).toBe('TARGET_NOT_FOUND');
    await db.query('UPDATE _strata_migrations SET success = FALSE WHERE version = 1');
    expect((await failureOf(migrator().repair({ version: 1 }))).code).toBe('MIGRATION_DIRTY');
  });

  it('resolve keeps working on an audit table made by an older strata (the new columns are added in place)', async () => {
    await migrator().run({ target: 1 });
    await db.query(`CREATE TABLE _strata_migrations_resolutions (
      version BIGINT NOT NULL, description TEXT NOT NULL, resolution TEXT NOT NULL,
      resolved_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, resolved_by TEXT,
      started_on TIMESTAMP NOT NULL, checksum ${db.sql.blob} NOT NULL)`);
    await db.query('UPDATE _strata_migrations SET success = FALSE WHERE version = 1');
    await migrator().resolve(1, 'applied');
    expect((await audit()).map((row) => `${row.version}:${row.resolution}:${row.newChecksum}`)).toEqual(['1:applied:null']);
    expect(await history()).toEqual([expect.stringMatching(/^1:ok:/)]);
  });
});
