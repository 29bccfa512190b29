/**
 * The bundled example, end to end: build it into one file per entry, copy only that file into an
 * empty directory (plus a node_modules holding just the two database drivers, symlinked, since
 * better-sqlite3 is native and neither is bundled), run it against a fresh SQLite file and a fresh
 * PostgreSQL database, and check the first start migrates and the second is a no-op.
 *
 * Why symlinks and not NODE_PATH: the bundle is an ES module and Node's ESM resolver ignores
 * NODE_PATH. Only `better-sqlite3` and `pg` are linked (Node follows each link to its real path,
 * so their own dependencies resolve from the workspace), so an import of @strata/core the bundler
 * had missed would fail here instead of quietly resolving.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, cp, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, spawnNode, sqliteFile, tempDir } from '../../../test-support/databases.js';

const EXAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = resolve(EXAMPLE, '../..');
const CLI = join(REPO_ROOT, 'packages/core/dist/cli/main.js');
const VERSIONS = ['20260601000001', '20260602000001', '20260603000001'];

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function scratch(prefix: string): Promise<string> {
  const dir = await tempDir(prefix);
  cleanups.push(dir.cleanup);
  return dir.path;
}

/** An empty directory holding `bundle` and a node_modules with only the drivers in it. */
async function deployOnly(bundle: string): Promise<string> {
  const app = await scratch('bundled-app');
  await copyFile(bundle, join(app, 'server.mjs'));
  await mkdir(join(app, 'node_modules'));
  for (const driver of ['better-sqlite3', 'pg']) {
    await symlink(join(REPO_ROOT, 'node_modules', driver), join(app, 'node_modules', driver), 'dir');
  }
  return app;
}

interface Started {
  migrated: { applied: string[]; lockTaken: boolean; digest: string; database: string };
  get(path: string): Promise<unknown>;
  stop(): Promise<number | null>;
}

/** Starts the bundle, waits until it has migrated and listens, and returns its first words. */
async function start(app: string, databaseUrl: string): Promise<Started> {
  const child: ChildProcess = spawn(process.execPath, ['server.mjs'], {
    cwd: app,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', NODE_PATH: '', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolvePromise) => child.on('exit', (code) => resolvePromise(code)));
  const events: Record<string, unknown>[] = [];
  const lines = createInterface({ input: child.stdout! });
  const listening = new Promise<number>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not listen within 30 s; stderr:\n${stderr}`)), 30_000);
    lines.on('line', (line) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      if (event.event === 'listening') {
        clearTimeout(timer);
        resolvePromise(event.port as number);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening; stderr:\n${stderr}`));
    });
  });
  const port = await listening;
  return {
    migrated: events.find((event) => event.event === 'migrated') as Started['migrated'],
    get: async (path) => (await fetch(`http://127.0.0.1:${port}${path}`)).json(),
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

let bundles: { server: string; 'server-virtual': string };

beforeAll(async () => {
  // The CI guard first: the generated module committed beside the example matches its migrations.
  const check = await spawnNode([CLI, 'embed', '--check'], { cwd: EXAMPLE });
  expect(check.code, check.stdout + check.stderr).toBe(0);
  const out = await scratch('bundled-build');
  const build = await spawnNode([join(EXAMPLE, 'build.mjs'), '--outdir', out], { cwd: EXAMPLE });
  expect(build.code, build.stderr).toBe(0);
  bundles = { server: join(out, 'server.mjs'), 'server-virtual': join(out, 'server-virtual.mjs') };
});

describe('the build', () => {
  it('makes one self-contained file per entry: only the drivers are imported, nothing reads a migrations folder', async () => {
    for (const bundle of Object.values(bundles)) {
      const text = await readFile(bundle, 'utf8');
      // Static imports start a line in esbuild's output; dynamic ones are import("x") calls. SQL text
      // inside the bundle (`... from "table"`) must not count as an import.
      const imports = [...text.matchAll(/^\s*import\b[^;]*?\bfrom\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm)].map(
        (match) => match[1] ?? match[2],
      );
      expect(new Set(imports.filter((specifier) => !specifier!.startsWith('node:')))).toEqual(new Set(['pg', 'better-sqlite3']));
      expect(text).toContain('"version": "20260603000001"');
      // The engine with every database and every adoption reader in it (MySQL, the ten import readers
      // and the schema readers ride along with the Migrator: about 295 KB; a single-file bundle inlines the modules the engine loads lazily); a driver or a parser bundled by
      // mistake (libpg-query alone is 2 MB) stays far above this.
      expect((await stat(bundle)).size).toBeLessThan(320 * 1024);
    }
  });
});

describe.each(['server', 'server-virtual'] as const)('%s.mjs copied alone into an empty directory', (entry) => {
  it('migrates a fresh SQLite file on first start; the second start is a no-op', async () => {
    const app = await deployOnly(bundles[entry]);
    const file = await sqliteFile();
    cleanups.push(file.cleanup);

    const first = await start(app, `sqlite:${file.path}`);
    expect(first.migrated).toMatchObject({ database: 'sqlite', applied: VERSIONS, lockTaken: true });
    expect(await first.get('/notes')).toEqual([{ id: 1, author: 'Ada', body: 'shipped in one file' }]);
    expect(await first.stop()).toBe(0);

    const second = await start(app, `sqlite:${file.path}`);
    expect(second.migrated).toMatchObject({ applied: [], lockTaken: false });
    expect(await second.get('/migrations')).toEqual(VERSIONS.map((version) => ({ version, state: 'applied' })));
    expect(await second.stop()).toBe(0);

    const db = new Database(file.path, { readonly: true });
    try {
      const rows = db.prepare('SELECT version, success FROM _strata_migrations ORDER BY version').all() as {
        version: number;
        success: number;
      }[];
      expect(rows.map((row) => [String(row.version), row.success])).toEqual(VERSIONS.map((version) => [version, 1]));
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'notes_by_user'").get()).toBeDefined();
    } finally {
      db.close();
    }
  });

  it('migrates a fresh PostgreSQL database on first start; the second start is a no-op', async () => {
    const app = await deployOnly(bundles[entry]);
    const database = await createPostgresDatabase('bundled');
    cleanups.push(database.drop);

    const first = await start(app, database.url);
    expect(first.migrated).toMatchObject({ database: 'postgres', applied: VERSIONS, lockTaken: true });
    expect(await first.get('/notes')).toEqual([{ id: 1, author: 'Ada', body: 'shipped in one file' }]);
    expect(await first.stop()).toBe(0);

    const second = await start(app, database.url);
    expect(second.migrated).toMatchObject({ applied: [], lockTaken: false });
    expect(await second.stop()).toBe(0);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT version::text AS version, success FROM _strata_migrations ORDER BY version');
      expect(rows).toEqual(VERSIONS.map((version) => ({ version, success: true })));
      const index = await client.query("SELECT to_regclass('notes_by_user') IS NOT NULL AS present");
      expect(index.rows[0].present).toBe(true);
    } finally {
      await client.end();
    }
  });
});

describe('a build made from a stale generated module', () => {
  it('is stopped by `strata embed --check` first; built anyway, it would silently lack the new migration', async () => {
    // A copy of the example whose author added a migration and forgot to regenerate.
    const project = await scratch('bundled-stale');
    for (const part of ['src', 'migrations', 'build.mjs', 'package.json'])
      await cp(join(EXAMPLE, part), join(project, part), { recursive: true });
    await symlink(join(REPO_ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
    await writeFile(
      join(project, 'migrations/20260604000001_add_user_nickname.up.sql'),
      'ALTER TABLE users ADD COLUMN nickname TEXT;\n',
    );
    await writeFile(
      join(project, 'migrations/20260604000001_add_user_nickname.down.sql'),
      'ALTER TABLE users DROP COLUMN nickname;\n',
    );

    // The pipeline of package.json's "ci" script: `strata embed --check && node build.mjs`.
    const check = await spawnNode([CLI, 'embed', '--check'], { cwd: project, env: { NO_COLOR: '1' } });
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('✗ src/migrations.gen.ts is stale: 1 added (20260604000001_add_user_nickname.up.sql)');
    expect(check.stdout).toContain('Run `strata embed` to regenerate it.');

    // What the check prevents: the bundle from the stale module runs, and never applies 20260604000001.
    const stale = await spawnNode([join(project, 'build.mjs')], { cwd: project });
    expect(stale.code, stale.stderr).toBe(0);
    const file = await sqliteFile();
    cleanups.push(file.cleanup);
    const staleRun = await start(await deployOnly(join(project, 'dist/server.mjs')), `sqlite:${file.path}`);
    expect(staleRun.migrated.applied).toEqual(VERSIONS);
    expect(await staleRun.stop()).toBe(0);
    // The plugin build of the same tree reads the directory itself, so it cannot be stale.
    const virtualRun = await start(await deployOnly(join(project, 'dist/server-virtual.mjs')), `sqlite:${file.path}`);
    expect(virtualRun.migrated.applied).toEqual(['20260604000001']);
    expect(await virtualRun.stop()).toBe(0);

    // The fix the message names, then the whole pipeline passes and the bundle carries the migration.
    expect((await spawnNode([CLI, 'embed'], { cwd: project })).code).toBe(0);
    expect((await spawnNode([CLI, 'embed', '--check'], { cwd: project })).code).toBe(0);
    expect((await spawnNode([join(project, 'build.mjs')], { cwd: project })).code).toBe(0);
    const fresh = await sqliteFile();
    cleanups.push(fresh.cleanup);
    const freshRun = await start(await deployOnly(join(project, 'dist/server.mjs')), `sqlite:${fresh.path}`);
    expect(freshRun.migrated.applied).toEqual([...VERSIONS, '20260604000001']);
    expect(await freshRun.stop()).toBe(0);
  });
});
