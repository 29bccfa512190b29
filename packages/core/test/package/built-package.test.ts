/**
 * The promises of the built package, dist/ as npm publishes it, checked the way a user meets it:
 * fresh Node processes resolving `@strata/core` through its exports map (self-reference from
 * packages/core). dist is bundled (scripts/bundle.mjs), so these prove the bundling kept them.
 */
import { execFile } from 'node:child_process';
import { access, constants, readdir, readFile } from 'node:fs/promises';
import { delimiter, dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { spawnNode } from '../../../../test-support/databases.js';

const CORE = fileURLToPath(new URL('../..', import.meta.url));
const DIST = join(CORE, 'dist');
const manifest = JSON.parse(await readFile(join(CORE, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  exports: Record<string, string | { default?: string }>;
};

async function evaluate(script: string, flags: string[] = []): Promise<unknown> {
  const result = await spawnNode([...flags, '--input-type=module', '-e', script], { cwd: CORE });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

async function distJavaScript(): Promise<string[]> {
  return (await readdir(DIST, { recursive: true })).filter((file) => file.endsWith('.js')).sort();
}

describe('the built @strata/core', () => {
  it('@strata/core and @strata/core/bundler share one StrataError class', async () => {
    // The bundler entry's own code throws (a missing directory); the class comes from the main entry.
    const outcome = await evaluate(`
      const core = await import('@strata/core');
      const bundler = await import('@strata/core/bundler');
      const { error } = await bundler.loadMigrationsModule('no-such-migrations-directory', process.cwd());
      process.stdout.write(JSON.stringify({ code: error?.code, instanceOf: error instanceof core.StrataError }));
    `);
    expect(outcome).toEqual({ code: 'SOURCE_NOT_FOUND', instanceOf: true });
  });

  it('@strata/core/boot shares the root StrataError, and the root does not carry the boot layer', async () => {
    // The boot entry's own code throws (a path without its slash); the class comes from the main entry.
    const outcome = await evaluate(`
      const core = await import('@strata/core');
      const boot = await import('@strata/core/boot');
      let error;
      try { boot.resolveProbePaths({ livez: 'livez' }); } catch (thrown) { error = thrown; }
      process.stdout.write(JSON.stringify({ code: error?.code, instanceOf: error instanceof core.StrataError, inRoot: 'MigrationBoot' in core }));
    `);
    expect(outcome).toEqual({ code: 'INVALID_OPTIONS', instanceOf: true, inRoot: false });
  });

  it('defines StrataError in one file of dist, whichever entry point (library, bundler, CLI) loads it', async () => {
    const defining: string[] = [];
    for (const file of await distJavaScript()) {
      if (/\b(?:class StrataError\d*|StrataError\d* = class) extends Error\b/.test(await readFile(join(DIST, file), 'utf8')))
        defining.push(file);
    }
    expect(defining).toHaveLength(1);
  });

  it('ships only JavaScript that is an entry point or imported by one, and every import resolves', async () => {
    const files = await distJavaScript();
    const entries = [
      ...Object.values(manifest.exports).map((target) => (typeof target === 'string' ? target : target.default)),
      // What the committed bin/strata.js imports.
      './dist/cli/main.js',
    ]
      .filter((target): target is string => target?.endsWith('.js') === true)
      .map((target) => normalize(target.replace(/^\.\/dist\//, '')));
    const commands = files.filter((file) => dirname(file) === join('cli', 'commands'));
    // The studio page's own script runs in the browser: served as a file, never imported.
    const page = files.filter((file) => dirname(file) === join('studio', 'page'));
    const imported = new Set<string>();
    for (const file of files) {
      const text = await readFile(join(DIST, file), 'utf8');
      for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*"(\.\.?\/[^"]+)"/g)) {
        imported.add(join(dirname(file), specifier!));
      }
    }
    for (const file of imported) expect(files, `imported but missing: ${file}`).toContain(file);
    const reachable = new Set([...entries, ...commands, ...page, ...imported]);
    expect(files.filter((file) => !reachable.has(file))).toEqual([]);
  });

  it('maps stack traces into src/ through the linked source maps', async () => {
    const stack = (await evaluate(
      `
      const { Migrator } = await import('@strata/core');
      try { new Migrator({}); } catch (error) { process.stdout.write(JSON.stringify(error.stack)); }
    `,
      ['--enable-source-maps'],
    )) as string;
    expect(stack).toContain(join(CORE, 'src', 'migrator.ts'));
  });

  it('the strata bin exists before any build (npm links it at install) and imports the bundled CLI', async () => {
    expect(manifest.bin.strata).toBe('./bin/strata.js');
    const stub = await readFile(join(CORE, manifest.bin.strata!), 'utf8');
    expect(stub).toContain("await import('../dist/cli/main.js');");
    const { stdout } = await promisify(execFile)('git', ['ls-files', '--stage', manifest.bin.strata!], { cwd: CORE });
    expect(stdout).toMatch(/^100755 /);
  });

  it('the strata bin is executable and prints the version in package.json', async () => {
    const bin = join(CORE, manifest.bin.strata!);
    await access(bin, constants.X_OK);
    // Run as a program, not through `node`: its shebang line must have survived bundling.
    const { stdout } = await promisify(execFile)(bin, ['--version'], {
      cwd: CORE,
      env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` },
    });
    expect(stdout).toBe(`strata ${manifest.version}\n`);
  });
});
