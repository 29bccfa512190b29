/**
 * Issue 8, bad input: "Fixture directories: duplicate versions, down without up, mixed styles,
 * empty files, comment-only files, BOM, CRLF, invalid UTF-8, symlinks (including a loop), an
 * unreadable file, a version that overflows 64 bits, a directory that is missing entirely."
 * Each gets a typed error or a defined outcome, never a crash and never a silent skip.
 *
 * Refusals are checked through Migrator.run() and status() on a real SQLite file, and must leave
 * the database untouched (the source is resolved before anything is written). Outcomes that apply
 * something are checked on PostgreSQL and SQLite.
 *
 * "Unreadable" as root: chmod does not stop root from reading, so the unreadable entries here are
 * a dangling symlink, a symlink loop, a directory named like a migration file, and a FIFO (which
 * would block a reader forever).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteFile, tempDir, writeTree } from '../../../../test-support/databases.js';
import { checksumOf, toHex } from '../../src/checksum.js';
import { isStrataError, Migrator, type StrataErrorCode } from '../../src/index.js';
import { dialectsWithMysql, type TestDatabase } from '../support/dialects.js';
import { catchError, recordingLogger, useCleanups } from './support/fault-helpers.js';

const cleanups = useCleanups();

async function migrationsDir(): Promise<string> {
  const dir = await tempDir('bad-dirs');
  cleanups.push(dir.cleanup);
  const root = join(dir.path, 'migrations');
  await mkdir(root);
  return root;
}

interface Refusal {
  name: string;
  build(root: string): Promise<void>;
  code: StrataErrorCode;
  /** Text the message must contain (the file or files it is about). */
  mentions: string[];
}

const refusals: Refusal[] = [
  {
    name: 'duplicate versions spelled with different zero padding',
    build: (root) => writeTree(root, { '1_first.sql': 'SELECT 1;', '001_second.sql': 'SELECT 2;' }),
    code: 'DUPLICATE_VERSION',
    mentions: ['1_first.sql', '001_second.sql'],
  },
  {
    name: 'duplicate versions among reversible pairs',
    build: (root) =>
      writeTree(root, {
        '0001_a.up.sql': 'SELECT 1;',
        '0001_a.down.sql': 'SELECT 1;',
        '1_b.up.sql': 'SELECT 2;',
        '1_b.down.sql': 'SELECT 2;',
      }),
    code: 'DUPLICATE_VERSION',
    mentions: ['0001_a', '1_b'],
  },
  {
    name: 'duplicate Diesel versions, one with separators and one without',
    build: (root) => writeTree(root, { '2026-06-01-000001_a/up.sql': 'SELECT 1;', '20260601000001_b/up.sql': 'SELECT 2;' }),
    code: 'DUPLICATE_VERSION',
    mentions: ['2026-06-01-000001_a', '20260601000001_b'],
  },
  {
    name: 'a down script without an up script',
    build: (root) =>
      writeTree(root, { '0001_a.up.sql': 'SELECT 1;', '0001_a.down.sql': 'SELECT 1;', '0002_b.down.sql': 'SELECT 2;' }),
    code: 'DOWN_WITHOUT_UP',
    mentions: ['0002_b.down.sql'],
  },
  {
    name: 'a Diesel directory with down.sql and no up.sql',
    build: (root) => writeTree(root, { '2026-06-01-000001_a/up.sql': 'SELECT 1;', '2026-06-01-000002_b/down.sql': 'SELECT 2;' }),
    code: 'DOWN_WITHOUT_UP',
    mentions: ['2026-06-01-000002_b'],
  },
  {
    name: 'simple and reversible migrations mixed in one directory',
    build: (root) => writeTree(root, { '0001_a.sql': 'SELECT 1;', '0002_b.up.sql': 'SELECT 2;', '0002_b.down.sql': 'SELECT 2;' }),
    code: 'MIXED_STYLES',
    mentions: ['0001_a.sql', '0002_b'],
  },
  {
    name: 'a file that is not UTF-8 (Latin-1 bytes)',
    build: (root) =>
      writeTree(root, {
        '0001_a.sql': 'SELECT 1;',
        '0002_latin1.sql': Buffer.from([0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x27, 0xe9, 0x27, 0x3b]),
      }),
    code: 'SOURCE_UNREADABLE',
    mentions: ['0002_latin1.sql', 'UTF-8'],
  },
  {
    name: 'a file saved as UTF-16 with its BOM (a Windows editor default)',
    build: (root) =>
      writeTree(root, { '0001_utf16.sql': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('SELECT 1;', 'utf16le')]) }),
    code: 'SOURCE_UNREADABLE',
    mentions: ['0001_utf16.sql'],
  },
  {
    name: 'a file with a UTF-8-encoded surrogate (invalid UTF-8)',
    build: (root) => writeTree(root, { '0001_surrogate.sql': Buffer.from([0x2d, 0x2d, 0x20, 0xed, 0xa0, 0x80, 0x0a]) }),
    code: 'SOURCE_UNREADABLE',
    mentions: ['0001_surrogate.sql'],
  },
  {
    name: 'a symlink that points to itself',
    build: async (root) => {
      await writeTree(root, { '0001_a.sql': 'SELECT 1;' });
      await symlink('0002_loop.sql', join(root, '0002_loop.sql'));
    },
    code: 'SOURCE_UNREADABLE',
    mentions: ['0002_loop.sql', 'loop'],
  },
  {
    name: 'two symlinks that point to each other',
    build: async (root) => {
      await symlink('0003_b.sql', join(root, '0002_a.sql'));
      await symlink('0002_a.sql', join(root, '0003_b.sql'));
    },
    code: 'SOURCE_UNREADABLE',
    mentions: ['loop'],
  },
  {
    name: 'a dangling symlink named like a migration',
    build: async (root) => {
      await writeTree(root, { '0001_a.sql': 'SELECT 1;' });
      await symlink('../elsewhere/0002_gone.sql', join(root, '0002_gone.sql'));
    },
    code: 'SOURCE_UNREADABLE',
    mentions: ['0002_gone.sql'],
  },
  {
    name: 'a directory named like a migration file',
    build: async (root) => {
      await writeTree(root, { '0001_a.sql': 'SELECT 1;', '0002_not_a_file.sql/README': 'a directory, not a script' });
    },
    code: 'SOURCE_UNREADABLE',
    mentions: ['0002_not_a_file.sql'],
  },
  {
    name: 'a FIFO named like a migration file (reading it would block forever)',
    build: async (root) => {
      await writeTree(root, { '0001_a.sql': 'SELECT 1;' });
      execFileSync('mkfifo', [join(root, '0002_fifo.sql')]);
    },
    code: 'SOURCE_UNREADABLE',
    mentions: ['0002_fifo.sql'],
  },
  {
    name: 'a Diesel up.sql that is a directory',
    build: (root) => writeTree(root, { '2026-06-01-000001_a/up.sql/README': 'a directory' }),
    code: 'SOURCE_UNREADABLE',
    mentions: ['2026-06-01-000001_a/up.sql'],
  },
  {
    name: 'a Diesel up.sql that is a dangling symlink',
    build: async (root) => {
      await writeTree(root, { '2026-06-01-000001_a/down.sql': 'SELECT 1;' });
      await symlink('missing.sql', join(root, '2026-06-01-000001_a', 'up.sql'));
    },
    code: 'SOURCE_UNREADABLE',
    mentions: ['2026-06-01-000001_a/up.sql'],
  },
  {
    name: 'a version one past the largest signed 64-bit integer',
    build: (root) => writeTree(root, { '0001_a.sql': 'SELECT 1;', '9223372036854775808_too_big.sql': 'SELECT 2;' }),
    code: 'INVALID_VERSION',
    mentions: ['9223372036854775808', '64-bit'],
  },
  {
    name: 'a Diesel version that overflows 64 bits',
    build: (root) => writeTree(root, { '99999-12-31-235959-9999_too_big/up.sql': 'SELECT 1;' }),
    code: 'INVALID_VERSION',
    mentions: ['99999-12-31-235959-9999_too_big'],
  },
  {
    name: 'a Flyway-style name (V1__init.sql)',
    build: (root) => writeTree(root, { 'V1__init.sql': 'SELECT 1;' }),
    code: 'INVALID_VERSION',
    mentions: ['V1__init.sql'],
  },
  {
    name: 'a file name without a description',
    build: (root) => writeTree(root, { '0001.sql': 'SELECT 1;' }),
    code: 'INVALID_FILE_NAME',
    mentions: ['0001.sql'],
  },
  {
    name: 'a Diesel metadata.toml with a value that is not a boolean',
    build: (root) =>
      writeTree(root, {
        '2026-06-01-000001_a/up.sql': 'SELECT 1;',
        '2026-06-01-000001_a/metadata.toml': 'run_in_transaction = "no"\n',
      }),
    code: 'INVALID_METADATA',
    mentions: ['2026-06-01-000001_a/metadata.toml'],
  },
];

describe('directories refused before the database is touched', () => {
  for (const refusal of refusals) {
    it(`${refusal.name}: ${refusal.code}`, async () => {
      const root = await migrationsDir();
      await refusal.build(root);
      const file = await sqliteFile();
      cleanups.push(file.cleanup);
      const db = new Database(file.path);
      cleanups.push(() => db.close());

      for (const call of [
        () => new Migrator({ db, migrations: root }).run(),
        () => new Migrator({ db, migrations: root }).status(),
      ]) {
        const error = await catchError(call());
        expect(isStrataError(error), `not a StrataError: ${error.stack}`).toBe(true);
        expect(error.code, error.message).toBe(refusal.code);
        for (const text of refusal.mentions) expect(error.message).toContain(text);
      }
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").pluck().all()).toEqual([]);
    });
  }

  it('a migrations directory that does not exist: SOURCE_NOT_FOUND naming it, for run, status, plan and revert', async () => {
    const root = join(await migrationsDir(), 'not-here');
    const file = await sqliteFile();
    cleanups.push(file.cleanup);
    const db = new Database(file.path);
    cleanups.push(() => db.close());
    const migrator = new Migrator({ db, migrations: root });
    for (const call of [() => migrator.run(), () => migrator.status(), () => migrator.plan(), () => migrator.revert()]) {
      const error = await catchError(call());
      expect(isStrataError(error, 'SOURCE_NOT_FOUND'), String(error)).toBe(true);
      expect(error.message).toContain(root);
    }
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").pluck().all()).toEqual([]);
  });

  it('a migrations path that is a file, and one that is a symlink loop: typed errors naming it', async () => {
    const parent = await migrationsDir();
    const aFile = join(parent, 'migrations.sql');
    await writeFile(aFile, 'SELECT 1;');
    const loop = join(parent, 'looped');
    await symlink('looped', loop);
    const db = new Database(':memory:');
    cleanups.push(() => db.close());
    for (const path of [aFile, loop]) {
      const error = await catchError(new Migrator({ db, migrations: path }).run());
      expect(isStrataError(error), String(error)).toBe(true);
      expect(['SOURCE_NOT_FOUND', 'SOURCE_UNREADABLE']).toContain(error.code);
      expect(error.message).toContain(path);
    }
  });
});

/** MySQL commits DDL implicitly: a script holding it runs statement by statement, outside a transaction. */
const ddlInTransaction = (database: TestDatabase) => database.dialect !== 'mysql';

describe.each(dialectsWithMysql)('directories with a defined outcome (%s)', (_name, open) => {
  async function setup() {
    const database = await open();
    cleanups.push(() => database.close());
    const root = await migrationsDir();
    return { database, root };
  }

  it('empty, comment-only, directive-only and semicolon-only files are applied as no-ops and recorded', async () => {
    const { database, root } = await setup();
    const files: Record<string, string> = {
      '0001_empty.sql': '',
      '0002_comment_only.sql': '-- nothing to do yet\n/* not even\n   this */\n',
      '0003_directive_only.sql': '-- no-transaction\n',
      '0004_semicolons_and_blanks.sql': ' \n;\n ; \t\n',
      '0005_real_work.sql': 'CREATE TABLE after_the_empty_ones (id INTEGER PRIMARY KEY);\n',
    };
    await writeTree(root, files);

    const report = await new Migrator({ db: database.handle, migrations: root }).run();
    expect(report.applied.map((step) => step.version)).toEqual([1n, 2n, 3n, 4n, 5n]);
    const rows = await database.query(
      `SELECT ${database.sql.text('version')} AS version, ${database.sql.hex('checksum')} AS checksum, success FROM _strata_migrations ORDER BY version`,
    );
    expect(rows.map((row) => ({ ...row, success: Number(row.success) }))).toEqual(
      Object.values(files).map((text, i) => ({
        version: String(i + 1),
        checksum: toHex(checksumOf(Buffer.from(text))),
        success: 1,
      })),
    );
    expect(await database.tableExists('after_the_empty_ones')).toBe(true);
    const again = await new Migrator({ db: database.handle, migrations: root }).run();
    expect(again.applied).toEqual([]);
    expect(again.lockTaken).toBe(false);
  });

  it('a UTF-8 BOM is not sent to the database, is kept in the checksum, and does not hide -- no-transaction', async () => {
    const { database, root } = await setup();
    const concurrently = database.dialect === 'postgres' ? 'CONCURRENTLY ' : '';
    const files = {
      '0001_bom.sql': '\uFEFFCREATE TABLE with_bom (id INTEGER PRIMARY KEY, note TEXT);\n',
      '0002_bom_no_transaction.sql': `\uFEFF-- no-transaction\nCREATE INDEX ${concurrently}with_bom_note ON with_bom (note);\n`,
    };
    await writeTree(root, files);
    const migrator = new Migrator({ db: database.handle, migrations: root });
    const plan = await migrator.plan();
    expect(plan.steps.map((step) => step.transactional)).toEqual([ddlInTransaction(database), false]);

    const report = await migrator.run();
    expect(report.applied.map((step) => step.version)).toEqual([1n, 2n]);
    expect(await database.tableExists('with_bom')).toBe(true);
    const status = await migrator.status();
    expect(status.map((line) => line.state)).toEqual(['applied', 'applied']);
    expect(toHex(status[0]!.history!.checksum)).toBe(toHex(checksumOf(Buffer.from(files['0001_bom.sql']))));
  });

  it('CRLF files apply, an error in one names the right line, and converting them to LF is not a modification', async () => {
    const { database, root } = await setup();
    const body =
      database.dialect === 'postgres'
        ? 'CREATE TABLE crlf (id INTEGER PRIMARY KEY);\r\nDO $$\r\nBEGIN\r\n  INSERT INTO crlf VALUES (1);\r\nEND\r\n$$;\r\n'
        : 'CREATE TABLE crlf (id INTEGER PRIMARY KEY);\r\nINSERT INTO crlf VALUES (1);\r\n';
    await writeTree(root, {
      '0001_crlf.sql': body,
      '0002_crlf_no_transaction.sql':
        '-- no-transaction\r\nCREATE TABLE crlf_b (id INTEGER);\r\nCREATE TABLE crlf_c (id INTEGER);\r\n',
    });
    const migrator = new Migrator({ db: database.handle, migrations: root });
    expect((await migrator.plan()).steps.map((step) => step.transactional)).toEqual([ddlInTransaction(database), false]);
    expect((await migrator.run()).applied.map((step) => step.version)).toEqual([1n, 2n]);
    expect(await database.tableExists('crlf_c')).toBe(true);

    await writeTree(root, {
      '0001_crlf.sql': body.replace(/\r\n/g, '\n'),
      '0002_crlf_no_transaction.sql': '-- no-transaction\nCREATE TABLE crlf_b (id INTEGER);\nCREATE TABLE crlf_c (id INTEGER);\n',
      '0003_crlf_failing.sql': 'CREATE TABLE crlf_d (id INTEGER);\r\n\r\nCREATE TABLE crlf_d (id INTEGER);\r\n',
    });
    const converted = new Migrator({ db: database.handle, migrations: root });
    const status = await converted.status();
    expect(status.map((line) => [line.state, line.lineEndingsOnly])).toEqual([
      ['applied', true],
      ['applied', true],
      ['pending', false],
    ]);
    const error = await catchError(converted.run());
    expect(isStrataError(error, 'MIGRATION_FAILED'), String(error)).toBe(true);
    expect(error.details).toMatchObject({ version: '3', file: '0003_crlf_failing.sql', line: 3 });
    expect(error.message).toContain('0003_crlf_failing.sql:3:');
  });

  it('symlinks to files and to Diesel directories are followed; a symlink loop among directories is ignored, not recursed', async () => {
    const { database, root } = await setup();
    const outside = join(root, '..', 'shared');
    await writeTree(outside, {
      '0001_shared.sql': 'CREATE TABLE from_a_symlink (id INTEGER);\n',
    });
    await symlink(join(outside, '0001_shared.sql'), join(root, '0001_shared.sql'));
    await writeTree(root, { '0002_local.sql': 'CREATE TABLE local_one (id INTEGER);\n' });
    await symlink('.', join(root, 'loop'));
    const logger = recordingLogger();

    const report = await new Migrator({ db: database.handle, migrations: root, logger }).run();
    expect(report.applied.map((step) => step.version)).toEqual([1n, 2n]);
    expect(await database.tableExists('from_a_symlink')).toBe(true);
    // The checksum is the target's bytes, as if the file were there.
    const status = await new Migrator({ db: database.handle, migrations: root }).status();
    expect(toHex(status[0]!.history!.checksum)).toBe(toHex(checksumOf('CREATE TABLE from_a_symlink (id INTEGER);\n')));
    expect(logger.text()).toContain('loop');

    const diesel = await migrationsDir();
    await writeTree(join(diesel, '..', 'elsewhere'), {
      '2026-06-01-000001_linked/up.sql': 'CREATE TABLE diesel_linked (id INTEGER);\n',
    });
    await symlink(join(diesel, '..', 'elsewhere', '2026-06-01-000001_linked'), join(diesel, '2026-06-01-000001_linked'));
    const dieselDb = await open();
    cleanups.push(() => dieselDb.close());
    const dieselReport = await new Migrator({ db: dieselDb.handle, migrations: diesel }).run();
    expect(dieselReport.applied.map((step) => step.version)).toEqual([20260601000001n]);
    expect(await dieselDb.tableExists('diesel_linked')).toBe(true);
  });

  it('the largest 64-bit version, a Unicode description and a 250-byte name are stored exactly', async () => {
    const { database, root } = await setup();
    const long = `0002_${'long_name_'.repeat(24)}.sql`;
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(255);
    await writeTree(root, {
      '0001_créer_les_tables_🚀_終.sql': 'CREATE TABLE unicode_name (id INTEGER);\n',
      [long]: 'CREATE TABLE long_name (id INTEGER);\n',
      '9223372036854775807_the_last_possible.sql': 'CREATE TABLE last_possible (id INTEGER);\n',
    });
    const report = await new Migrator({ db: database.handle, migrations: root }).run();
    expect(report.applied.map((step) => step.version)).toEqual([1n, 2n, 9223372036854775807n]);
    const rows = await database.query(
      `SELECT ${database.sql.text('version')} AS version, description FROM _strata_migrations ORDER BY version`,
    );
    expect(rows).toEqual([
      { version: '1', description: 'créer les tables 🚀 終' },
      { version: '2', description: long.slice(5, -4).replace(/_/g, ' ') },
      { version: '9223372036854775807', description: 'the last possible' },
    ]);
    const status = await new Migrator({ db: database.handle, migrations: root }).status();
    expect(status.map((line) => line.state)).toEqual(['applied', 'applied', 'applied']);
  });

  it('a stray .sql file beside Diesel directories is not applied, and the run says so', async () => {
    const { database, root } = await setup();
    await writeTree(root, {
      '2026-06-01-000001_create/up.sql': 'CREATE TABLE diesel_one (id INTEGER);\n',
      '2026-06-01-000001_create/down.sql': 'DROP TABLE diesel_one;\n',
      '20260601000002_stray.sql': 'CREATE TABLE stray (id INTEGER);\n',
      'README.md': '# migrations\n',
    });
    const logger = recordingLogger();
    const report = await new Migrator({ db: database.handle, migrations: root, logger }).run();
    expect(report.applied.map((step) => step.version)).toEqual([20260601000001n]);
    expect(await database.tableExists('stray')).toBe(false);
    expect(logger.text()).toContain('20260601000002_stray.sql');
  });
});
