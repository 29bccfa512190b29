import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, edit, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

describe.each(KINDS)('the everyday cycle on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });

  beforeEach(async () => {
    project = await createProject();
    db = await testDatabase(kind, project.dir);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('add -r → edit → run → info → revert → info, with the table gone at the end', async () => {
    const added = await run('add', '-r', 'create_users');
    expect(added.code, added.stderr).toBe(0);
    const [down, up] = await project.list();
    expect(up).toMatch(/^\d{14}_create_users\.up\.sql$/);
    expect(down).toBe(up!.replace('.up.sql', '.down.sql'));
    expect(added.stdout).toContain(`migrations/${up}`);
    expect(added.stdout).toContain(`migrations/${down}`);
    const version = up!.slice(0, 14);

    await edit(project, `migrations/${up}`, 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n');
    await edit(project, `migrations/${down}`, 'DROP TABLE users;\n');

    const applied = await run('run');
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(new RegExp(`applying ${version} create users`));
    expect(applied.stdout).toMatch(
      new RegExp(`applied ${version} create users \\(\\d+(\\.\\d)? ms; execution time \\d+(\\.\\d)? ms\\)`),
    );
    expect(applied.stdout).toContain('Applied 1 migration in');
    expect(await db.tableExists('users')).toBe(true);

    const info = await run('info', '--json');
    expect(info.code, info.stderr).toBe(0);
    const [line] = jsonOf<{ migrations: Record<string, unknown>[] }>(info).migrations;
    expect(line).toMatchObject({ version: version, description: 'create users', state: 'applied' });
    expect(typeof line!.installedOn).toBe('string');
    expect(typeof line!.executionTimeMs).toBe('number');

    const reverted = await run('revert');
    expect(reverted.code, reverted.stderr).toBe(0);
    expect(reverted.stdout).toMatch(new RegExp(`reverted ${version} create users \\(`));
    expect(await db.tableExists('users')).toBe(false);

    const after = await run('info');
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toMatch(new RegExp(`${version}\\s+create users\\s+pending`));
    expect(after.stdout).toContain('1 pending');
  });

  it('run twice: the second run says nothing was pending and changes nothing', async () => {
    await project.write({ 'migrations/0001_create_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n' });
    const first = await run('run');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Applied 1 migration');
    const rows = await db.query('SELECT installed_on FROM _strata_migrations');

    const second = await run('run');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Nothing pending: the database is up to date.');
    expect(second.stdout).not.toContain('applying');
    expect(await db.query('SELECT installed_on FROM _strata_migrations')).toEqual(rows);
  });
});
