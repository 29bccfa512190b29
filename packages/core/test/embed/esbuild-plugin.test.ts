import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { esbuildMigrations } from '../../src/bundler/index.js';
import { evaluateModule } from './support.js';

let project: { path: string; cleanup(): Promise<void> };

beforeEach(async () => {
  project = await tempDir('embed-esbuild');
  await writeTree(project.path, {
    'entry.js': "import migrations from 'virtual:strata-migrations';\nexport default migrations;\n",
    'migrations/0001_users.up.sql': 'CREATE TABLE users (id INTEGER);\r\n',
    'migrations/0001_users.down.sql': 'DROP TABLE users;\n',
    'migrations/0002_posts.up.sql': 'CREATE TABLE posts (id INTEGER);\n',
    'migrations/0002_posts.down.sql': 'DROP TABLE posts;\n',
  });
});
afterEach(async () => {
  await project.cleanup();
});

const options = (plugins: esbuild.Plugin[]): esbuild.BuildOptions => ({
  absWorkingDir: project.path,
  entryPoints: ['entry.js'],
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'silent',
  plugins,
});

const versionsOf = async (result: esbuild.BuildResult) =>
  (await evaluateModule(result.outputFiles![0]!.text, 'esm', project.path)).migrations.map((m) => m.version);

describe('esbuild plugin', () => {
  it("resolves 'virtual:strata-migrations' to the directory's migrations, with checksums, and imports nothing", async () => {
    const result = await esbuild.build(options([esbuildMigrations()]));
    const text = result.outputFiles![0]!.text;
    expect(text).not.toMatch(/^\s*import\s/m);
    const module = await evaluateModule(text, 'esm', project.path);
    expect(module.migrations.map((m) => [m.version, m.description, m.upFile])).toEqual([
      ['1', 'users', '0001_users.up.sql'],
      ['2', 'posts', '0002_posts.up.sql'],
    ]);
    expect(module.migrations[0]!.up).toBe('CREATE TABLE users (id INTEGER);\r\n');
    expect(module.migrations[0]!.checksum).toMatch(/^[0-9a-f]{96}$/);
    expect(module.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('warns, naming it, about a file named like a migration that is not embedded (0003_tags.SQL)', async () => {
    await writeTree(project.path, { 'migrations/0003_tags.SQL': 'CREATE TABLE tags (id INTEGER);\n' });
    const result = await esbuild.build(options([esbuildMigrations()]));
    expect(await versionsOf(result)).toEqual(['1', '2']);
    expect(result.warnings.map((warning) => warning.text)).toEqual([
      'migrations/0003_tags.SQL is not read as a migration: only names ending in lower-case .sql are read; rename it to 0003_tags.sql',
    ]);
  });

  it('takes a directory and an id, so two directories can be bundled side by side', async () => {
    await writeTree(project.path, {
      'entry.js':
        "import app from 'virtual:strata-migrations';\nimport audit from 'virtual:audit-migrations';\nexport default { migrations: [...app.migrations, ...audit.migrations] };\n",
      'db/audit/0007_audit_log.sql': 'CREATE TABLE audit_log (id INTEGER);',
    });
    const result = await esbuild.build(
      options([esbuildMigrations(), esbuildMigrations({ directory: 'db/audit', id: 'virtual:audit-migrations' })]),
    );
    expect(await versionsOf(result)).toEqual(['1', '2', '7']);
  });

  it('reports a broken directory as a build error naming the file', async () => {
    await writeTree(project.path, { 'migrations/0002_again.up.sql': 'SELECT 1;' });
    const failure = await esbuild.build(options([esbuildMigrations()])).then(
      () => undefined,
      (error: esbuild.BuildFailure) => error,
    );
    expect(failure?.errors[0]?.text).toContain('duplicate migration version 2');
    expect(failure?.errors[0]?.pluginName).toBe('strata-migrations');
  });

  it('in watch mode, rebuilds when a migration is added, edited or removed, and recovers from a broken directory', async () => {
    const results: esbuild.BuildResult[] = [];
    let wake: (() => void) | undefined;
    const capture: esbuild.Plugin = {
      name: 'capture',
      setup(build) {
        build.onEnd((result) => {
          results.push(result);
          wake?.();
        });
      },
    };
    const nextBuild = async (after: number): Promise<esbuild.BuildResult> => {
      const deadline = Date.now() + 20_000;
      while (results.length <= after) {
        if (Date.now() > deadline) throw new Error('esbuild did not rebuild within 20 s');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 250);
        });
      }
      return results[results.length - 1]!;
    };

    const context = await esbuild.context(options([esbuildMigrations(), capture]));
    try {
      await context.watch();
      expect(await versionsOf(await nextBuild(0))).toEqual(['1', '2']);

      await writeFile(join(project.path, 'migrations/0003_comments.up.sql'), 'CREATE TABLE comments (id INTEGER);\n');
      await writeFile(join(project.path, 'migrations/0003_comments.down.sql'), 'DROP TABLE comments;\n');
      let seen = results.length;
      let latest = await nextBuild(seen);
      // The two files may land in one rebuild or two; wait until the new migration is complete.
      while ((await versionsOf(latest)).length < 3) latest = await nextBuild(results.length);
      expect(await versionsOf(latest)).toEqual(['1', '2', '3']);

      seen = results.length;
      await writeFile(join(project.path, 'migrations/0002_posts.up.sql'), 'CREATE TABLE posts (id INTEGER, title TEXT);\n');
      latest = await nextBuild(seen);
      const edited = await evaluateModule(latest.outputFiles![0]!.text, 'esm', project.path);
      expect(edited.migrations[1]!.up).toBe('CREATE TABLE posts (id INTEGER, title TEXT);\n');

      seen = results.length;
      await writeFile(join(project.path, 'migrations/0003_duplicate.up.sql'), 'SELECT 1;');
      latest = await nextBuild(seen);
      expect(latest.errors[0]?.text).toContain('duplicate migration version 3');

      seen = results.length;
      await rm(join(project.path, 'migrations/0003_duplicate.up.sql'));
      latest = await nextBuild(seen);
      expect(latest.errors).toEqual([]);
      expect(await versionsOf(latest)).toEqual(['1', '2', '3']);
    } finally {
      await context.dispose();
    }
  });
});
