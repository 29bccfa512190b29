import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { readMigrationsDirectory } from '../../src/index.js';
import { findNearMisses } from '../../src/source/directory-source.js';

let dir: { path: string; cleanup(): Promise<void> };
beforeEach(async () => {
  dir = await tempDir('near-misses');
});
afterEach(async () => {
  await dir.cleanup();
});

/** Files named like migrations that are not read must be named, with a reason, never dropped silently. */
describe('near misses in a migrations directory', () => {
  it('flat layout: a wrong-case extension, a name that goes on after .sql, a versioned name without .sql', async () => {
    await writeTree(dir.path, {
      '0001_a.SQL': 'CREATE TABLE a (x int);',
      '0002_b.up.SQL': 'CREATE TABLE b (x int);',
      '0003_c.Down.Sql': 'DROP TABLE c;',
      '0004_d.sql.txt': 'SELECT 4;',
      '0005_e.psql': 'SELECT 5;',
      '0006_f.sql': 'SELECT 6;',
      'README.md': 'notes',
      'notes.txt': 'x',
      '.0007_hidden.SQL': 'SELECT 7;',
    });
    const read = await readMigrationsDirectory(dir.path);
    expect(read.migrations.map((m) => m.upFile)).toEqual(['0006_f.sql']);
    expect(read.nearMisses).toEqual([
      { entry: '0001_a.SQL', reason: 'only names ending in lower-case .sql are read', rename: '0001_a.sql' },
      { entry: '0002_b.up.SQL', reason: 'only names ending in lower-case .sql are read', rename: '0002_b.up.sql' },
      { entry: '0003_c.Down.Sql', reason: 'only names ending in lower-case .sql are read', rename: '0003_c.down.sql' },
      {
        entry: '0004_d.sql.txt',
        reason: 'only names ending in .sql are read (start the name with "." to hide a copy)',
      },
      { entry: '0005_e.psql', reason: 'its name starts with a version but does not end in .sql' },
    ]);
    // Near misses are among the ignored entries; a README is only ignored.
    expect(read.ignored.sort()).toEqual(
      ['0001_a.SQL', '0002_b.up.SQL', '0003_c.Down.Sql', '0004_d.sql.txt', '0005_e.psql', 'README.md', 'notes.txt'].sort(),
    );
    // The listing alone says the same, without reading a script.
    expect(findNearMisses(dir.path)).toEqual(read.nearMisses);
  });

  it('a directory holding only 0001_a.SQL is empty, and says why', async () => {
    await writeTree(dir.path, { '0001_a.SQL': 'CREATE TABLE a (x int);' });
    const read = await readMigrationsDirectory(dir.path);
    expect(read.layout).toBe('empty');
    expect(read.nearMisses.map((miss) => miss.entry)).toEqual(['0001_a.SQL']);
  });

  it('Diesel layout: flat files beside the directories, a directory without up.sql, DOWN.sql inside one', async () => {
    await writeTree(dir.path, {
      '2026-06-01-000001_users/up.sql': 'CREATE TABLE users (id int);',
      '2026-06-01-000001_users/DOWN.sql': 'DROP TABLE users;',
      '2026-06-01-000001_users/metadata.TOML': 'run_in_transaction = false',
      '2026-06-02-000002_posts/UP.SQL': 'CREATE TABLE posts (id int);',
      '2026-06-03-000003_empty/notes.txt': 'x',
      '0004_flat.sql': 'SELECT 4;',
      'schema.SQL': 'SELECT 0;',
      'README.md': 'notes',
      'snapshots/keep.txt': 'x',
    });
    const read = await readMigrationsDirectory(dir.path);
    expect(read.layout).toBe('diesel');
    expect(read.migrations.map((m) => [m.upFile, m.downFile])).toEqual([['2026-06-01-000001_users/up.sql', undefined]]);
    const sibling = 'this directory holds Diesel-style <version>_<name>/up.sql directories, and files beside them are not read';
    expect(read.nearMisses.sort((a, b) => a.entry.localeCompare(b.entry))).toEqual([
      { entry: '0004_flat.sql', reason: sibling },
      {
        entry: '2026-06-01-000001_users/DOWN.sql',
        reason: 'only down.sql in lower case is read',
        rename: '2026-06-01-000001_users/down.sql',
      },
      {
        entry: '2026-06-01-000001_users/metadata.TOML',
        reason: 'only metadata.toml in lower case is read',
        rename: '2026-06-01-000001_users/metadata.toml',
      },
      { entry: '2026-06-02-000002_posts', reason: 'it holds UP.SQL but no up.sql (the names are case-sensitive)' },
      { entry: '2026-06-03-000003_empty', reason: 'a migration directory must hold an up.sql' },
      { entry: 'schema.SQL', reason: sibling },
    ]);
    expect(read.nearMisses.map((miss) => miss.entry)).not.toContain('README.md');
    expect(read.nearMisses.map((miss) => miss.entry)).not.toContain('snapshots');
  });

  it('flat layout: a sub-directory named like a migration is a near miss', async () => {
    await writeTree(dir.path, { '0001_a.sql': 'SELECT 1;', '0002_b/notes.txt': 'x', 'fixtures/x.txt': 'x' });
    expect(findNearMisses(dir.path)).toEqual([{ entry: '0002_b', reason: 'a migration directory must hold an up.sql' }]);
  });
});

describe('near misses reach an application through its logger', () => {
  it('a Migrator warns through the logger it was given, naming the file and the fix', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { Migrator } = await import('../../src/index.js');
    await writeTree(dir.path, {
      'migrations/0001_a.SQL': 'CREATE TABLE a (x int);',
      'migrations/0002_b.sql': 'CREATE TABLE b (x int);',
    });
    const warnings: string[] = [];
    const logger = { info() {}, error() {}, warn: (message: string) => warnings.push(message) };
    const db = new Database(':memory:');
    try {
      const report = await new Migrator({ db, migrations: `${dir.path}/migrations`, logger }).run();
      expect(report.applied.map((step) => String(step.version))).toEqual(['2']);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('0001_a.SQL is not read as a migration');
      expect(warnings[0]).toContain('rename it to 0001_a.sql');
    } finally {
      db.close();
    }
  });
});
