import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, createServer, type Rollup } from 'vite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { viteMigrations } from '../../src/bundler/index.js';
import { type EmbeddedMigrations, migrationsFromValues } from '../../src/index.js';
import { evaluateModule } from './support.js';

let project: { path: string; cleanup(): Promise<void> };

beforeEach(async () => {
  project = await tempDir('embed-vite');
  await writeTree(project.path, {
    'entry.js': "import migrations from 'virtual:strata-migrations';\nexport default migrations;\n",
    'migrations/2026-06-01-000001_create_users/up.sql': 'CREATE TABLE users (id INTEGER);\n',
    'migrations/2026-06-01-000001_create_users/down.sql': 'DROP TABLE users;\n',
    'migrations/2026-06-02-000001_index_users/up.sql': 'CREATE INDEX users_id ON users (id);\n',
    'migrations/2026-06-02-000001_index_users/metadata.toml': 'run_in_transaction = false\n',
  });
});
afterEach(async () => {
  await project.cleanup();
});

/** An SSR (Node) build of entry.js into dist/entry.mjs, the way a server is built with `vite build --ssr`. */
const config = (watch: boolean) => ({
  configFile: false as const,
  root: project.path,
  logLevel: 'silent' as const,
  plugins: [viteMigrations()],
  build: { ssr: 'entry.js', outDir: 'dist', minify: false, emptyOutDir: true, ...(watch ? { watch: {} } : {}) },
});

const builtVersions = async () =>
  (await evaluateModule(await readFile(join(project.path, 'dist/entry.mjs'), 'utf8'), 'esm', project.path)).migrations.map(
    (m) => m.version,
  );

describe('Rollup/Vite plugin', () => {
  it("vite build resolves 'virtual:strata-migrations' with the Diesel directory's migrations", async () => {
    await build(config(false));
    const text = await readFile(join(project.path, 'dist/entry.mjs'), 'utf8');
    expect(text).not.toMatch(/^\s*import\s/m);
    const module = await evaluateModule(text, 'esm', project.path);
    expect(module.migrations.map((m) => [m.version, m.noTransaction, m.upFile])).toEqual([
      ['20260601000001', false, '2026-06-01-000001_create_users/up.sql'],
      ['20260602000001', true, '2026-06-02-000001_index_users/up.sql'],
    ]);
    expect(migrationsFromValues(module.migrations)).toHaveLength(2);
  });

  it('warns through the bundler, naming it, about DOWN.sql in a migration directory (not embedded)', async () => {
    await writeTree(project.path, { 'migrations/2026-06-02-000001_index_users/DOWN.sql': 'DROP INDEX users_id;\n' });
    const warnings: string[] = [];
    const base = config(false);
    await build({
      ...base,
      build: { ...base.build, rollupOptions: { onwarn: (warning: Rollup.RollupLog) => void warnings.push(warning.message) } },
    });
    expect(await builtVersions()).toEqual(['20260601000001', '20260602000001']);
    expect(warnings.filter((message) => message.includes('DOWN.sql'))).toEqual([
      expect.stringContaining(
        'migrations/2026-06-02-000001_index_users/DOWN.sql is not read as a migration: only down.sql in lower case is read',
      ),
    ]);
  });

  it('fails the build on a broken directory, naming the file', async () => {
    await writeTree(project.path, { 'migrations/2026-06-02-000001_again/up.sql': 'SELECT 1;' });
    await expect(build(config(false))).rejects.toThrow(/duplicate migration version 20260602000001/);
  });

  it('vite build --watch rebuilds when a migration directory is added and when a script is edited', async () => {
    const watcher = (await build(config(true))) as Rollup.RollupWatcher;
    let ends = 0;
    const errors: unknown[] = [];
    watcher.on('event', (event) => {
      if (event.code === 'BUNDLE_END') {
        ends++;
        void event.result.close();
      }
      if (event.code === 'ERROR') errors.push(event.error);
    });
    const waitForBuild = async (after: number, what: () => Promise<boolean>) => {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        if (ends > after && (await what().catch(() => false))) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no matching rebuild within 20 s (builds: ${ends}, errors: ${errors.join('; ')})`);
    };
    try {
      await waitForBuild(0, async () => (await builtVersions()).length === 2);

      let seen = ends;
      await writeTree(project.path, {
        'migrations/2026-06-03-000001_create_posts/up.sql': 'CREATE TABLE posts (id INTEGER);\n',
      });
      await waitForBuild(seen, async () => (await builtVersions()).includes('20260603000001'));
      expect(await builtVersions()).toEqual(['20260601000001', '20260602000001', '20260603000001']);

      seen = ends;
      await writeFile(
        join(project.path, 'migrations/2026-06-01-000001_create_users/up.sql'),
        'CREATE TABLE users (id INTEGER, name TEXT);\n',
      );
      await waitForBuild(seen, async () => {
        const text = await readFile(join(project.path, 'dist/entry.mjs'), 'utf8');
        return text.includes('name TEXT');
      });
    } finally {
      await watcher.close();
    }
  });

  it('the dev server serves the module and invalidates it when a migration is added', async () => {
    const server = await createServer({
      configFile: false,
      root: project.path,
      logLevel: 'silent',
      plugins: [viteMigrations()],
      appType: 'custom',
      server: { middlewareMode: true, hmr: false },
    });
    try {
      const load = async () =>
        ((await server.ssrLoadModule('virtual:strata-migrations')).default as EmbeddedMigrations).migrations;
      expect(await load()).toHaveLength(2);
      await writeTree(project.path, { 'migrations/2026-06-03-000001_create_posts/up.sql': 'CREATE TABLE posts (id INTEGER);\n' });
      const deadline = Date.now() + 20_000;
      while ((await load()).length !== 3) {
        if (Date.now() > deadline) throw new Error('the dev server kept serving the old module');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await server.close();
    }
  });
});
