import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { checksumOf, toHex } from '../../src/checksum.js';
import { migrationsFromValues, readMigrationsDirectory, StrataError } from '../../src/index.js';

let dir: { path: string; cleanup(): Promise<void> };
beforeEach(async () => {
  dir = await tempDir('source');
});
afterEach(async () => {
  await dir.cleanup();
});

async function expectCode(promise: Promise<unknown>, code: string, ...mentions: string[]): Promise<StrataError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StrataError);
  expect((error as StrataError).code).toBe(code);
  for (const text of mentions) expect((error as StrataError).message).toContain(text);
  return error as StrataError;
}

describe('SQLx flat layout', () => {
  it('reads simple migrations in numeric version order with SQLx descriptions', async () => {
    await writeTree(dir.path, {
      '20260601115557_create_users.sql': 'CREATE TABLE users (id int);\n',
      '9_first.sql': 'SELECT 1;',
      '100000000000000001_eighteen_digits.sql': 'SELECT 2', // no final ; nor newline
      '20251218140442_[2.0.0]_initial release.sql': 'SELECT 3;',
      'README.md': '# notes',
      '.gitkeep': '',
    });
    const { migrations, layout, ignored } = await readMigrationsDirectory(dir.path);
    expect(layout).toBe('sqlx');
    expect(migrations.map((m) => m.version)).toEqual([9n, 20251218140442n, 20260601115557n, 100000000000000001n]);
    expect(migrations.map((m) => m.description)).toEqual(['first', '[2.0.0] initial release', 'create users', 'eighteen digits']);
    expect(migrations[3]!.up).toBe('SELECT 2');
    expect(migrations.every((m) => m.down === undefined)).toBe(true);
    expect(ignored).toEqual(['README.md']);
    expect(toHex(migrations[2]!.checksum)).toBe(toHex(checksumOf('CREATE TABLE users (id int);\n')));
  });

  it('pairs reversible up and down scripts', async () => {
    await writeTree(dir.path, {
      '0001_users.up.sql': 'CREATE TABLE users (id int);',
      '0001_users.down.sql': 'DROP TABLE users;',
      '0002_posts.up.sql': '-- no-transaction\nCREATE INDEX CONCURRENTLY x ON users (id);',
      '0002_posts.down.sql': '-- no-transaction\nDROP INDEX CONCURRENTLY x;',
    });
    const { migrations } = await readMigrationsDirectory(dir.path);
    expect(migrations.map((m) => [m.version, m.upFile, m.downFile])).toEqual([
      [1n, '0001_users.up.sql', '0001_users.down.sql'],
      [2n, '0002_posts.up.sql', '0002_posts.down.sql'],
    ]);
    expect(migrations[0]!.down).toBe('DROP TABLE users;');
    expect([migrations[0]!.noTransaction, migrations[1]!.noTransaction, migrations[1]!.downNoTransaction]).toEqual([
      false,
      true,
      true,
    ]);
  });

  it('rejects duplicate versions, naming both files', async () => {
    await writeTree(dir.path, { '0001_a.sql': 'SELECT 1;', '1_b.sql': 'SELECT 2;' });
    const error = await expectCode(readMigrationsDirectory(dir.path), 'DUPLICATE_VERSION', '0001_a.sql', '1_b.sql');
    expect(error.details.version).toBe('1');
  });

  it('rejects a down script without an up script', async () => {
    await writeTree(dir.path, { '0001_a.up.sql': 'SELECT 1;', '0001_a.down.sql': 'SELECT 1;', '0002_b.down.sql': 'SELECT 2;' });
    await expectCode(readMigrationsDirectory(dir.path), 'DOWN_WITHOUT_UP', '0002_b.down.sql');
  });

  it('rejects a non-numeric version', async () => {
    await writeTree(dir.path, { 'v1_init.sql': 'SELECT 1;' });
    await expectCode(readMigrationsDirectory(dir.path), 'INVALID_VERSION', 'v1_init.sql');
  });

  it('rejects a version that overflows 64 bits', async () => {
    await writeTree(dir.path, { '99999999999999999999_big.sql': 'SELECT 1;' });
    await expectCode(readMigrationsDirectory(dir.path), 'INVALID_VERSION', '99999999999999999999_big.sql');
  });

  it('rejects mixing simple and reversible migrations in one directory', async () => {
    await writeTree(dir.path, { '0001_a.sql': 'SELECT 1;', '0002_b.up.sql': 'SELECT 2;', '0002_b.down.sql': 'SELECT 2;' });
    await expectCode(readMigrationsDirectory(dir.path), 'MIXED_STYLES', '0001_a.sql', '0002_b');
  });

  it('rejects an unreadable file and a file that is not UTF-8, naming them', async () => {
    await symlink(join(dir.path, 'nowhere.sql'), join(dir.path, '0001_dangling.sql'));
    await expectCode(readMigrationsDirectory(dir.path), 'SOURCE_UNREADABLE', '0001_dangling.sql');
    const other = join(dir.path, 'utf8');
    await mkdir(other);
    await writeTree(other, { '0001_latin1.sql': Buffer.from([0x53, 0x45, 0x4c, 0xe9, 0x3b]) });
    await expectCode(readMigrationsDirectory(other), 'SOURCE_UNREADABLE', '0001_latin1.sql', 'UTF-8');
  });

  it('reports a missing directory with its path', async () => {
    await expectCode(readMigrationsDirectory(join(dir.path, 'absent')), 'SOURCE_NOT_FOUND', 'absent');
  });

  it('keeps the BOM and CRLF bytes in the checksum, like SQLx', async () => {
    const bytes = Buffer.from('\uFEFFCREATE TABLE t (id int);\r\n', 'utf8');
    await writeTree(dir.path, { '0001_bom.sql': bytes });
    const { migrations } = await readMigrationsDirectory(dir.path);
    expect(toHex(migrations[0]!.checksum)).toBe(toHex(checksumOf(bytes)));
    expect(toHex(migrationsFromValues([{ version: 1, description: 'bom', up: migrations[0]!.up }])[0]!.checksum)).toBe(
      toHex(checksumOf(bytes)),
    );
  });
});

describe('Diesel layout', () => {
  it('reads directories, metadata.toml, and ignores a README and stray files beside them', async () => {
    await writeTree(dir.path, {
      '2026-06-01-000001_create_users/up.sql': 'CREATE TABLE users (id int);',
      '2026-06-01-000001_create_users/down.sql': 'DROP TABLE users;',
      '2026-06-02-000002-0001_add index/up.sql': 'CREATE INDEX CONCURRENTLY i ON users (id);',
      '2026-06-02-000002-0001_add index/metadata.toml': '# diesel\nrun_in_transaction = false\n',
      '00000000000000_diesel_initial_setup/up.sql': 'SELECT 1;',
      'README.md': 'read me',
      'stray.sql': 'SELECT 0;',
      'snapshots/keep.txt': 'x',
    });
    const { migrations, layout, ignored } = await readMigrationsDirectory(dir.path);
    expect(layout).toBe('diesel');
    expect(migrations.map((m) => m.version)).toEqual([0n, 20260601000001n, 202606020000020001n]);
    expect(migrations.map((m) => m.description)).toEqual(['diesel initial setup', 'create users', 'add index']);
    expect(migrations[1]!.down).toBe('DROP TABLE users;');
    expect(migrations[2]!.noTransaction).toBe(true);
    expect(migrations[1]!.noTransaction).toBe(false);
    expect(migrations[2]!.upFile).toBe('2026-06-02-000002-0001_add index/up.sql');
    expect(ignored.sort()).toEqual(['README.md', 'snapshots', 'stray.sql']);
  });

  it('orders 14- and 18-digit versions numerically, never as text', async () => {
    await writeTree(dir.path, {
      '2026-06-01-000001-0001_b/up.sql': 'SELECT 2;',
      '2026-06-01-000002_a/up.sql': 'SELECT 1;',
    });
    const { migrations } = await readMigrationsDirectory(dir.path);
    // As text "20260601000002" < "202606010000010001"; as numbers the 14-digit one is far smaller.
    expect(migrations.map((m) => m.version)).toEqual([20260601000002n, 202606010000010001n]);
  });

  it('rejects a down.sql without up.sql and duplicate versions', async () => {
    await writeTree(dir.path, { '2026-06-01-000001_a/down.sql': 'SELECT 1;' });
    await expectCode(readMigrationsDirectory(dir.path), 'DOWN_WITHOUT_UP', '2026-06-01-000001_a/down.sql');
    const other = join(dir.path, 'dupes');
    await writeTree(other, { '2026-06-01-000001_a/up.sql': 'SELECT 1;', '20260601000001_b/up.sql': 'SELECT 2;' });
    await expectCode(readMigrationsDirectory(other), 'DUPLICATE_VERSION', '20260601000001');
  });
});

describe('migrations as values', () => {
  it('accepts string, bigint and number versions and checks a carried checksum is SHA-384 sized', () => {
    const migrations = migrationsFromValues([
      { version: '100000000000000002', description: 'b', up: 'SELECT 2;' },
      { version: 1n, description: 'a', up: 'SELECT 1;', down: 'SELECT 0;', checksum: toHex(checksumOf('SELECT 1;')) },
    ]);
    expect(migrations.map((m) => m.version)).toEqual([1n, 100000000000000002n]);
    expect(() => migrationsFromValues([{ version: 1, description: 'a', up: 'SELECT 1;', checksum: 'abcd' }])).toThrow(/48 bytes/);
    expect(() => migrationsFromValues([{ version: 2 ** 60, description: 'a', up: '' }])).toThrow(/safe/);
  });
});
