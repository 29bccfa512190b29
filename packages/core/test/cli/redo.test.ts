import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

describe.each(KINDS)('strata redo on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });
  const applied = () => db.appliedVersions();

  beforeEach(async () => {
    project = await createProject(USERS_AND_POSTS);
    db = await testDatabase(kind, project.dir);
    expect((await run('run')).code).toBe(0);
    // Data that a real redo destroys: proves the down script really ran.
    await db.query("INSERT INTO posts (id, title) VALUES (1, 'hello')");
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('reverts then re-applies the newest migration', async () => {
    const result = await run('redo');
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out.indexOf('reverted 2 create posts')).toBeGreaterThan(-1);
    expect(out.indexOf('applied 2 create posts')).toBeGreaterThan(out.indexOf('reverted 2 create posts'));
    expect(out).not.toContain('create users');
    expect(out).toContain('Redid 1 migration (reverted and re-applied)');
    expect(await applied()).toEqual(['1', '2']);
    expect(await db.query('SELECT * FROM posts')).toEqual([]);
  });

  it('-n N and --all redo that many, newest first down and oldest first up', async () => {
    const two = await run('redo', '-n', '2');
    expect(two.code, two.stderr).toBe(0);
    const order = ['reverted 2', 'reverted 1', 'applied 1', 'applied 2'].map((s) => two.stdout.indexOf(`✓ ${s} `));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    const all = await run('redo', '--all', '--json');
    expect(all.code, all.stderr).toBe(0);
    const json = jsonOf<{ reverted: { applied: { version: string }[] }; applied: { applied: { version: string }[] } }>(all);
    expect(json.reverted.applied.map((s) => s.version)).toEqual(['2', '1']);
    expect(json.applied.applied.map((s) => s.version)).toEqual(['1', '2']);
    expect(await applied()).toEqual(['1', '2']);
  });

  it('fails (exit 1) when the down script does not undo the up script, and says what state it left', async () => {
    await project.write({ 'migrations/0002_create_posts.down.sql': 'SELECT 1;\n' });
    const result = await run('redo');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /error\[MIGRATION_FAILED\]: migration 2 failed at 0002_create_posts\.up\.sql(:1:1)?: .*already exists/,
    );
    expect(result.stderr).toContain('The revert of 2 was done; re-applying failed');
    expect(await applied()).toEqual(['1']);
  });

  it('with nothing applied says so and exits 0; -n with --all exits 2', async () => {
    expect((await run('revert', '--all')).code).toBe(0);
    const result = await run('redo');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Nothing to redo: no migration is applied.');
    expect((await run('redo', '-n', '1', '--all')).code).toBe(2);
  });
});
