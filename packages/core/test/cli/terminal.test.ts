import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { strata, strataInTerminal } from './helpers/strata.js';

const ESC = '\u001b[';

describe('colours', () => {
  let project: Project;
  let db: TestDatabase;
  beforeEach(async () => {
    project = await createProject({
      'migrations/0001_a.sql': 'CREATE TABLE a (id INTEGER);\n',
      'migrations/0002_b.sql': 'SELECT 1;\n',
    });
    db = await testDatabase('sqlite', project.dir);
    expect((await strata(['run', '--target-version', '1'], { cwd: project.dir, env: { DATABASE_URL: db.url } })).code).toBe(0);
  });
  afterEach(() => project.cleanup());

  it('on a terminal states are coloured', async () => {
    const result = await strataInTerminal(['info'], { cwd: project.dir, env: { DATABASE_URL: db.url } });
    expect(result.code).toBe(0);
    expect(result.output).toContain(`${ESC}32mapplied${ESC}39m`);
    expect(result.output).toContain(`${ESC}33mpending${ESC}39m`);
  });

  it('NO_COLOR turns colour off even on a terminal', async () => {
    const result = await strataInTerminal(['info'], { cwd: project.dir, env: { DATABASE_URL: db.url, NO_COLOR: '1' } });
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/^1\s+a\s+applied/m);
    expect(result.output).not.toContain(`${ESC}3`);
  });

  it('no colour and no control characters when the output is not a terminal', async () => {
    const info = await strata(['info'], { cwd: project.dir, env: { DATABASE_URL: db.url } });
    const run = await strata(['run'], { cwd: project.dir, env: { DATABASE_URL: db.url } });
    for (const result of [info, run]) {
      expect(result.stdout + result.stderr).not.toContain('\u001b');
      expect(result.stdout + result.stderr).not.toContain('\r');
    }
  });

  it('errors are red on a terminal, plain otherwise', async () => {
    const args = ['run', '--target-version', '9'];
    const terminal = await strataInTerminal(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });
    expect(terminal.output).toContain(`${ESC}31m`);
    const piped = await strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });
    expect(piped.stderr).toMatch(/^error\[TARGET_NOT_FOUND\]: target version 9/);
  });
});

describe('live elapsed time during a long migration', () => {
  let project: Project;
  let db: TestDatabase;
  beforeEach(async () => {
    project = await createProject({ 'migrations/0001_slow.sql': 'SELECT pg_sleep(0.8);\n' });
    db = await testDatabase('postgres', project.dir);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('on a terminal the running migration is redrawn in place with a growing time, then replaced by the result', async () => {
    const result = await strataInTerminal(['run'], { cwd: project.dir, env: { DATABASE_URL: db.url, NO_COLOR: '1' } });
    expect(result.code, result.output).toBe(0);
    const frames = result.output.split('\r\u001b[2K');
    const times = frames
      .map((frame) => /applying 1 slow (\d+(?:\.\d)?) ms/.exec(frame)?.[1])
      .filter((t): t is string => t !== undefined)
      .map(Number);
    expect(times.length).toBeGreaterThan(3);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(400);
    expect(frames.at(-1)).toMatch(/✓ applied 1 slow \(\d/);
  });

  it('off a terminal the start and the finish are plain lines', async () => {
    const result = await strata(['run'], { cwd: project.dir, env: { DATABASE_URL: db.url } });
    expect(result.code).toBe(0);
    // The duration is whatever this machine took, in any of the forms formatDuration writes
    // (`0.4 ms`, `812 ms`, `1.3 s`, `2m 05s`); what this test is about is the lines around it.
    expect(result.stdout).toMatch(
      /^applying 1 slow \.\.\.\n✓ applied 1 slow \((\d+(\.\d)? m?s|\d+m \d\ds); execution time (\d+(\.\d)? m?s|\d+m \d\ds)\)\n/,
    );
    expect(result.stdout + result.stderr).not.toContain('\r');
    expect(result.stdout + result.stderr).not.toContain('\u001b');
  });
});
