import { afterEach, describe, expect, it } from 'vitest';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

const reversible = (version: string, table: string) => ({
  [`migrations/${version}_create_${table}.up.sql`]: `CREATE TABLE ${table} (id INTEGER PRIMARY KEY);\n`,
  [`migrations/${version}_create_${table}.down.sql`]: `DROP TABLE ${table};\n`,
});

const FROM_ONE = { ...reversible('0001', 'users'), ...reversible('0002', 'posts') };
const FROM_ZERO = { ...reversible('0000', 'base'), ...FROM_ONE };
const DIESEL_WITH_ZERO = {
  'migrations/00000000000000_diesel_initial_setup/up.sql': 'CREATE TABLE base (id INTEGER PRIMARY KEY);\n',
  'migrations/00000000000000_diesel_initial_setup/down.sql': 'DROP TABLE base;\n',
  'migrations/2026-06-01-000001_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n',
  'migrations/2026-06-01-000001_create_users/down.sql': 'DROP TABLE users;\n',
  'migrations/2026-06-02-000002_create_posts/up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY);\n',
  'migrations/2026-06-02-000002_create_posts/down.sql': 'DROP TABLE posts;\n',
};

const NOTE =
  /^migration 0 \((create base|diesel initial setup)\) stays: --target-version keeps the version it names; `strata revert --all` reverts it too$/m;

/**
 * `--target-version 0` reverts all when 0 means "before everything"; a migration numbered 0 is a
 * version like any other, kept and said so (reverting it by guess could drop the base schema).
 */
describe.each(KINDS)('strata revert --target-version 0 on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });

  async function setUp(files: Record<string, string>): Promise<void> {
    project = await createProject(files);
    db = await testDatabase(kind, project.dir);
    const setup = await run('run');
    expect(setup.code, setup.stderr).toBe(0);
  }
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('without a migration numbered 0: reverts every migration', async () => {
    await setUp(FROM_ONE);
    expect(await db.appliedVersions()).toEqual(['1', '2']);
    const result = await run('revert', '--target-version', '0');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Reverted 2 migrations');
    expect(result.stderr).not.toMatch(NOTE);
    expect(await db.appliedVersions()).toEqual([]);
    expect(await db.tableExists('users')).toBe(false);
    expect(await db.tableExists('posts')).toBe(false);
  });

  for (const [layout, files, newest] of [
    ['0000_create_base (SQLx, numbered from 0)', FROM_ZERO, '2'],
    ["Diesel's 00000000000000_diesel_initial_setup", DIESEL_WITH_ZERO, '20260602000002'],
  ] as const) {
    it(`with ${layout}: keeps migration 0, says so, and --all reverts it`, async () => {
      await setUp(files);
      expect(await db.appliedVersions()).toHaveLength(3);

      const dry = await run('revert', '--target-version', '0', '--dry-run', '--json');
      expect(dry.code, dry.stderr).toBe(0);
      expect(jsonOf<{ planned: { version: string }[] }>(dry).planned.map((step) => step.version)).toEqual([
        newest,
        expect.any(String),
      ]);
      expect(dry.stderr).toMatch(NOTE);
      expect(await db.appliedVersions()).toHaveLength(3);

      const result = await run('revert', '--target-version', '0');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Reverted 2 migrations');
      expect(result.stderr).toMatch(NOTE);
      expect(await db.appliedVersions()).toEqual(['0']);
      expect(await db.tableExists('base')).toBe(true);
      expect(await db.tableExists('users')).toBe(false);
      expect(await db.tableExists('posts')).toBe(false);

      const again = await run('revert', '--target-version', '0');
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('Nothing to revert');
      expect(await db.appliedVersions()).toEqual(['0']);

      const all = await run('revert', '--all');
      expect(all.code, all.stderr).toBe(0);
      expect(all.stderr).not.toMatch(NOTE);
      expect(await db.appliedVersions()).toEqual([]);
      expect(await db.tableExists('base')).toBe(false);
    });
  }

  it('the help says what 0 does', async () => {
    project = await createProject({});
    db = await testDatabase(kind, project.dir);
    const help = await run('revert', '--help');
    expect(help.stdout).toContain('0 reverts all but a migration numbered 0');
    expect(help.stdout).toContain('--target-version 0 keeps it and says so; --all reverts it too.');
    expect(help.stdout).not.toContain('(V itself stays; 0 reverts all)');
  });
});
