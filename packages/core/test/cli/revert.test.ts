import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

const THREE = {
  ...USERS_AND_POSTS,
  'migrations/0003_create_tags.up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\n',
  'migrations/0003_create_tags.down.sql': 'DROP TABLE tags;\n',
};

describe.each(KINDS)('strata revert on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });
  const applied = () => db.appliedVersions();

  beforeEach(async () => {
    project = await createProject(THREE);
    db = await testDatabase(kind, project.dir);
    const setup = await run('run');
    expect(setup.code, setup.stderr).toBe(0);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('reverts only the newest applied migration by default', async () => {
    const result = await run('revert');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('reverting 3 create tags ...');
    expect(result.stdout).toMatch(/✓ reverted 3 create tags \(/);
    expect(result.stdout).toContain('Reverted 1 migration in');
    expect(await applied()).toEqual(['1', '2']);
    expect(await db.tableExists('tags')).toBe(false);
    expect(await db.tableExists('posts')).toBe(true);
  });

  it('-n N reverts the N newest, newest first', async () => {
    const result = await run('revert', '-n', '2');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.indexOf('reverted 3')).toBeLessThan(result.stdout.indexOf('reverted 2'));
    expect(await applied()).toEqual(['1']);
    expect((await run('revert', '--number', '1')).code).toBe(0);
    expect(await applied()).toEqual([]);
  });

  it('--target-version V reverts everything newer than V and keeps V', async () => {
    const result = await run('revert', '--target-version', '1');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Reverted 2 migrations');
    expect(await applied()).toEqual(['1']);
    expect(await db.tableExists('users')).toBe(true);
  });

  it('--all reverts everything, and then there is nothing to revert', async () => {
    expect((await run('revert', '--all')).code).toBe(0);
    expect(await applied()).toEqual([]);
    expect(await db.tableExists('users')).toBe(false);
    const again = await run('revert');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to revert: no migration is applied.');
  });

  it('--dry-run lists what would be reverted and changes nothing', async () => {
    const result = await run('revert', '-n', '2', '--dry-run');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Dry run: would revert 2 migrations; nothing was changed.');
    expect(result.stdout).toMatch(/3\s+create tags\s+in a transaction\s+0003_create_tags\.down\.sql/);
    expect(await applied()).toEqual(['1', '2', '3']);
  });

  it('--json reports the reverted steps with direction down and versions as strings', async () => {
    const report = jsonOf<{ direction: string; applied: { version: string; direction: string; file: string }[] }>(
      await run('revert', '--json'),
    );
    expect(report.direction).toBe('down');
    expect(report.applied).toEqual([
      expect.objectContaining({ version: '3', direction: 'down', file: '0003_create_tags.down.sql' }),
    ]);
  });

  it('--single-transaction reverts them all in one transaction, or none of them', async () => {
    await project.write({ 'migrations/0002_create_posts.down.sql': 'DROP TABLE posts;\nDROP TABLE no_such_table;\n' });
    const failed = await run('revert', '--all', '--single-transaction');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('revert of migration 2 failed at 0002_create_posts.down.sql:2:1');
    expect(failed.stderr).toContain('Every migration the revert was undoing is still applied.');
    expect(await applied()).toEqual(['1', '2', '3']);
    expect(await db.tableExists('tags')).toBe(true);

    await project.write({ 'migrations/0002_create_posts.down.sql': 'DROP TABLE posts;\n' });
    const result = await run('revert', '--all', '--single-transaction', '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = jsonOf<{ singleTransaction: boolean; applied: { version: string }[] }>(result);
    expect(report.singleTransaction).toBe(true);
    expect(report.applied.map((step) => step.version)).toEqual(['3', '2', '1']);
    expect(await applied()).toEqual([]);
  });

  it('contradicting or malformed options exit 2 and revert nothing', async () => {
    for (const args of [
      ['--all', '-n', '2'],
      ['--target-version', '1', '--all'],
      ['-n', '0'],
      ['-n', 'two'],
    ]) {
      const result = await run('revert', ...args);
      expect(result.code, args.join(' ')).toBe(2);
    }
    expect(await applied()).toEqual(['1', '2', '3']);
  });

  it('a migration without a down script cannot be reverted (exit 1), and nothing is reverted', async () => {
    const simple = await createProject({ 'migrations/0001_only_up.sql': 'CREATE TABLE only_up (id INTEGER);\n' });
    const other = await testDatabase(kind, simple.dir);
    try {
      const env = { DATABASE_URL: other.url };
      expect((await strata(['run'], { cwd: simple.dir, env })).code).toBe(0);
      const result = await strata(['revert'], { cwd: simple.dir, env });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'error[NOT_REVERSIBLE]: cannot revert migration 1 (0001_only_up.sql): it has no down script',
      );
      expect(await other.tableExists('only_up')).toBe(true);
    } finally {
      await other.drop();
      await simple.cleanup();
    }
  });
});
