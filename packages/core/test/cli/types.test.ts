import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../../test-support/databases.js';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { strata } from './helpers/strata.js';

// Each test runs the CLI a dozen times, a fresh Node process each: slow on a loaded 2-core machine.
const SLOW = 240_000;

const TAGS = {
  'migrations/0003_create_tags.up.sql': 'CREATE TABLE tags (name TEXT PRIMARY KEY, uses INTEGER NOT NULL DEFAULT 0);\n',
  'migrations/0003_create_tags.down.sql': 'DROP TABLE tags;\n',
};

describe.each(KINDS)('strata types on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url }, timeoutMs: 150_000 });
  beforeEach(async () => {
    project = await createProject(USERS_AND_POSTS);
    db = await testDatabase(kind, project.dir);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  }, SLOW);

  it(
    'writes the types, and --check passes on a fresh file and fails on a stale one with the command that fixes it',
    async () => {
      expect((await run('run')).code).toBe(0);
      const written = await run('types', '--out', 'src/db.ts');
      expect(written.code, written.stderr).toBe(0);
      expect(written.stdout).toContain('Wrote src/db.ts (2 tables');
      const text = await project.read('src/db.ts');
      expect(text).toContain('export interface Users {');
      // SQLite's INTEGER PRIMARY KEY is numbered when left out (Generated); PostgreSQL's plain integer key is not.
      expect(text).toContain(kind === 'sqlite' ? '  posts: PostsTable;' : '  posts: Posts;');
      expect(text).not.toContain('_strata_migrations');
      expect((await run('types')).stdout).toBe(text);
      expect((await run('types', '--out', 'src/db.ts', '--check')).code).toBe(0);
      expect((await run('types', '--from-migrations', '--out', 'src/db.ts', '--check')).code).toBe(0);

      await project.write(TAGS);
      expect((await run('run')).code).toBe(0);
      const stale = await run('types', '--out', 'src/db.ts', '--check');
      expect(stale.code).toBe(1);
      expect(stale.stdout.trim()).toBe('✗ src/db.ts is stale: run `strata types --out src/db.ts` and commit it.');
      expect(await project.read('src/db.ts')).toBe(text);
      const missing = await run('types', '--override', 'users.name=Name', '--out', 'other.ts', '--check');
      expect(missing.stdout.trim()).toBe(
        '✗ other.ts does not exist: run `strata types --override users.name=Name --out other.ts` and commit it.',
      );
    },
    SLOW,
  );

  it(
    'run, revert and redo rewrite the files package.json names; --types and --dump-schema name others',
    async () => {
      await project.write({
        'package.json': JSON.stringify({
          strata: { schemaDump: { out: 'db/schema.sql' }, types: { out: 'src/db.ts', overrides: { 'users.name': 'Name' } } },
        }),
        ...TAGS,
      });
      const ran = await run('run');
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stdout).toContain('Wrote db/schema.sql.');
      expect(ran.stdout).toContain('Wrote src/db.ts.');
      expect(await project.read('src/db.ts')).toContain('  name: Name;');
      expect(await project.read('src/db.ts')).toContain('export interface Tags {');
      expect(await project.read('db/schema.sql')).toBe((await run('schema', 'dump')).stdout);
      // CI's check reads the same settings: fresh now.
      expect((await run('types', '--check')).code).toBe(0);
      expect((await run('schema', 'dump', '--check')).code).toBe(0);

      const reverted = await run('revert');
      expect(reverted.code, reverted.stderr).toBe(0);
      expect(await project.read('src/db.ts')).not.toContain('Tags');
      expect(await project.read('db/schema.sql')).not.toContain('tags');
      expect((await run('types', '--check')).code).toBe(0);

      // Nothing applied, nothing rewritten; a dry run neither.
      await project.write({ 'src/db.ts': 'edited by hand\n' });
      expect((await run('revert', '--dry-run')).code).toBe(0);
      expect(await project.read('src/db.ts')).toBe('edited by hand\n');
      expect((await run('redo')).code).toBe(0);
      expect(await project.read('src/db.ts')).toContain('export interface Posts {');

      const flagged = await run('run', '--types', 'gen/types.ts', '--dump-schema', 'gen/schema.json');
      expect(flagged.code, flagged.stderr).toBe(0);
      expect(await project.read('gen/types.ts')).toContain('export interface Tags {');
      expect(JSON.parse(await project.read('gen/schema.json')).tables.map((t: { name: string }) => t.name)).toContain('tags');
    },
    SLOW,
  );

  it(
    'overrides from package.json and --override; a column override naming no column is refused before migrating',
    async () => {
      await project.write({
        'package.json': JSON.stringify({ strata: { types: { overrides: { text: 'Text' }, imports: ['type Text = string;'] } } }),
      });
      expect((await run('run')).code).toBe(0);
      const typed = await run('types', '--override', 'posts.title=Lowercase<string>', '--override', 'text=Varchar');
      expect(typed.code, typed.stderr).toBe(0);
      expect(typed.stdout).toMatch(/^\/\/ Generated by strata types/);
      expect(typed.stdout).toContain('type Text = string;');
      expect(typed.stdout).toContain('  title: Lowercase<string>;');
      expect(typed.stdout).toMatch(/ {2}name: Varchar;/);

      const bad = await run('types', '--override', 'posts.nope=string');
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('type override for posts.nope: no such column');
      const malformed = await run('run', '--types', 'x.ts');
      expect(malformed.code).toBe(0);
      await project.write({ 'package.json': JSON.stringify({ strata: { types: { out: 'x.ts', safeIntegers: 'yes' } } }) });
      const refused = await run('revert');
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('package.json strata.types.safeIntegers must be true or false');
      expect(await db.appliedVersions()).toEqual(['1', '2']);
    },
    SLOW,
  );
});

describe("sqlx-ts's settings: .sqlxrc.json and DB_* variables", () => {
  let project: Project;
  let created: { url: string; drop(): Promise<void> };
  beforeEach(async () => {
    project = await createProject({ 'migrations/0001_users.sql': 'CREATE TABLE users (id int PRIMARY KEY);\n' });
    created = await createPostgresDatabase('sqlxts');
  });
  afterEach(async () => {
    await created.drop();
    await project.cleanup();
  });
  const parts = () => {
    const url = new URL(created.url);
    return {
      DB_TYPE: 'postgres',
      DB_HOST: url.hostname,
      DB_PORT: url.port || '5432',
      DB_USER: decodeURIComponent(url.username),
      DB_PASS: decodeURIComponent(url.password),
      DB_NAME: url.pathname.slice(1),
    };
  };
  const run = (args: string[], env: Record<string, string | undefined> = {}) =>
    strata(args, {
      cwd: project.dir,
      env: { DB_TYPE: undefined, DB_URL: undefined, DB_NAME: undefined, ...env },
      timeoutMs: 60_000,
    });

  it(
    'connects with .sqlxrc.json connections.default, PG_SEARCH_PATH included; DB_* variables win key by key',
    async () => {
      const { DB_NAME, ...rest } = parts();
      await project.write({
        '.sqlxrc.json': JSON.stringify({
          connections: { default: { ...rest, DB_NAME: 'no_such_database', PG_SEARCH_PATH: 'app' } },
        }),
      });
      const client = new pg.Client({ connectionString: created.url });
      await client.connect();
      try {
        await client.query('CREATE SCHEMA app');
        // The file names a missing database: the variable corrects it.
        const wrong = await run(['run']);
        expect(wrong.code).not.toBe(0);
        expect(wrong.stderr).toContain('no_such_database');
        const ran = await run(['run'], { DB_NAME });
        expect(ran.code, ran.stderr).toBe(0);
        // PG_SEARCH_PATH reached the server: the migration's table landed in schema app.
        const { rows } = await client.query("SELECT to_regclass('app.users') AS app, to_regclass('public.users') AS public");
        expect(rows[0]).toEqual({ app: 'app.users', public: null });
      } finally {
        await client.end();
      }
    },
    SLOW,
  );

  it(
    'flags, DATABASE_URL and .env win over sqlx-ts settings; DB_* variables alone suffice with DB_TYPE',
    async () => {
      await project.write({ '.sqlxrc.json': JSON.stringify({ connections: { default: parts() } }) });
      const viaEnv = await run(['run'], { DATABASE_URL: 'sqlite://env.db?mode=rwc' });
      expect(viaEnv.code, viaEnv.stderr).toBe(0);
      expect(existsSync(join(project.dir, 'env.db'))).toBe(true);
      await project.write({ '.env': 'DATABASE_URL=sqlite://dotenv.db?mode=rwc\n' });
      expect((await run(['run'])).code).toBe(0);
      expect(existsSync(join(project.dir, 'dotenv.db'))).toBe(true);
      await project.write({ '.env': '# none\n', '.sqlxrc.json': '{}' });
      const viaVariables = await run(['run'], parts());
      expect(viaVariables.code, viaVariables.stderr).toBe(0);
      expect(viaVariables.stdout).toContain('Applied 1 migration');
      // Without DB_TYPE (or DB_URL), an app's own DB_HOST is not taken for a connection.
      const { DB_TYPE: _type, ...noType } = parts();
      const ignored = await run(['info'], noType);
      expect(ignored.code).toBe(2);
      expect(ignored.stderr).toContain('no database URL');
    },
    SLOW,
  );
});
