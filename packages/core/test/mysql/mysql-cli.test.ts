/** `strata` against MariaDB end to end: mysql:// and mariadb:// URLs, database create/drop, run, info, revert. */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mysqlServerUrl, withMysqlAdmin } from '../../../../test-support/mysql.js';
import { createProject, type Project, USERS_AND_POSTS } from '../cli/helpers/project.js';
import { allOutput, jsonOf, strata } from '../cli/helpers/strata.js';

describe('strata on MySQL / MariaDB', () => {
  let project: Project;
  let name: string;
  let url: string;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: url } });

  beforeEach(async () => {
    project = await createProject(USERS_AND_POSTS);
    name = `strata_test_cli_${randomBytes(6).toString('hex')}`;
    const server = new URL(mysqlServerUrl());
    // mariadb:// is read as mysql://, as sqlx-cli reads it.
    server.protocol = 'mariadb:';
    server.pathname = `/${name}`;
    url = server.toString();
  });
  afterEach(async () => {
    await withMysqlAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS \`${name}\``));
    await project.cleanup();
  });

  it('creates the database, runs, shows info, reverts, and drops it', async () => {
    const created = await run('database', 'create');
    expect(created.code, allOutput(created)).toBe(0);
    const applied = await run('run');
    expect(applied.code, allOutput(applied)).toBe(0);
    expect(applied.stdout).toMatch(/Applied 2 migrations/);

    const info = await run('info');
    expect(info.code, allOutput(info)).toBe(0);
    expect(info.stdout).toMatch(/1\s+create users\s+applied/);
    expect(info.stdout).toMatch(/2\s+create posts\s+applied/);

    const reverted = await run('revert');
    expect(reverted.code, allOutput(reverted)).toBe(0);
    const check = await mysql.createConnection({ uri: mysqlServerUrl() });
    try {
      const [rows] = await check.query(`SELECT version FROM \`${name}\`._strata_migrations ORDER BY version`);
      expect((rows as { version: number }[]).map((row) => Number(row.version))).toEqual([1]);
      const [tables] = await check.query(
        'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1',
        [name],
      );
      expect((tables as { t: string }[]).map((row) => row.t).sort()).toEqual(['_strata_migrations', 'users']);
    } finally {
      await check.end();
    }

    const dropped = await run('database', 'drop', '-y');
    expect(dropped.code, allOutput(dropped)).toBe(0);
    const exists = await withMysqlAdmin((admin) =>
      admin.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]),
    );
    expect(exists[0]).toEqual([]);
  });

  it('a refused login fails as CONNECTION_FAILED without printing the password', async () => {
    const server = new URL(mysqlServerUrl());
    server.username = 'strata_no_such_user';
    server.password = 'hunter2-secret';
    server.pathname = `/${name}`;
    url = server.toString();
    const result = await run('info');
    expect(result.code).not.toBe(0);
    expect(allOutput(result)).toMatch(/cannot reach the database|Access denied/);
    expect(allOutput(result)).not.toContain('hunter2-secret');
  });

  it("--statement-timeout is MariaDB's max_statement_time: the slow statement fails its migration, the one before stays (exit 1)", async () => {
    expect((await run('database', 'create')).code).toBe(0);
    await project.cleanup();
    project = await createProject({
      'migrations/0001_create_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n',
      'migrations/0002_slow_backfill.sql': 'INSERT INTO users VALUES (1);\nINSERT INTO users SELECT SLEEP(5) + 2;\n',
    });
    const result = await run('run', '--statement-timeout', '0.3', '--json');
    expect(result.code, allOutput(result)).toBe(1);
    expect(jsonOf(result)).toMatchObject({
      error: { code: 'MIGRATION_FAILED', details: { version: '2', databaseCode: '1969', line: 2 } },
    });
    const [rows] = await withMysqlAdmin((admin) => admin.query(`SELECT version FROM \`${name}\`._strata_migrations`));
    expect((rows as { version: number }[]).map((row) => Number(row.version))).toEqual([1]);
    const [users] = await withMysqlAdmin((admin) => admin.query(`SELECT id FROM \`${name}\`.users`));
    expect(users).toEqual([]);
  });

  it('refuses an unknown URL parameter, as a typo in ssl-mode must not connect in clear text', async () => {
    url = `${url}?ssl-mod=required`;
    const result = await run('info');
    expect(result.code).not.toBe(0);
    expect(allOutput(result)).toContain('unknown parameter "ssl-mod"');
  });
});
