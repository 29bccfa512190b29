import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

const sha384 = (text: string) => createHash('sha384').update(text).digest('hex');

interface InfoLine {
  version: string;
  description: string;
  state: string;
  installedOn: string | null;
  executionTimeMs: number | null;
  appliedChecksum?: string;
  sourceChecksum?: string;
}

const ORIGINAL = 'CREATE TABLE a (id INTEGER);\n';

describe.each(KINDS)('strata info on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });
  const info = async () => jsonOf<{ migrations: InfoLine[] }>(await run('info', '--json')).migrations;

  beforeEach(async () => {
    project = await createProject({
      'migrations/0001_a.sql': ORIGINAL,
      'migrations/0002_b.sql': 'CREATE TABLE b (id INTEGER);\n',
    });
    db = await testDatabase(kind, project.dir);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('before anything ran: every migration pending, no history table needed', async () => {
    const result = await run('info');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Version\s+Description\s+State\s+Installed on\s+Execution time/);
    expect(result.stdout).toMatch(/^1\s+a\s+pending$/m);
    expect(result.stdout).toContain('2 pending');
    expect(await info()).toEqual([
      { version: '1', description: 'a', state: 'pending', installedOn: null, executionTimeMs: null },
      { version: '2', description: 'b', state: 'pending', installedOn: null, executionTimeMs: null },
    ]);
  });

  it('applied lines show the installed time and duration; --json has them as ISO time and milliseconds', async () => {
    expect((await run('run', '--target-version', '1')).code).toBe(0);
    const result = await run('info');
    expect(result.stdout).toMatch(/^1\s+a\s+applied\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\s+\d+(\.\d)? ms$/m);
    expect(result.stdout).toMatch(/^2\s+b\s+pending$/m);
    const [a, b] = await info();
    expect(Object.keys(a!).sort()).toEqual(['description', 'executionTimeMs', 'installedOn', 'state', 'version']);
    expect(a!.state).toBe('applied');
    expect(Math.abs(Date.parse(a!.installedOn!) - Date.now())).toBeLessThan(60_000);
    expect(a!.executionTimeMs).toBeGreaterThanOrEqual(0);
    expect(b!.state).toBe('pending');
  });

  it('`status` is an alias of `info`', async () => {
    const status = await run('status', '--json');
    expect(status.code).toBe(0);
    expect(jsonOf(status)).toEqual(jsonOf(await run('info', '--json')));
  });

  it('modified: both checksums in hex, in text and JSON', async () => {
    expect((await run('run')).code).toBe(0);
    const changed = 'CREATE TABLE a (id INTEGER, extra TEXT);\n';
    await project.write({ 'migrations/0001_a.sql': changed });
    const result = await run('info');
    expect(result.stdout).toMatch(/^1\s+a\s+modified/m);
    expect(result.stdout).toContain(`applied checksum: ${sha384(ORIGINAL)}`);
    expect(result.stdout).toContain(`file checksum:    ${sha384(changed)}`);
    expect((await info())[0]).toMatchObject({
      state: 'modified',
      appliedChecksum: sha384(ORIGINAL),
      sourceChecksum: sha384(changed),
    });
  });

  it('a CRLF-only change is still applied, and info says the line endings differ', async () => {
    expect((await run('run')).code).toBe(0);
    await project.write({ 'migrations/0001_a.sql': ORIGINAL.replace(/\n/g, '\r\n') });
    const result = await run('info');
    expect(result.stdout).toMatch(/^1\s+a\s+applied \(line endings differ only\)/m);
    expect((await info())[0]).toMatchObject({ state: 'applied', lineEndingsOnly: true });
  });

  it('missing: applied, but the file is gone', async () => {
    expect((await run('run')).code).toBe(0);
    await rm(join(project.dir, 'migrations/0002_b.sql'));
    // A newer file keeps 2 in the middle of the sequence: missing, not future.
    await project.write({ 'migrations/0003_c.sql': 'CREATE TABLE c (id INTEGER);\n' });
    expect((await run('info')).stdout).toMatch(/^2\s+b\s+missing/m);
    expect((await info())[1]).toMatchObject({ version: '2', state: 'missing' });
  });

  it('dirty: a no-transaction migration that stopped part-way, with the resolve hint', async () => {
    await project.write({
      'migrations/0003_c.sql': '-- no-transaction\nCREATE TABLE c (id INTEGER);\nCREATE TABLE c (id INTEGER);\n',
    });
    expect((await run('run')).code).toBe(1);
    const result = await run('info');
    expect(result.stdout).toMatch(/^3\s+c\s+dirty/m);
    expect(result.stdout).toContain('`strata resolve 3 --applied` or `--rolled-back`');
    expect((await info())[2]).toMatchObject({ version: '3', state: 'dirty' });
  });

  it('--exit-code: 1 while anything is pending, 0 once all is applied; without it always 0', async () => {
    expect((await run('info', '--exit-code')).code).toBe(1);
    expect((await run('info')).code).toBe(0);
    expect((await run('run')).code).toBe(0);
    expect((await run('info', '--exit-code')).code).toBe(0);
    await project.write({ 'migrations/0001_a.sql': 'SELECT 1;\n' });
    expect((await run('info', '--exit-code', '--json')).code).toBe(1);
  });

  it('an empty directory and an empty database: says so', async () => {
    const empty = await createProject({ 'migrations/.gitkeep': '' });
    try {
      const result = await strata(['info'], {
        cwd: empty.dir,
        env: { DATABASE_URL: kind === 'sqlite' ? 'sqlite::memory:' : db.url },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe('No migrations in migrations and none applied.');
    } finally {
      await empty.cleanup();
    }
  });
});
