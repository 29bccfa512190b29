import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnNode } from '../../../../test-support/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

const CORE = fileURLToPath(new URL('../..', import.meta.url));
const ONE = { 'db/migrations/0001_create_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n' };

/** A project that installed @strata/core, as `npm install @strata/core` leaves it. */
async function installedProject(files: Record<string, string>): Promise<Project> {
  const project = await createProject({ 'package.json': '{ "type": "module" }\n', 'src/keep': '', ...files });
  await mkdir(join(project.dir, 'node_modules/@strata'), { recursive: true });
  await symlink(CORE, join(project.dir, 'node_modules/@strata/core'));
  return project;
}

type InfoJson = { migrations: { state: string }[] };

const tables = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
      (r) => r.name,
    );
  } finally {
    db.close();
  }
};

describe('strata.config and sqlx.toml', () => {
  let project: Project;
  afterEach(() => project.cleanup());

  describe('strata.config.mjs with defineConfig', () => {
    beforeEach(async () => {
      project = await installedProject({
        ...ONE,
        'strata.config.mjs': [
          "import { defineConfig } from '@strata/core';",
          '',
          'export default defineConfig({',
          "  migrations: 'db/migrations',",
          "  table: 'schema_history',",
          "  databaseUrl: 'sqlite://app.db?mode=rwc',",
          '});',
          '',
        ].join('\n'),
      });
    });

    it('every command reads it, from any directory of the project; its paths are relative to the file', async () => {
      const sub = join(project.dir, 'src');
      const added = await strata(['migrate', 'add', 'create_posts'], { cwd: sub });
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toMatch(/^created \.\.\/db\/migrations\/\d{4}_create_posts\.sql$/m);
      const run = await strata(['run'], { cwd: sub });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('Applied 2 migrations');
      expect(tables(join(project.dir, 'app.db'))).toEqual(['schema_history', 'users']);
      expect(existsSync(join(sub, 'app.db'))).toBe(false);
    });

    it('flags win over the environment, which wins over the file', async () => {
      const env = await strata(['run'], { cwd: project.dir, env: { DATABASE_URL: 'sqlite://from-env.db?mode=rwc' } });
      expect(env.code, env.stderr).toBe(0);
      expect(tables(join(project.dir, 'from-env.db'))).toEqual(['schema_history', 'users']);
      expect(existsSync(join(project.dir, 'app.db'))).toBe(false);
      const flags = await strata(['run', '--table', 'flag_history', '--database-url', 'sqlite://from-flag.db?mode=rwc'], {
        cwd: project.dir,
        env: { DATABASE_URL: 'sqlite://from-env.db' },
      });
      expect(flags.code, flags.stderr).toBe(0);
      expect(tables(join(project.dir, 'from-flag.db'))).toEqual(['flag_history', 'users']);
    });

    it('the library reads it when asked: new Migrator({ db, ...(await loadConfig()) })', async () => {
      await project.write({
        'migrate.mjs': [
          "import { createRequire } from 'node:module';",
          "import { loadConfig, Migrator } from '@strata/core';",
          `const Database = createRequire(${JSON.stringify(join(CORE, 'package.json'))})('better-sqlite3');`,
          "const db = new Database('lib.db');",
          'const report = await new Migrator({ db, ...(await loadConfig()) }).run();',
          "console.log(report.applied.map((step) => String(step.version)).join(','));",
          "console.log(db.prepare('SELECT count(*) AS n FROM schema_history').get().n);",
        ].join('\n'),
      });
      const result = await spawnNode(['migrate.mjs'], { cwd: project.dir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toBe('1\n1\n');
    });
  });

  it('strata.config.json: a key strata does not take is refused (exit 2) naming it; --config reads another file', async () => {
    project = await createProject({ ...ONE, 'strata.config.json': '{ "migrationsDir": "db/migrations" }\n' });
    const refused = await strata(['info', '--json'], { cwd: project.dir, env: { DATABASE_URL: 'sqlite::memory:' } });
    expect(refused.code).toBe(2);
    expect(jsonOf<{ error: { code: string; message: string } }>(refused).error).toMatchObject({
      code: 'INVALID_CONFIG',
      message: expect.stringContaining('strata.config.json: unknown key "migrationsDir" (strata takes migrations, table,'),
    });
    await project.write({ 'ci.json': '{ "migrations": "db/migrations", "lockTimeout": 5000 }\n' });
    const other = await strata(['--config', 'ci.json', 'pending'], {
      cwd: project.dir,
      env: { DATABASE_URL: 'sqlite::memory:' },
    });
    expect(other.code, other.stderr).toBe(0);
    expect(other.stdout).toContain('1 migration pending.');
  });

  it("sqlx.toml's [migrate] keys: migrations-dir and table-name shared with a Rust service", async () => {
    project = await createProject({
      ...ONE,
      'sqlx.toml': [
        '# shared with the Rust service',
        '[migrate]',
        'migrations-dir = "db/migrations"   # relative to this file',
        "table-name = '_sqlx_migrations'",
        '',
        '[migrate.defaults]',
        'migration-type = "reversible"',
        '',
      ].join('\n'),
    });
    const run = await strata(['run'], { cwd: project.dir, env: { DATABASE_URL: 'sqlite://app.db?mode=rwc' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(tables(join(project.dir, 'app.db'))).toEqual(['_sqlx_migrations', 'users']);
  });

  it("sqlx.toml's ignored-chars: dropped before checksums, as SQLx 0.9 does, so a whitespace-only edit is not a modification", async () => {
    const script = 'CREATE TABLE users (\r\n  id INTEGER PRIMARY KEY\r\n);\r\n';
    project = await createProject({
      'db/migrations/0001_create_users.sql': script,
      // SQLx's documented way to ignore whitespace; TOML's escapes, the way the Rust service writes them.
      'sqlx.toml': '[migrate]\nmigrations-dir = "db/migrations"\nignored-chars = [" ", "\\t", "\\r", "\\n"]\n',
    });
    const env = { DATABASE_URL: 'sqlite://app.db?mode=rwc' };
    const run = await strata(['run'], { cwd: project.dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const db = new Database(join(project.dir, 'app.db'), { readonly: true });
    const row = db.prepare('SELECT checksum FROM _strata_migrations').get() as { checksum: Buffer };
    db.close();
    // What SQLx records: SHA-384 of the script without the ignored characters.
    const stripped = script.replace(/[ \t\r\n]/g, '');
    expect(row.checksum.toString('hex')).toBe(createHash('sha384').update(stripped).digest('hex'));

    // Re-indented and with LF line endings: the same migration for both tools.
    await project.write({ 'db/migrations/0001_create_users.sql': 'CREATE TABLE users (\n\tid  INTEGER  PRIMARY  KEY\n);\n' });
    const info = jsonOf<InfoJson>(await strata(['info', '--json'], { cwd: project.dir, env }));
    expect(info.migrations.map((line) => line.state)).toEqual(['applied']);
    // A change outside the ignored characters still is one.
    await project.write({ 'db/migrations/0001_create_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n' });
    const modified = jsonOf<InfoJson>(await strata(['info', '--json'], { cwd: project.dir, env }));
    expect(modified.migrations.map((line) => line.state)).toEqual(['modified']);

    await project.write({ 'strata.config.json': '{ "ignoredChars": ["\\r\\n"] }\n' });
    const refused = await strata(['info'], { cwd: project.dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('"ignoredChars" must be an array of single characters');
  });

  it('strata.config.ts: loaded where Node strips types itself, else a clear refusal (exit 2)', async () => {
    project = await createProject({
      ...ONE,
      'package.json': '{ "type": "module" }\n',
      'strata.config.ts': "const config: { migrations: string } = { migrations: 'db/migrations' };\nexport default config;\n",
    });
    const result = await strata(['pending'], { cwd: project.dir, env: { DATABASE_URL: 'sqlite::memory:' } });
    if ((process.features as { typescript?: unknown }).typescript) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('1 migration pending.');
    } else {
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `error[INVALID_CONFIG]: cannot load ${join(project.dir, 'strata.config.ts')}: Node ${process.versions.node} does not run TypeScript by itself`,
      );
      expect(result.stderr).toContain('rename it strata.config.mjs');
    }
  });
});
