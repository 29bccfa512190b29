/**
 * Issue 8, security: "`strata database drop/reset` never run without confirmation." Off a terminal
 * (CI, a pipe, a script) the only confirmation is -y: a "y" piped into stdin is not one, nor is
 * --force or --json. Each refusal must leave the database exactly as it was: it still exists, its
 * data and history are intact, and (PostgreSQL) a session connected to it was not disconnected.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, pgAdminUrl } from '../../../../test-support/databases.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { allOutput, jsonOf, strata } from './helpers/strata.js';

/** Every way of asking for a drop or reset without -y, with what stdin carries. */
const UNCONFIRMED: { args: string[]; input?: string }[] = [
  { args: ['database', 'drop'] },
  { args: ['database', 'drop'], input: 'y\n' },
  { args: ['database', 'drop', '--force'], input: 'yes\n' },
  { args: ['database', 'drop', '--json'] },
  { args: ['database', 'reset'] },
  { args: ['database', 'reset'], input: 'y\n' },
  { args: ['database', 'reset', '--force', '--verbose'], input: 'YES\n' },
  { args: ['database', 'reset', '--json'], input: 'y\n' },
];

function expectRefused(args: string[], result: Awaited<ReturnType<typeof strata>>): void {
  const label = `strata ${args.join(' ')}\n${allOutput(result)}`;
  expect(result.code, label).toBe(2);
  expect(result.stderr, label).toContain('stdin is not a terminal');
  expect(result.stderr, label).toContain('pass -y (--yes)');
  if (args.includes('--json')) {
    expect(jsonOf<{ error: { code: string } }>(result).error.code).toBe('CONFIRMATION_REQUIRED');
  }
}

let project: Project;
beforeEach(async () => {
  project = await createProject(USERS_AND_POSTS);
});
afterEach(async () => {
  await project.cleanup();
});

describe('strata database drop and reset without -y, stdin not a terminal', () => {
  it('PostgreSQL: refused every way; the database, its rows, its history and a connected session survive', async () => {
    const database = await createPostgresDatabase('cli_confirm');
    const session = new pg.Client({ connectionString: database.url, application_name: 'confirm-witness' });
    session.on('error', () => {});
    try {
      const setup = await strata(['run'], { cwd: project.dir, env: { DATABASE_URL: database.url } });
      expect(setup.code, allOutput(setup)).toBe(0);
      await session.connect();
      await session.query("INSERT INTO users (id, name) VALUES (1, 'kept')");
      const pid = (await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

      for (const { args, input } of UNCONFIRMED) {
        const result = await strata(args, {
          cwd: project.dir,
          env: { DATABASE_URL: database.url },
          ...(input !== undefined ? { input } : {}),
        });
        expectRefused(args, result);
      }

      // Still the same backend: --force did not terminate anyone.
      expect((await session.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid).toBe(pid);
      expect((await session.query('SELECT id, name FROM users')).rows).toEqual([{ id: 1, name: 'kept' }]);
      const history = await session.query('SELECT version::text AS v FROM _strata_migrations ORDER BY 1');
      expect(history.rows).toEqual([{ v: '1' }, { v: '2' }]);
      const admin = new pg.Client({ connectionString: pgAdminUrl() });
      await admin.connect();
      try {
        const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database.name]);
        expect(rowCount).toBe(1);
      } finally {
        await admin.end();
      }
    } finally {
      await session.end().catch(() => {});
      await database.drop();
    }
  });

  it('SQLite: refused every way; the file, its rows and its history survive', async () => {
    const url = 'sqlite://app.db?mode=rwc';
    const file = join(project.dir, 'app.db');
    const setup = await strata(['run'], { cwd: project.dir, env: { DATABASE_URL: url } });
    expect(setup.code, allOutput(setup)).toBe(0);
    const db = new Database(file);
    db.prepare("INSERT INTO users (id, name) VALUES (1, 'kept')").run();
    db.close();

    for (const { args, input } of UNCONFIRMED) {
      const result = await strata(args, {
        cwd: project.dir,
        env: { DATABASE_URL: url },
        ...(input !== undefined ? { input } : {}),
      });
      expectRefused(args, result);
      expect(existsSync(file), `strata ${args.join(' ')} removed the file`).toBe(true);
    }

    const after = new Database(file, { readonly: true });
    try {
      expect(after.prepare('SELECT id, name FROM users').all()).toEqual([{ id: 1, name: 'kept' }]);
      expect(after.prepare('SELECT CAST(version AS TEXT) AS v FROM _strata_migrations ORDER BY version').pluck().all()).toEqual([
        '1',
        '2',
      ]);
    } finally {
      after.close();
    }
  });
});
