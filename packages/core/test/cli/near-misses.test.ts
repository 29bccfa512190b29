import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

const WRONG_CASE =
  'warning: migrations/0001_a.SQL is not read as a migration: only names ending in lower-case .sql are read; rename it to 0001_a.sql';

/** A file named like a migration that is not read is never skipped without a word (sqlx-cli says nothing). */
describe('strata on a directory with a near miss (SQLite)', () => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });

  beforeEach(async () => {
    project = await createProject({
      'migrations/0001_a.SQL': 'CREATE TABLE a (id INTEGER);\n',
      'migrations/0002_b.sql': 'CREATE TABLE b (id INTEGER);\n',
      'migrations/README.md': 'notes\n',
    });
    db = await testDatabase('sqlite', project.dir);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('run warns on stderr, naming 0001_a.SQL and the fix, and applies only what it reads', async () => {
    const result = await run('run');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split('\n')).toContain(WRONG_CASE);
    expect(result.stderr).not.toContain('README.md');
    expect(result.stdout).not.toContain('0001_a.SQL');
    expect(await db.appliedVersions()).toEqual(['2']);
    expect(await db.tableExists('a')).toBe(false);
    expect(await db.tableExists('b')).toBe(true);

    // Every run says it again: nothing pending is not "all is well" while 0001_a.SQL sits there.
    const again = await run('run');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing pending');
    expect(again.stderr.split('\n')).toContain(WRONG_CASE);
    expect(await db.appliedVersions()).toEqual(['2']);
  });

  it('run on a directory holding only 0001_a.SQL: nothing applied, and the warning says why', async () => {
    await rm(join(project.dir, 'migrations/0002_b.sql'));
    const result = await run('run');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split('\n')).toContain(WRONG_CASE);
    expect(await db.tableExists('a')).toBe(false);
    const history = (await db.tableExists('_strata_migrations')) ? await db.appliedVersions() : [];
    expect(history).toEqual([]);
  });

  it('info and run --json warn on stderr and keep stdout one JSON document', async () => {
    const info = await run('info');
    expect(info.code, info.stderr).toBe(0);
    expect(info.stderr.split('\n')).toContain(WRONG_CASE);
    expect(info.stdout).toMatch(/^2\s+b\s+pending/m);

    const json = await run('run', '--json');
    expect(json.stderr.split('\n')).toContain(WRONG_CASE);
    expect(jsonOf<{ applied: { version: string }[] }>(json).applied.map((step) => step.version)).toEqual(['2']);
  });

  it('validate lists it with its reason, apart from entries that are simply not migrations', async () => {
    const result = await run('validate');
    expect(result.stderr.split('\n')).toContain(WRONG_CASE);
    expect(result.stderr).toContain('warning: not migrations, ignored: README.md\n');
  });

  it('revert warns about a down script named DOWN.sql in a Diesel directory', async () => {
    await rm(join(project.dir, 'migrations'), { recursive: true });
    await project.write({
      'migrations/2026-06-01-000001_users/up.sql': 'CREATE TABLE users (id INTEGER);\n',
      'migrations/2026-06-01-000001_users/DOWN.sql': 'DROP TABLE users;\n',
    });
    expect((await run('run')).code).toBe(0);
    const result = await run('revert');
    expect(result.stderr.split('\n')).toContain(
      'warning: migrations/2026-06-01-000001_users/DOWN.sql is not read as a migration: only down.sql in lower case is read; ' +
        'rename it to 2026-06-01-000001_users/down.sql',
    );
    expect(await db.appliedVersions()).toEqual(['20260601000001']);
    expect(await db.tableExists('users')).toBe(true);
  });
});
