import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pgAdminUrl } from '../../../../test-support/databases.js';
import { type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { allOutput, jsonOf, strata } from './helpers/strata.js';

const ONE = { 'migrations/0001_create_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n' };

describe('where the database URL comes from', () => {
  let project: Project;
  beforeEach(async () => {
    project = await createProject(ONE);
  });
  afterEach(() => project.cleanup());
  const run = (args: string[], env: Record<string, string | undefined> = {}) => strata(args, { cwd: project.dir, env });

  it('with no URL anywhere: exit 2 saying the three places to put one', async () => {
    const result = await run(['run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no database URL: pass --database-url, set DATABASE_URL, or add DATABASE_URL=... to ./.env');
  });

  it('.env in the working directory is read when the environment has no DATABASE_URL', async () => {
    await project.write({ '.env': '# local settings\nexport DATABASE_URL="sqlite://from-dotenv.db?mode=rwc"\nOTHER=1\n' });
    expect((await run(['run'])).code).toBe(0);
    expect(existsSync(join(project.dir, 'from-dotenv.db'))).toBe(true);
  });

  it('DATABASE_URL in the environment wins over .env, and --database-url wins over both', async () => {
    await project.write({ '.env': 'DATABASE_URL=sqlite://from-dotenv.db?mode=rwc\n' });
    expect((await run(['run'], { DATABASE_URL: 'sqlite://from-env.db?mode=rwc' })).code).toBe(0);
    expect(existsSync(join(project.dir, 'from-env.db'))).toBe(true);
    expect(existsSync(join(project.dir, 'from-dotenv.db'))).toBe(false);
    const flagged = await run(['run', '--database-url', 'sqlite://from-flag.db?mode=rwc'], {
      DATABASE_URL: 'sqlite://from-env.db',
    });
    expect(flagged.code).toBe(0);
    expect(existsSync(join(project.dir, 'from-flag.db'))).toBe(true);
  });

  it('an unknown scheme: no driver found for URL scheme "X" (exit 2)', async () => {
    for (const url of ['mongodb://root@localhost/app', 'mssql://sa@db/app']) {
      const result = await run(['run', '--database-url', url]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`no driver found for URL scheme "${url.split(':')[0]}"`);
    }
    expect((await run(['info', '--json', '--database-url', 'oracle://x/y'])).stdout).toContain('"code": "UNKNOWN_SCHEME"');
  });
});

describe('SQLite URLs, as SQLx reads them', () => {
  let project: Project;
  beforeEach(async () => {
    project = await createProject(ONE);
  });
  afterEach(() => project.cleanup());
  const run = (url: string, ...args: string[]) =>
    strata(args.length ? args : ['run'], { cwd: project.dir, env: { DATABASE_URL: url } });

  it('sqlite://app.db is relative to the working directory; without mode=rwc a missing file is an error (exit 1)', async () => {
    const missing = await run('sqlite://app.db');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot open SQLite database ${join(project.dir, 'app.db')}: the file does not exist`);
    expect(missing.stderr).toContain('?mode=rwc');
    expect(existsSync(join(project.dir, 'app.db'))).toBe(false);

    expect((await run('sqlite://app.db?mode=rwc')).code).toBe(0);
    expect(existsSync(join(project.dir, 'app.db'))).toBe(true);
    expect((await run('sqlite://app.db')).stdout).toContain('Nothing pending');
  });

  it('sqlite:app.db is relative too, and sqlite:///abs/path is absolute', async () => {
    expect((await run('sqlite:short.db?mode=rwc')).code).toBe(0);
    expect(existsSync(join(project.dir, 'short.db'))).toBe(true);
    const absolute = join(project.dir, 'abs.db');
    expect((await run(`sqlite://${absolute}?mode=rwc`)).code).toBe(0);
    expect(existsSync(absolute)).toBe(true);
  });

  it('sqlite::memory: works and leaves no file', async () => {
    const result = await run('sqlite::memory:');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Applied 1 migration');
  });

  it('mode=ro opens read-only: reading works, applying fails (exit 1)', async () => {
    expect((await run('sqlite://app.db?mode=rwc', 'database', 'create')).code).toBe(0);
    expect((await run('sqlite://app.db?mode=ro', 'info')).code).toBe(0);
    const write = await run('sqlite://app.db?mode=ro');
    expect(write.code).toBe(1);
    expect(allOutput(write)).toMatch(/readonly|read-only/i);
  });

  it('an unknown mode or an empty path is a usage error (exit 2)', async () => {
    expect((await run('sqlite://app.db?mode=rwx')).code).toBe(2);
    expect((await run('sqlite://')).code).toBe(2);
  });
});

describe('PostgreSQL URLs and passwords', () => {
  let project: Project;
  beforeEach(async () => {
    project = await createProject(ONE);
  });
  afterEach(() => project.cleanup());

  it('never prints a password: not in text errors, not in JSON errors, not with --verbose', async () => {
    const url = 'postgresql://someone:Sup3rS3cret@127.0.0.1:1/app';
    for (const extra of [[], ['--json'], ['--verbose']]) {
      const result = await strata(['run', ...extra], { cwd: project.dir, env: { DATABASE_URL: url } });
      expect(result.code).toBe(1);
      expect(allOutput(result)).not.toContain('Sup3rS3cret');
      expect(allOutput(result)).toContain('CONNECTION_FAILED');
    }
    const text = await strata(['run'], { cwd: project.dir, env: { DATABASE_URL: url } });
    // The README's one rule: the user, and *** where the password was.
    expect(text.stderr).toContain('cannot reach the database at postgres://someone:***@127.0.0.1:1/app');
  });

  it('postgresql:// is the same as postgres://', async () => {
    const db = await testDatabase('postgres', project.dir);
    try {
      const url = db.url.replace(/^postgres:/, 'postgresql:');
      expect(url.startsWith('postgresql://')).toBe(true);
      const result = await strata(['run'], { cwd: project.dir, env: { DATABASE_URL: url } });
      expect(result.code, result.stderr).toBe(0);
      expect(await db.tableExists('users')).toBe(true);
    } finally {
      await db.drop();
    }
  });

  it('a database that does not exist: exit 1 with the hint to create it', async () => {
    const parsed = new URL(pgAdminUrl());
    parsed.pathname = '/strata_test_no_such_database';
    const result = await strata(['run'], { cwd: project.dir, env: { DATABASE_URL: parsed.toString() } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('database "strata_test_no_such_database" does not exist [3D000]');
    expect(result.stderr).toContain('strata database create');
  });
});

describe('--table, --schema and --source', () => {
  let project: Project;
  let db: TestDatabase;
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('--table names the history table (shared with SQLx as _sqlx_migrations)', async () => {
    project = await createProject(ONE);
    db = await testDatabase('sqlite', project.dir);
    const result = await strata(['run', '--table', '_sqlx_migrations'], { cwd: project.dir, env: { DATABASE_URL: db.url } });
    expect(result.code, result.stderr).toBe(0);
    expect(await db.tableExists('_sqlx_migrations')).toBe(true);
    expect(await db.tableExists('_strata_migrations')).toBe(false);
    const info = await strata(['info', '--json', '--table', '_sqlx_migrations'], {
      cwd: project.dir,
      env: { DATABASE_URL: db.url },
    });
    expect(jsonOf<{ migrations: { state: string }[] }>(info).migrations[0]!.state).toBe('applied');
    expect((await strata(['run', '--table', ''], { cwd: project.dir, env: { DATABASE_URL: db.url } })).code).toBe(2);
  });

  it('--schema puts the history table in that PostgreSQL schema; --source reads another directory', async () => {
    project = await createProject({ 'db/schema/0001_create_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n' });
    db = await testDatabase('postgres', project.dir);
    const result = await strata(['run', '--schema', 'bookkeeping', '--source', 'db/schema'], {
      cwd: project.dir,
      env: { DATABASE_URL: db.url },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(await db.tableExists('bookkeeping._strata_migrations')).toBe(true);
    expect(await db.tableExists('public._strata_migrations')).toBe(false);
  });
});
