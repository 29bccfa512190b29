import { afterEach, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

const SLOW = {
  'migrations/0001_create_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n',
  'migrations/0002_slow_backfill.sql': 'CREATE TABLE audit (id INTEGER);\nSELECT pg_sleep(5);\n',
};

describe('--statement-timeout', () => {
  let project: Project | undefined;
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    await project?.cleanup();
  });

  it('on PostgreSQL cancels a migration statement that runs longer, keeps nothing of it, and says so (exit 1)', async () => {
    project = await createProject(SLOW);
    db = await testDatabase('postgres', project.dir);
    const result = await strata(['run', '--statement-timeout', '0.3', '--json'], {
      cwd: project.dir,
      env: { DATABASE_URL: db.url },
    });
    expect(result.code).toBe(1);
    expect(jsonOf(result)).toMatchObject({
      error: { code: 'MIGRATION_FAILED', exitCode: 1, details: { version: '2', databaseCode: '57014' } },
    });
    // The first migration stays applied; nothing of the cancelled one is kept.
    expect(await db.tableExists('users')).toBe(true);
    expect(await db.tableExists('audit')).toBe(false);
    const versions = await db.query<{ version: string }>('SELECT version::text AS version FROM _strata_migrations');
    expect(versions.map((row) => row.version)).toEqual(['1']);
  });

  it('is refused on SQLite, which has no statement timeout, before anything runs', async () => {
    project = await createProject({ 'migrations/0001_create_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n' });
    db = await testDatabase('sqlite', project.dir);
    const result = await strata(['run', '--statement-timeout', '1', '--json'], {
      cwd: project.dir,
      env: { DATABASE_URL: db.url },
    });
    expect(result.code).not.toBe(0);
    expect(jsonOf(result)).toMatchObject({ error: { code: 'INVALID_OPTIONS' } });
    expect(await db.tableExists('users')).toBe(false);
  });

  it('takes a number of seconds > 0 (exit 2)', async () => {
    project = await createProject({});
    for (const value of ['soon', '0', '-1', '']) {
      const result = await strata(['run', `--statement-timeout=${value}`], {
        cwd: project.dir,
        env: { DATABASE_URL: 'sqlite://app.db?mode=rwc' },
      });
      expect(result.code, value).toBe(2);
      expect(result.stderr).toContain('--statement-timeout takes a number of seconds > 0');
    }
  });
});
