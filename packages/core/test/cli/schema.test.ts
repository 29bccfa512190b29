import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

const MIGRATIONS = {
  'migrations/0001_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n',
  'migrations/0002_posts.sql':
    'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT);\n',
};

describe.each(KINDS)('strata schema dump and validate --drift on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url }, timeoutMs: 60_000 });
  beforeEach(async () => {
    project = await createProject(MIGRATIONS);
    db = await testDatabase(kind, project.dir);
    expect((await run('run')).code).toBe(0);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('--check passes on a fresh file and fails on a stale one with the command that fixes it', async () => {
    const written = await run('schema', 'dump', '--out', 'db/schema.sql');
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain('Wrote db/schema.sql (2 tables');
    const text = await project.read('db/schema.sql');
    expect(text).toContain('CREATE TABLE users (');
    expect(text).not.toContain('_strata_migrations');
    expect((await run('schema', 'dump')).stdout).toBe(text);

    const fresh = await run('schema', 'dump', '--out', 'db/schema.sql', '--check');
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('db/schema.sql is up to date');

    await project.write({ 'migrations/0003_tags.sql': 'CREATE TABLE tags (name TEXT PRIMARY KEY);\n' });
    expect((await run('run')).code).toBe(0);
    const stale = await run('schema', 'dump', '--out', 'db/schema.sql', '--check');
    expect(stale.code).toBe(1);
    expect(stale.stdout.trim()).toBe('✗ db/schema.sql is stale: run `strata schema dump --out db/schema.sql` and commit it.');
    expect(await project.read('db/schema.sql')).toBe(text);
    expect(jsonOf(await run('schema', 'dump', '--out', 'db/schema.sql', '--check', '--json'))).toEqual({
      file: 'db/schema.sql',
      format: 'json',
      fresh: false,
      exists: true,
    });
  });

  it('--from-migrations dumps what the migrations make, from the directory or from an embedded module', async () => {
    const live = (await run('schema', 'dump')).stdout;
    const fromDirectory = await run('schema', 'dump', '--from-migrations');
    expect(fromDirectory.code, fromDirectory.stderr).toBe(0);
    expect(fromDirectory.stdout).toBe(live);

    expect((await run('embed', '--out', 'embedded.mjs')).code).toBe(0);
    const fromModule = await run('schema', 'dump', '--from-migrations', '--source', 'embedded.mjs', '--out', 'schema.sql');
    expect(fromModule.code, fromModule.stderr).toBe(0);
    expect(await project.read('schema.sql')).toBe(live);
    // A hand-made change is in the live dump, not in the one from the migrations.
    await db.query('CREATE TABLE hand_made (id INTEGER)');
    const check = await run('schema', 'dump', '--from-migrations', '--source', 'embedded.mjs', '--out', 'schema.sql', '--check');
    expect(check.code).toBe(0);
    expect((await run('schema', 'dump', '--out', 'schema.sql', '--check')).code).toBe(1);
  });

  it('--format mermaid draws an ER diagram: entities with key columns marked, foreign keys as relations', async () => {
    const result = await run('schema', 'dump', '--format', 'mermaid');
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('erDiagram');
    expect(lines).toContain('  users {');
    expect(lines).toContain('  posts {');
    expect(lines.some((line) => /^ {4}\w+ id PK$/.test(line))).toBe(true);
    expect(lines.some((line) => /^ {4}\w+ user_id FK$/.test(line))).toBe(true);
    expect(lines.some((line) => /^ {4}\w+ email UK$/.test(line))).toBe(true);
    expect(lines.at(-1)).toMatch(/^ {2}users \|\|--o\{ posts : "(posts_user_id_fkey|user_id)"$/);
  });

  it('--json prints the model; --include-history keeps the history table', async () => {
    const model = jsonOf<{ dialect: string; tables: { name: string }[] }>(await run('schema', 'dump', '--json'));
    expect(model.dialect).toBe(kind);
    expect(model.tables.map((t) => t.name)).toEqual(['posts', 'users']);
    const withHistory = jsonOf<{ tables: { name: string }[] }>(await run('schema', 'dump', '--json', '--include-history'));
    expect(withHistory.tables.map((t) => t.name)).toContain('_strata_migrations');
  });

  it('validate --drift: nothing without a hand-made change, the change and exit 1 with one', async () => {
    const clean = await run('validate', '--drift');
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);

    await db.query('ALTER TABLE posts ADD COLUMN body TEXT');
    const drifted = await run('validate', '--drift');
    expect(drifted.code).toBe(1);
    const schema = kind === 'postgres' ? 'public' : 'main';
    expect(drifted.stdout).toContain(
      `✗ schema drift: table ${schema}.posts differs from what the migrations make (migrations up to 2): columns[body]: extra`,
    );
    const json = jsonOf<{ valid: boolean; problems: { code: string }[] }>(await run('validate', '--drift', '--json'));
    expect(json.valid).toBe(false);
    expect(json.problems.map((p) => p.code)).toEqual(['SCHEMA_DRIFT']);
  });

  it('refuses what cannot work: --check without --out, an unknown format or action', async () => {
    expect((await run('schema', 'dump', '--check')).code).toBe(2);
    expect((await run('schema', 'dump', '--format', 'yaml')).stderr).toContain('unknown --format "yaml"');
    expect((await run('schema', 'show')).code).toBe(2);
  });
});
