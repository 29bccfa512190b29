/**
 * The package root is narrow on purpose: the engine, its errors and the source helpers. Each name
 * it exports at run time is documented in the README's "What @strata/core exports" table.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnNode } from '../../../../test-support/databases.js';

const CORE = fileURLToPath(new URL('../..', import.meta.url));

async function rootNames(): Promise<string[]> {
  // A fresh process resolving the built package through its exports map, as a user's app does.
  const result = await spawnNode(
    ['--input-type=module', '-e', "console.log(JSON.stringify(Object.keys(await import('@strata/core'))))"],
    { cwd: CORE },
  );
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as string[];
}

describe('the public API of @strata/core', () => {
  it('exports at most 30 names at run time, each documented in the README', async () => {
    const names = await rootNames();
    expect(names.length).toBeGreaterThan(0);
    expect(names.length).toBeLessThanOrEqual(30);
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### What `@strata/core` exports'), readme.indexOf('### Architecture'));
    const undocumented = names.filter((name) => !new RegExp(`\`${name}[\`(]`).test(section));
    expect(undocumented).toEqual([]);
  });

  it('keeps the lexer, hashing and lock-key helpers internal', async () => {
    const names = await rootNames();
    for (const internal of [
      'splitStatements',
      'checksumOf',
      'advisoryLockKey',
      'createDriver',
      'sourceDigest',
      'quoteIdentifier',
    ]) {
      expect(names).not.toContain(internal);
    }
  });
});
