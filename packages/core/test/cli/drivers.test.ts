import { existsSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type Project } from './helpers/project.js';
import { strata } from './helpers/strata.js';

const DIST = fileURLToPath(new URL('../../dist', import.meta.url));

/**
 * The honest way to have no driver installed: a copy of the built package in a temp directory,
 * with no node_modules anywhere above it, run from a project directory that has none either.
 */
describe('a known scheme whose driver package is not installed', () => {
  let project: Project;
  let main: string;

  beforeAll(async () => {
    project = await createProject({ 'app/migrations/0001_a.sql': 'SELECT 1;\n' });
    for (let dir = project.dir; dir !== parse(dir).root; dir = dirname(dir)) {
      if (existsSync(join(dir, 'node_modules')))
        throw new Error(`${dir}/node_modules exists, so this test cannot prove a driver is missing`);
    }
    await cp(DIST, join(project.dir, 'pkg/dist'), { recursive: true });
    await writeFile(
      join(project.dir, 'pkg/package.json'),
      JSON.stringify({ name: '@strata/core', version: '0.0.0-test', type: 'module' }),
    );
    main = join(project.dir, 'pkg/dist/cli/main.js');
  });
  afterAll(() => project.cleanup());

  const run = (args: string[], url?: string) =>
    strata(args, { cwd: join(project.dir, 'app'), main, env: url ? { DATABASE_URL: url } : {} });

  it('SQLite: exit 2 with the exact npm install command', async () => {
    const result = await run(['run'], 'sqlite://app.db?mode=rwc');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'the SQLite driver "better-sqlite3" is not installed; install it with: npm install better-sqlite3',
    );
    expect(existsSync(join(project.dir, 'app/app.db'))).toBe(false);
  });

  it('PostgreSQL: exit 2 with the exact npm install command', async () => {
    for (const url of ['postgres://u@localhost/db', 'postgresql://u@localhost/db']) {
      const result = await run(['info'], url);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('the PostgreSQL driver "pg" is not installed; install it with: npm install pg');
    }
  });

  it('commands that need no database still work without any driver', async () => {
    expect((await run(['--version'])).stdout.trim()).toBe('strata 0.0.0-test');
    expect((await run(['validate'])).code).toBe(0);
    const added = await run(['add', 'second']);
    expect(added.code, added.stderr).toBe(0);
  });
});
