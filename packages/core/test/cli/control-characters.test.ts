import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { printable } from '../../src/cli/format.js';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

const TWO_LINES = 'migrations/0002_two\nlines.sql';

/** A control character in a file name never breaks a table or a line: shown escaped, real in --json. */
describe.each(KINDS)('names with control characters on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });

  beforeEach(async () => {
    project = await createProject({
      'migrations/0001_first.sql': 'CREATE TABLE a (id INTEGER);\n',
      [TWO_LINES]: 'CREATE TABLE b (id INTEGER);\n',
    });
    db = await testDatabase(kind, project.dir);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('info prints one line per migration, the description escaped; --json keeps the real one', async () => {
    const applied = await run('run');
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('✓ applied 2 two\\nlines (');
    expect(await db.appliedVersions()).toEqual(['1', '2']);
    expect(await db.tableExists('b')).toBe(true);

    const info = await run('info');
    expect(info.code, info.stderr).toBe(0);
    const lines = info.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4); // header, two migrations, summary
    expect(lines[1]).toMatch(/^1\s+first\s+applied\s/);
    expect(lines[2]).toMatch(/^2\s+two\\nlines\s+applied\s/);
    expect(lines[3]).toBe('2 applied');

    const json = jsonOf<{ migrations: { version: string; description: string }[] }>(await run('info', '--json'));
    expect(json.migrations.map((line) => line.description)).toEqual(['first', 'two\nlines']);
    const history = await db.query<{ description: string }>('SELECT description FROM _strata_migrations ORDER BY version');
    expect(history.map((row) => row.description)).toEqual(['first', 'two\nlines']);
  });

  it('a missing migration shows the description the history holds, escaped', async () => {
    // A third migration after it, so removing 2 leaves a gap (`missing`), not a newer one (`future`).
    await project.write({ 'migrations/0003_third.sql': 'CREATE TABLE c (id INTEGER);\n' });
    expect((await run('run')).code).toBe(0);
    await rm(join(project.dir, TWO_LINES));
    const info = await run('info');
    const lines = info.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5); // header, three migrations, summary
    expect(lines[2]).toMatch(/^2\s+two\\nlines\s+missing/);
  });

  it('run --dry-run and a failure name the file escaped, on one line each', async () => {
    await project.write({ 'migrations/0003_bad\r\u001b[2Jname.sql': 'SELECT nope FROM nowhere;\n' });
    const dry = await run('run', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    const planned = dry.stdout.trimEnd().split('\n');
    expect(planned).toHaveLength(4);
    expect(planned[2]).toMatch(/^ {2}2\s+two\\nlines\s+in a transaction\s+0002_two\\nlines\.sql$/);
    expect(planned[3]).toMatch(/^ {2}3\s+bad\\r\\u001b\[2Jname\s+in a transaction\s+0003_bad\\r\\u001b\[2Jname\.sql$/);

    const failed = await run('run');
    expect(failed.code).not.toBe(0);
    expect(failed.stdout).not.toContain('\u001b[2J');
    expect(failed.stderr).not.toContain('\u001b[2J');
    expect(failed.stderr.split('\n')[0]).toMatch(
      /^error\[MIGRATION_FAILED\]: migration 3 failed at 0003_bad\\r\\u001b\[2Jname\.sql:1:/,
    );
    expect(await db.appliedVersions()).toEqual(['1', '2']);
  });
});

describe('printable', () => {
  it('escapes controls as JSON.stringify does, without the quotes, and leaves everything else', () => {
    expect(printable('two\nlines\ttab\r\b\f')).toBe('two\\nlines\\ttab\\r\\b\\f');
    expect(printable('\u0000\u001b\u007f\u0085\u2028\u2029\u202e\u2066')).toBe(
      '\\u0000\\u001b\\u007f\\u0085\\u2028\\u2029\\u202e\\u2066',
    );
    for (const name of ['create users', 'café — 名前 😀', 'C:\\db\\migrations', '"quoted"', ''])
      expect(printable(name)).toBe(name);
  });
});
