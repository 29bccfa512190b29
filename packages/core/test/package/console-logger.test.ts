import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { spawnNode, tempDir, writeTree } from '../../../../test-support/databases.js';

const BUILT = pathToFileURL(join(import.meta.dirname, '../../dist/index.js')).href;

let dir: { path: string; cleanup(): Promise<void> };
beforeEach(async () => {
  dir = await tempDir('console-logger');
});
afterEach(() => dir.cleanup());

it('logger: console prints each line with its data inline and short; a structured logger still gets the plain fields', async () => {
  await writeTree(dir.path, {
    'demo.mjs': `
import { createRequire } from 'node:module';
import { Migrator } from ${JSON.stringify(BUILT)};
const Database = createRequire(${JSON.stringify(join(import.meta.dirname, 'package.json'))})('better-sqlite3');
const db = new Database(':memory:');
const structured = [];
const both = {
  info: (message, context) => { console.info(message, context); structured.push(JSON.stringify(context)); },
  warn: console.warn, error: console.error,
};
await new Migrator({ db, logger: both, migrations: [{ version: 20260601000001, description: 'create users', up: 'CREATE TABLE users (id INTEGER);' }] }).run();
console.log('structured:' + structured.join('|'));
`,
  });
  const result = await spawnNode(['demo.mjs'], { cwd: dir.path });
  expect(result.code, result.stderr).toBe(0);
  const lines = result.stdout.trim().split('\n');
  // One line for the step, its data on the same line, durations to a tenth of a millisecond.
  expect(lines[0]).toMatch(
    /^applied migration 20260601000001 create users \(\d+\.\d ms\) \[version=20260601000001 durationMs=\d+\.\d\]$/,
  );
  expect(lines[1]).toMatch(/^structured:\{"version":"20260601000001","durationMs":\d+\.\d{3,}\}$/);
});
