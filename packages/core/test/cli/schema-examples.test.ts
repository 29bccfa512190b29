import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_CASES, exampleMigrations } from '../schema/example-apps.js';
import { type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { strata } from './helpers/strata.js';

/** The example's migrations folder as project files (`migrations/...`), Diesel's folders too. */
async function migrationFiles(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[`migrations/${relative(dir, path).split('\\').join('/')}`] = await readFile(path, 'utf8');
  }
  return files;
}

describe.each(EXAMPLE_CASES)('the CLI on the %s example migrations (%s)', (example, kind) => {
  let project: Project | undefined;
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    await project?.cleanup();
  });

  it('schema dump and types --check pass on fresh files and fail on stale ones; validate --drift sees a hand-made ALTER TABLE', async () => {
    const files = await migrationFiles(exampleMigrations(example));
    const diesel = Object.keys(files).some((path) => path.endsWith('/up.sql'));
    // validate lints too: bundled, a SQLite app, has a plain CREATE INDEX that the PostgreSQL rules flag, which is
    // not what this test is about.
    const lintOff = { strata: { lint: { rules: { 'create-index-not-concurrently': 'off' } } } };
    project = await createProject({ ...files, 'package.json': `${JSON.stringify(lintOff)}\n` });
    db = await testDatabase(kind, project.dir);
    const url = db.url;
    const run = (...args: string[]) => strata(args, { cwd: project!.dir, env: { DATABASE_URL: url }, timeoutMs: 120_000 });
    const migrated = await run('run');
    expect(migrated.code, migrated.stderr).toBe(0);
    for (const command of [
      ['schema', 'dump', '--from-migrations', '--out', 'db/schema.sql'],
      ['types', '--from-migrations', '--out', 'src/db.ts'],
    ]) {
      const written = await run(...command);
      expect(written.code, written.stderr).toBe(0);
      expect((await run(...command, '--check')).code).toBe(0);
    }
    expect(await project.read('db/schema.sql')).toContain('CREATE TABLE users (');
    expect(await project.read('src/db.ts')).toContain('export interface Users {');
    const clean = await run('validate', '--drift');
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);

    await db.query('ALTER TABLE users ADD COLUMN nickname TEXT');
    const drifted = await run('validate', '--drift');
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain(`table ${kind === 'postgres' ? 'public' : 'main'}.users differs`);
    expect(drifted.stdout).toContain('columns[nickname]: extra');

    // A new migration makes both committed files stale.
    // In the directory's own style (every example's migrations are reversible).
    const [up, down] = diesel
      ? ['migrations/2999-01-01-000001_nickname/up.sql', 'migrations/2999-01-01-000001_nickname/down.sql']
      : ['migrations/29990101000001_nickname.up.sql', 'migrations/29990101000001_nickname.down.sql'];
    await project.write({
      [up]: 'ALTER TABLE users ADD COLUMN nickname TEXT;\n',
      [down]: 'ALTER TABLE users DROP COLUMN nickname;\n',
    });
    const stale = await run('schema', 'dump', '--from-migrations', '--out', 'db/schema.sql', '--check');
    expect(stale.code, stale.stdout + stale.stderr).toBe(1);
    expect(stale.stdout, stale.stderr).toContain('db/schema.sql is stale');
    const staleTypes = await run('types', '--from-migrations', '--out', 'src/db.ts', '--check');
    expect(staleTypes.code).toBe(1);
    expect(staleTypes.stdout).toContain('src/db.ts is stale');
  });
});
