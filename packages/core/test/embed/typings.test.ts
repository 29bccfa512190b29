import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnNode, tempDir, writeTree } from '../../../../test-support/databases.js';
import { CLI, REPO_ROOT } from './support.js';

let project: { path: string; cleanup(): Promise<void> };

beforeAll(async () => {
  project = await tempDir('embed-types');
  // The consumer resolves @strata/core (built), esbuild and vite from the workspace's node_modules.
  await symlink(join(REPO_ROOT, 'node_modules'), join(project.path, 'node_modules'), 'dir');
  await writeTree(project.path, {
    'package.json': JSON.stringify({ type: 'module' }),
    'migrations/20260601000001_create_users.up.sql': 'CREATE TABLE users (id INTEGER);\n',
    'migrations/20260601000001_create_users.down.sql': 'DROP TABLE users;\n',
  });
  for (const out of ['src/ts.gen.ts', 'src/esm.gen.js', 'src/cjs.gen.cjs']) {
    const result = await spawnNode([CLI, 'embed', '--out', out], { cwd: project.path });
    expect(result.code, result.stderr).toBe(0);
  }
});
afterAll(async () => {
  await project.cleanup();
});

it('what `strata embed` generates, the virtual module and both plugins type-check in a strict consumer', async () => {
  await writeTree(project.path, {
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        verbatimModuleSyntax: true,
        isolatedModules: true,
        noEmit: true,
        // Only strata's declarations are checked; the bundlers' own are theirs to keep clean.
        skipLibCheck: false,
        types: ['node', '@strata/core/virtual'],
      },
      include: ['src'],
    }),
    'src/consumer.ts': `
import type Database from 'better-sqlite3';
import type * as esbuild from 'esbuild';
import type { Plugin as VitePlugin } from 'vite';
import { type EmbeddedMigrations, Migrator, type DatabaseHandle } from '@strata/core';
import { esbuildMigrations, rollupMigrations, viteMigrations } from '@strata/core/bundler';
import fromTs, { digest, migrations } from './ts.gen.js';
import fromEsm from './esm.gen.js';
import fromCjs from './cjs.gen.cjs';
import fromVirtual, { migrations as virtualList } from 'virtual:strata-migrations';

declare const db: Database.Database;
const handle: DatabaseHandle = db;
const sources: EmbeddedMigrations[] = [fromTs, fromEsm, fromCjs, fromVirtual, { migrations, digest }, { migrations: virtualList }];
for (const source of sources) new Migrator({ db: handle, migrations: source });
const digests: string[] = [fromTs.digest, fromEsm.digest, fromCjs.digest, fromVirtual.digest];

const esbuildPlugins: esbuild.Plugin[] = [esbuildMigrations(), esbuildMigrations({ directory: 'db', id: 'virtual:db' })];
const vitePlugins: VitePlugin[] = [viteMigrations(), rollupMigrations({ root: '/srv/app' })];
export { digests, esbuildPlugins, vitePlugins };
`,
  });
  const result = await spawnNode([join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', project.path], {
    cwd: project.path,
    timeoutMs: 120_000,
  });
  expect(result.stdout + result.stderr).toBe('');
  expect(result.code).toBe(0);
}, 180_000);
