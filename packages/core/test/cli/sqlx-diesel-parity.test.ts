import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

// A sqlx-cli or Diesel CLI user's habits, typed verbatim.

describe('sqlx-cli spellings without a database', () => {
  let project: Project;
  const run = (...args: string[]) => strata(args, { cwd: project.dir });
  beforeEach(async () => {
    project = await createProject();
  });
  afterEach(() => project.cleanup());

  it('add -s numbers sequentially and add -t by timestamp, as sqlx-cli does; both at once exit 2', async () => {
    expect((await run('add', '-s', 'first')).code).toBe(0);
    expect(await project.list()).toEqual(['0001_first.sql']);
    const stamped = await run('add', '-t', 'second');
    expect(stamped.code, stamped.stderr).toBe(0);
    expect((await project.list())[1]).toMatch(/^\d{14}_second\.sql$/);
    const both = await run('add', '-s', '-t', 'third');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--sequential and --timestamp cannot be used together');
  });

  it('strata migrate add -r x is strata add -r x; migrate alone shows its commands (exit 2, 0 with --help)', async () => {
    const added = await run('migrate', 'add', '-r', '-s', 'create_users');
    expect(added.code, added.stderr).toBe(0);
    expect(await project.list()).toEqual(['0001_create_users.down.sql', '0001_create_users.up.sql']);
    const bare = await run('migrate');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^ {2}migrate run\s+apply pending migrations$/m);
    const help = await run('migrate', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: strata migrate <command> [options]');
    const runHelp = await run('migrate', 'run', '--help');
    expect(runHelp.stdout).toContain('Usage: strata run');
    expect((await run('--help')).stdout).toMatch(/^ {2}migrate <command>\s+sqlx-cli's spelling/m);
  });

  it('strata migrate with a command that is not about migrations: exit 2 naming the ones it takes', async () => {
    const result = await run('migrate', 'database', 'create');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error[UNKNOWN_COMMAND]: "database" is not a `strata migrate` command');
    expect(result.stderr).toContain('add, run, revert, redo, info, list, pending');
  });
});

describe('.env looked up to the project root, and --no-dotenv', () => {
  let project: Project;
  const run = (cwd: string, ...args: string[]) => strata(args, { cwd });
  beforeEach(async () => {
    project = await createProject({
      'package.json': '{}\n',
      '.env': 'DATABASE_URL=sqlite://app.db?mode=rwc\n',
      ...USERS_AND_POSTS,
      'src/deep/keep': '',
    });
  });
  afterEach(() => project.cleanup());

  it('from a subdirectory: the root .env, the root migrations, and a SQLite path relative to the .env', async () => {
    const sub = join(project.dir, 'src/deep');
    const result = await run(sub, 'migrate', 'run');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Applied 2 migrations');
    expect(existsSync(join(project.dir, 'app.db'))).toBe(true);
    expect(existsSync(join(sub, 'app.db'))).toBe(false);
    const info = await run(sub, 'migrate', 'info', '--json');
    expect(jsonOf<{ migrations: { state: string }[] }>(info).migrations.map((m) => m.state)).toEqual(['applied', 'applied']);
  });

  it('--no-dotenv reads no .env: NO_DATABASE_URL says so (exit 2)', async () => {
    const result = await run(join(project.dir, 'src'), 'info', '--no-dotenv');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error[NO_DATABASE_URL]: no database URL: pass --database-url, set DATABASE_URL (.env is not read: --no-dotenv)',
    );
    expect(existsSync(join(project.dir, 'app.db'))).toBe(false);
  });

  it('stops at the project root: a .env above the directory holding package.json is not read', async () => {
    await project.write({ 'nested/package.json': '{}\n', 'nested/sub/keep': '' });
    const result = await run(join(project.dir, 'nested/sub'), 'info');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('add DATABASE_URL=... to .env (here or up to ../)');
  });
});

describe.each(KINDS)('Diesel and sqlx habits against %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });

  beforeEach(async () => {
    project = await createProject(USERS_AND_POSTS);
    db = await testDatabase(kind, project.dir);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('list shows [X] applied and [ ] pending; pending lists what run would apply and --exit-code gates on it', async () => {
    expect((await run('migrate', 'run', '--target-version', '1')).code).toBe(0);
    const list = await run('list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toBe('Migrations:\n  [X] 1 create users\n  [ ] 2 create posts\n');
    const pending = await run('pending');
    expect(pending.code).toBe(0);
    expect(pending.stdout).toMatch(/^2\s+create posts\s+0002_create_posts\.up\.sql\n1 migration pending\.\n$/);
    expect((await run('pending', '--exit-code')).code).toBe(1);
    expect(jsonOf(await run('pending', '--json'))).toEqual({
      pending: [{ version: '2', description: 'create posts', file: '0002_create_posts.up.sql' }],
    });
    expect((await run('migrate', 'run')).code).toBe(0);
    const none = await run('migrate', 'pending', '--exit-code');
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('Nothing pending: the database is up to date.\n');
  });

  it('revert --ignore-missing passes over a migration whose files are gone from the middle', async () => {
    await project.write({
      'migrations/0003_create_tags.up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\n',
      'migrations/0003_create_tags.down.sql': 'DROP TABLE tags;\n',
    });
    expect((await run('migrate', 'run')).code).toBe(0);
    for (const file of ['0002_create_posts.up.sql', '0002_create_posts.down.sql']) rmSync(join(project.dir, 'migrations', file));
    const refused = await run('migrate', 'revert', '-n', '2');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error[MIGRATION_MISSING]: cannot revert migration 2');
    expect(refused.stderr).toContain('`strata revert --ignore-missing`');
    expect(await db.appliedVersions()).toEqual(['1', '2', '3']);
    const result = await run('migrate', 'revert', '-n', '2', '--ignore-missing');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('✓ reverted 3 create tags');
    expect(result.stdout).toContain('✓ reverted 1 create users');
    expect(await db.appliedVersions()).toEqual(['2']);
    expect(await db.tableExists('posts')).toBe(true);
    expect(await db.tableExists('users')).toBe(false);
  });

  it("a sqlx-cli user's commands, verbatim: migrate add -r, run --dry-run, run -D --connect-timeout --no-dotenv, info, revert --target-version --ignore-missing", async () => {
    const fresh = await createProject({ '.env': 'DATABASE_URL=sqlite://not-this-one.db?mode=rwc\n' });
    try {
      const sqlx = (...args: string[]) => strata(args, { cwd: fresh.dir });
      const added = await sqlx('migrate', 'add', '-r', 'create_users');
      expect(added.code, added.stderr).toBe(0);
      const up = (await fresh.list()).find((file) => file.endsWith('.up.sql'))!;
      await fresh.write({
        [`migrations/${up}`]: 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n',
        [`migrations/${up.replace('.up.', '.down.')}`]: 'DROP TABLE users;\n',
      });
      const url = kind === 'sqlite' ? `sqlite://${join(project.dir, 'app.db')}?mode=rwc` : db.url;
      const dry = await sqlx('migrate', 'run', '--source', 'migrations', '--dry-run', '-D', url, '--no-dotenv');
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toContain('Dry run: would apply 1 migration');
      const run = await sqlx('migrate', 'run', '-D', url, '--connect-timeout', '5', '--no-dotenv');
      expect(run.code, run.stderr).toBe(0);
      const info = await sqlx('migrate', 'info', '--source', 'migrations', '--database-url', url, '--no-dotenv');
      expect(info.stdout).toMatch(/^\d{14}\s+create users\s+applied/m);
      const revert = await sqlx('migrate', 'revert', '--target-version', '0', '--ignore-missing', '-D', url, '--no-dotenv');
      expect(revert.code, revert.stderr).toBe(0);
      expect(revert.stdout).toContain('Reverted 1 migration');
      expect(existsSync(join(fresh.dir, 'not-this-one.db'))).toBe(false);
    } finally {
      await fresh.cleanup();
    }
  });

  it("a Diesel user's commands, verbatim: migration generate, run, list, pending, redo, revert --all", async () => {
    const fresh = await createProject({ 'migrations/.keep': '' });
    try {
      const diesel = (...args: string[]) =>
        strata(args, {
          cwd: fresh.dir,
          env: { DATABASE_URL: kind === 'sqlite' ? `sqlite://${join(project.dir, 'app.db')}?mode=rwc` : db.url },
        });
      expect((await diesel('migration', 'generate', 'create_users', '--layout', 'diesel')).code).toBe(0);
      const [dir] = (await fresh.list()).filter((name) => name !== '.keep');
      expect(dir).toMatch(/^\d{4}-\d{2}-\d{2}-\d{6}_create_users$/);
      await fresh.write({
        [`migrations/${dir}/up.sql`]: 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n',
        [`migrations/${dir}/down.sql`]: 'DROP TABLE users;\n',
      });
      expect((await diesel('migration', 'pending')).stdout).toContain('1 migration pending.');
      expect((await diesel('migration', 'run')).code).toBe(0);
      expect((await diesel('migration', 'list')).stdout).toMatch(/^ {2}\[X\] \d{14} create users$/m);
      const redo = await diesel('migration', 'redo');
      expect(redo.code, redo.stderr).toBe(0);
      expect(redo.stdout).toContain('Redid 1 migration (reverted and re-applied) in one transaction');
      expect((await diesel('migration', 'revert', '--all')).code).toBe(0);
      expect((await diesel('migration', 'list')).stdout).toMatch(/^ {2}\[ \] \d{14} create users$/m);
    } finally {
      await fresh.cleanup();
    }
  });
});
