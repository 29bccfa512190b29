/**
 * One PostgreSQL connection for a whole `strata run` (issue 21): every connection is a backend the
 * server forks, and a first run used to fork three (the history reads that found no table each
 * destroyed theirs). Counted by the server itself: pg_stat_database.sessions (PostgreSQL 14+),
 * read from another database so the count holds only the CLI's sessions.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { strata } from './helpers/strata.js';

describe('strata run on PostgreSQL', () => {
  let project: Project;
  let db: TestDatabase;
  let admin: pg.Client;
  let name: string;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });

  beforeEach(async () => {
    project = await createProject(USERS_AND_POSTS);
    db = await testDatabase('postgres', project.dir);
    const url = new URL(db.url);
    name = decodeURIComponent(url.pathname.slice(1));
    url.pathname = '/postgres';
    admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
  });
  afterEach(async () => {
    await admin.end();
    await db.drop();
    await project.cleanup();
  });

  /** Sessions the server counted on the database once none is left on it (a backend reports when it exits). */
  async function sessionsWhenIdle(): Promise<number> {
    for (let i = 0; i < 100; i++) {
      const { rows } = await admin.query(
        `SELECT (SELECT count(*)::int FROM pg_stat_activity WHERE datname = $1) AS open,
                (SELECT sessions::int FROM pg_stat_database WHERE datname = $1) AS sessions`,
        [name],
      );
      if (rows[0].open === 0) return rows[0].sessions;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`sessions still open on ${name}`);
  }

  it('opens one connection to apply onto a fresh database, and one for a no-op', async () => {
    const before = await sessionsWhenIdle();
    const first = await run('run');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Applied 2 migrations');
    const afterFirst = await sessionsWhenIdle();
    expect(afterFirst - before).toBe(1);

    const again = await run('run');
    expect(again.stdout).toContain('Nothing pending');
    expect((await sessionsWhenIdle()) - afterFirst).toBe(1);
  });

  it('a server that refuses the connection is reported once, as the engine words it', async () => {
    const result = await strata(['run'], {
      cwd: project.dir,
      env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error\[CONNECTION_FAILED\]: cannot reach the database at postgres:\/\/postgres@127\.0\.0\.1:1\/nowhere/m,
    );
  });
});
