import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pgAdminUrl, withAdminClient } from '../../../../test-support/databases.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { jsonOf, strata, strataInTerminal } from './helpers/strata.js';

describe('strata database on SQLite', () => {
  let project: Project;
  const url = 'sqlite://data/app.db';
  const file = () => join(project.dir, 'data/app.db');
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: url } });
  beforeEach(async () => {
    project = await createProject({ ...USERS_AND_POSTS, 'data/.keep': '' });
  });
  afterEach(() => project.cleanup());

  it('create makes the file (no mode=rwc needed); a second create says it exists and exits 0', async () => {
    const created = await run('database', 'create');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`Created database ${file()}`);
    expect(existsSync(file())).toBe(true);
    const again = await run('database', 'create', '--json');
    expect(again.code).toBe(0);
    expect(jsonOf(again)).toEqual({ action: 'create', database: file(), created: false });
  });

  it('drop without -y and without a terminal is refused (exit 2), and the file stays', async () => {
    await run('database', 'create');
    const refused = await run('database', 'drop');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refusing to drop database');
    expect(refused.stderr).toContain('stdin is not a terminal');
    expect(refused.stderr).toContain('pass -y (--yes)');
    expect(existsSync(file())).toBe(true);
    expect((await run('database', 'reset')).code).toBe(2);
  });

  it('drop -y deletes the file with its -wal and -shm files', async () => {
    await project.write({ 'data/app.db': '', 'data/app.db-wal': 'x', 'data/app.db-shm': 'x' });
    const result = await run('database', 'drop', '-y');
    expect(result.code, result.stderr).toBe(0);
    for (const suffix of ['', '-wal', '-shm']) expect(existsSync(`${file()}${suffix}`)).toBe(false);
    const again = await run('database', 'drop', '--yes');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('does not exist; nothing to drop');
  });

  it("create makes the file's missing directories, as sqlx-cli does", async () => {
    const result = await strata(['--database-url', 'sqlite://data/sub/deeper/app.db', 'database', 'create'], {
      cwd: project.dir,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(project.dir, 'data/sub/deeper/app.db'))).toBe(true);
  });

  it("drop -y after a run also removes strata's lock files beside the database", async () => {
    expect((await run('database', 'setup')).code).toBe(0);
    for (const suffix of ['.strata-lock', '.strata-lock.holder']) expect(existsSync(`${file()}${suffix}`)).toBe(true);
    const result = await run('database', 'drop', '-y');
    expect(result.code, result.stderr).toBe(0);
    expect((await project.list('data')).filter((name) => name.startsWith('app.db'))).toEqual([]);
  });

  it('setup creates the file if missing and runs the migrations; run again it only runs', async () => {
    const result = await run('database', 'setup');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Created database');
    expect(result.stdout).toContain('Applied 2 migrations');
    const again = await run('database', 'setup', '--json');
    expect(again.code).toBe(0);
    expect(jsonOf(again)).toMatchObject({ action: 'setup', created: false, run: { applied: [] } });
  });

  it('reset -y drops, creates and migrates: data is gone, schema is back', async () => {
    expect((await run('database', 'setup')).code).toBe(0);
    await strata(['revert'], { cwd: project.dir, env: { DATABASE_URL: url } });
    const result = await run('database', 'reset', '-y', '--json');
    expect(result.code, result.stderr).toBe(0);
    const json = jsonOf<{ dropped: boolean; created: boolean; run: { applied: { version: string }[] } }>(result);
    expect(json).toMatchObject({ action: 'reset', dropped: true, created: true });
    expect(json.run.applied.map((s) => s.version)).toEqual(['1', '2']);
  });

  it('sqlite::memory: has no file to create or drop (exit 2); an unknown action exits 2', async () => {
    const memory = await strata(['database', 'create'], { cwd: project.dir, env: { DATABASE_URL: 'sqlite::memory:' } });
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain('sqlite::memory: is not a file');
    const unknown = await run('database', 'truncate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown action "truncate"');
    expect((await run('database')).code).toBe(2);
  });

  it('on a terminal, drop asks: "n" keeps the file (exit 1), "y" drops it', async () => {
    await run('database', 'create');
    const declined = await strataInTerminal(['database', 'drop'], { cwd: project.dir, env: { DATABASE_URL: url }, input: 'n\n' });
    expect(declined.output).toContain('[y/N]');
    expect(declined.output).toContain('aborted: did not drop database');
    expect(declined.code).toBe(1);
    expect(existsSync(file())).toBe(true);

    const accepted = await strataInTerminal(['database', 'drop'], { cwd: project.dir, env: { DATABASE_URL: url }, input: 'y\n' });
    expect(accepted.code, accepted.output).toBe(0);
    expect(existsSync(file())).toBe(false);
  });
});

describe('strata database on PostgreSQL', () => {
  let project: Project;
  let name: string;
  let url: string;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: url } });
  const admin = withAdminClient;
  const exists = () => admin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);

  beforeEach(async () => {
    project = await createProject(USERS_AND_POSTS);
    name = `strata_test_clidb_${randomBytes(5).toString('hex')}`;
    const parsed = new URL(pgAdminUrl());
    parsed.pathname = `/${name}`;
    url = parsed.toString();
  });
  afterEach(async () => {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
    await project.cleanup();
  });

  it('create makes the database through the maintenance database; again: exists, exit 0', async () => {
    const result = await run('database', 'create');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Created database ${name} on `);
    expect(await exists()).toBe(true);
    expect(jsonOf(await run('database', 'create', '--json'))).toEqual({ action: 'create', database: name, created: false });
  });

  it('drop needs -y off a terminal; drop -y drops it; a second drop says there is nothing to drop', async () => {
    await run('database', 'create');
    const refused = await run('database', 'drop');
    expect(refused.code).toBe(2);
    expect(await exists()).toBe(true);
    const dropped = await run('database', 'drop', '-y', '--json');
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(jsonOf(dropped)).toEqual({ action: 'drop', database: name, dropped: true });
    expect(await exists()).toBe(false);
    expect((await run('database', 'drop', '-y')).stdout).toContain('does not exist; nothing to drop');
  });

  it('drop refuses while another session is connected (exit 1, hint --force); --force disconnects it', async () => {
    await run('database', 'create');
    const other = new pg.Client({ connectionString: url });
    other.on('error', () => {});
    await other.connect();
    try {
      const refused = await run('database', 'drop', '-y');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('is being accessed by other users');
      expect(refused.stderr).toContain('--force');
      expect(await exists()).toBe(true);
      const forced = await run('database', 'drop', '-y', '--force');
      expect(forced.code, forced.stderr).toBe(0);
      expect(await exists()).toBe(false);
    } finally {
      await other.end().catch(() => {});
    }
  });

  it('setup creates and migrates; reset -y drops, recreates and migrates', async () => {
    const setup = await run('database', 'setup');
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout).toContain('Applied 2 migrations');
    const reset = await run('database', 'reset', '-y');
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain(`Dropped database ${name}`);
    expect(reset.stdout).toContain(`Created database ${name}`);
    expect(reset.stdout).toContain('Applied 2 migrations');
    const info = jsonOf<{ migrations: { state: string }[] }>(await run('info', '--json'));
    expect(info.migrations.map((m) => m.state)).toEqual(['applied', 'applied']);
  });

  it('a URL without a database name is a usage error (exit 2)', async () => {
    const parsed = new URL(pgAdminUrl());
    parsed.pathname = '/';
    const result = await strata(['database', 'create'], { cwd: project.dir, env: { DATABASE_URL: parsed.toString() } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('names no database');
  });

  it('on a terminal, reset asks first and "n" leaves the database alone', async () => {
    await run('database', 'setup');
    const declined = await strataInTerminal(['database', 'reset'], {
      cwd: project.dir,
      env: { DATABASE_URL: url },
      input: 'n\n',
    });
    expect(declined.code).toBe(1);
    expect(declined.output).toContain(`Reset (drop, create and migrate) database ${name}`);
    expect(await exists()).toBe(true);
  });
});
