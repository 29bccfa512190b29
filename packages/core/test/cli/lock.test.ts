import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { advisoryLockKey } from '../../src/lock/advisory/lock-key.js';
import { type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata, strataInTerminal } from './helpers/strata.js';

const ONE = { 'migrations/0001_create_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n' };

describe('--lock-timeout on PostgreSQL, with the lock held elsewhere', () => {
  let project: Project;
  let db: TestDatabase;
  let holder: pg.Client;
  const run = (args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });

  beforeEach(async () => {
    project = await createProject(ONE);
    db = await testDatabase('postgres', project.dir);
    holder = new pg.Client({ connectionString: db.url, application_name: 'holder-under-test' });
    await holder.connect();
    const name = new URL(db.url).pathname.slice(1);
    await holder.query('SELECT pg_advisory_lock($1)', [String(advisoryLockKey(name))]);
  });
  afterEach(async () => {
    await holder.end().catch(() => {});
    await db.drop();
    await project.cleanup();
  });

  it('gives up after the timeout (exit 1), naming the holder while waiting and in the error', async () => {
    const started = Date.now();
    const result = await run(['run', '--lock-timeout', '1']);
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.stdout).toMatch(/waiting for the migration lock \(.* so far\), held by pid \d+ "holder-under-test"/);
    expect(result.stderr).toMatch(
      /error\[LOCK_TIMEOUT\]: gave up waiting for the migration lock after \d+ ms: it is held by pid \d+ "holder-under-test"/,
    );
    // The queries to see the holder and to end it, with its pid filled in.
    const pid = /held by pid (\d+)/.exec(result.stderr)?.[1];
    expect(result.stderr).toContain(
      `see it: SELECT pid, application_name, client_addr, state, query_start, query FROM pg_stat_activity WHERE pid = ${pid};`,
    );
    expect(result.stderr).toContain(`end it (if it is stuck): SELECT pg_terminate_backend(${pid});`);
    expect(await db.tableExists('users')).toBe(false);
  });

  it('the holder is named by host and pid: strata <host>:<pid> on its own connections', async () => {
    await holder.end();
    await project.write({ 'migrations/0001_create_users.sql': 'SELECT pg_sleep(30);\n' });
    const running = run(['run']);
    let names: string[] = [];
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && names.length === 0) {
      names = (
        await db.query<{ application_name: string }>(
          "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
        )
      ).map((row) => row.application_name);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(new RegExp(`^strata ${hostname().slice(0, 40)}\\S*:\\d+$`));
    await db.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
    );
    await running;
  });

  it('proceeds once the holder lets go, saying how long it waited', async () => {
    const running = run(['run', '--lock-timeout', '20']);
    // Let go only once the CLI is seen polling for the lock, however slowly it started.
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const { rows } = await holder.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'strata %' AND query LIKE '%pg_try_advisory_lock%'",
      );
      if (rows.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    await holder.end();
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/acquired the migration lock after \d/);
    expect(result.stdout).toContain('Applied 1 migration');
  });

  it('on a terminal the wait is a live line naming the holder, with a ticking time', async () => {
    const result = await strataInTerminal(['run', '--lock-timeout', '1'], { cwd: project.dir, env: { DATABASE_URL: db.url } });
    expect(result.code).toBe(1);
    const frames = result.output.split('\r\u001b[2K').filter((f) => f.includes('waiting for the migration lock, held by pid'));
    expect(frames.length).toBeGreaterThan(3);
    expect(frames.at(-1)).toContain('"holder-under-test"');
  });

  it('--lock-timeout must be a number of seconds >= 0 (exit 2)', async () => {
    for (const value of ['soon', '-1', '']) {
      const result = await run(['run', `--lock-timeout=${value}`]);
      expect(result.code, value).toBe(2);
      expect(result.stderr).toContain('--lock-timeout takes a number of seconds');
    }
  });
});

describe('--lock-timeout on SQLite, with a write transaction held elsewhere', () => {
  let project: Project;
  let db: TestDatabase;
  let holder: Database.Database;

  beforeEach(async () => {
    project = await createProject(ONE);
    db = await testDatabase('sqlite', project.dir);
    expect((await strata(['database', 'create'], { cwd: project.dir, env: { DATABASE_URL: db.url } })).code).toBe(0);
    holder = new Database(`${project.dir}/app.db`);
    holder.exec('BEGIN IMMEDIATE');
  });
  afterEach(async () => {
    if (holder.open) holder.close();
    await project.cleanup();
  });

  it('gives up after the timeout with LOCK_TIMEOUT (exit 1) and applies nothing', async () => {
    const result = await strata(['run', '--lock-timeout', '0.5', '--json'], { cwd: project.dir, env: { DATABASE_URL: db.url } });
    expect(result.code).toBe(1);
    expect(jsonOf(result)).toMatchObject({ error: { code: 'LOCK_TIMEOUT', exitCode: 1 } });
    holder.exec('ROLLBACK');
    expect(await db.tableExists('users')).toBe(false);
  });
});

describe('--lock lease on PostgreSQL', () => {
  let project: Project;
  let db: TestDatabase;
  const run = (args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });

  beforeEach(async () => {
    project = await createProject(ONE);
    db = await testDatabase('postgres', project.dir);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('runs under the lease even while the advisory lock is held elsewhere, and leaves the lease free', async () => {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [String(advisoryLockKey(new URL(db.url).pathname.slice(1)))]);
      const result = await run(['run', '--lock', 'lease', '--lock-timeout', '5']);
      expect(result.code, result.stderr).toBe(0);
      expect(await db.tableExists('users')).toBe(true);
      expect((await holder.query('SELECT count(*)::int AS n FROM _strata_migrations_lease')).rows[0]?.n).toBe(0);
      expect((await holder.query('SELECT count(*)::int AS n FROM _strata_migrations WHERE success')).rows[0]?.n).toBe(1);
    } finally {
      await holder.end();
    }
  });

  it('refuses a lock kind it does not know (exit 2), before connecting', async () => {
    const result = await run(['run', '--lock', 'row']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--lock takes advisory or lease');
    expect(await db.tableExists('_strata_migrations')).toBe(false);
  });
});
