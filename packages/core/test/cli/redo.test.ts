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

  it('a down script that does not undo the up script: exit 1 and nothing changed (one transaction)', async () => {
    await project.write({ 'migrations/0002_create_posts.down.sql': 'SELECT 1;\n' });
    const result = await run('redo');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /error\[MIGRATION_FAILED\]: migration 2 failed at 0002_create_posts\.up\.sql(:1:1)?: .*already exists/,
    );
    expect(result.stderr).toContain('the redo was a single transaction and it was rolled back as a whole');
    expect(result.stderr).toContain(
      'Nothing changed: the redo ran in one transaction, which was rolled back; 2 is applied as before.',
    );
    expect(await applied()).toEqual(['1', '2']);
    // The revert was undone too: the row a real revert would have dropped is still there.
    expect(await db.query('SELECT title FROM posts')).toEqual([{ title: 'hello' }]);
    const next = await run('run');
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toContain('Nothing pending');
  });

  it('--all failing on its last re-apply still changes nothing', async () => {
    await project.write({ 'migrations/0002_create_posts.down.sql': 'SELECT 1;\n' });
    const result = await run('redo', '--all');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✓ applied 1 create users');
    expect(result.stderr).toContain('(it had reverted 2, 1 and re-applied 1)');
    expect(await applied()).toEqual(['1', '2']);
    expect(await db.query('SELECT title FROM posts')).toEqual([{ title: 'hello' }]);
  });

  it('with a -- no-transaction migration it runs step by step, and a failure says exactly what is left', async () => {
    await project.write({
      'migrations/0003_create_tags.up.sql': '-- no-transaction\nCREATE TABLE tags (id INTEGER PRIMARY KEY);\n',
      'migrations/0003_create_tags.down.sql': 'SELECT 1;\n',
    });
    expect((await run('run')).code).toBe(0);
    const plan = await run('redo', '-n', '2', '--dry-run');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('Dry run: would redo 2 migrations step by step');
    const result = await run('redo', '-n', '2');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'The redo ran step by step (3 runs outside a transaction), so what finished stays. Now applied: 2; dirty: 3. ' +
        'Fix the cause, then run `strata run` (first `strata resolve 3 --applied` or `--rolled-back` once the database is repaired by hand).',
    );
    expect((await run('info', '--json')).stdout).toContain('"state": "dirty"');
  });

  it('--dry-run shows the down and up steps and changes nothing; --target-version V redoes everything newer than V', async () => {
    const plan = await run('redo', '--all', '--dry-run');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(
      /Dry run: would redo 2 migrations in one transaction; nothing was changed\.\n\s+2\s+create posts\s+in a transaction\s+0002_create_posts\.down\.sql\n\s+1 .*\n\s+1 .*0001_create_users\.up\.sql\n\s+2 .*0002_create_posts\.up\.sql/,
    );
    expect(await db.query('SELECT title FROM posts')).toEqual([{ title: 'hello' }]);
    const json = jsonOf<{ singleTransaction: boolean; reverted: { dryRun: boolean; planned: unknown[] } }>(
      await run('redo', '--dry-run', '--json'),
    );
    expect(json.singleTransaction).toBe(true);
    expect(json.reverted.dryRun).toBe(true);
    expect(json.reverted.planned).toHaveLength(1);

    const result = await run('migrate', 'redo', '--target-version', '1');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('✓ reverted 2 create posts');
    expect(result.stdout).not.toContain('create users');
    expect(result.stdout).toContain('Redid 1 migration (reverted and re-applied) in one transaction');
    expect(await db.query('SELECT * FROM posts')).toEqual([]);
    expect((await run('redo', '--target-version', '1', '-n', '1')).code).toBe(2);
  });

  it('with nothing applied says so and exits 0; -n with --all exits 2', async () => {
    expect((await run('revert', '--all')).code).toBe(0);
    const result = await run('redo');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Nothing to redo: no migration is applied.');
    expect((await run('redo', '-n', '1', '--all')).code).toBe(2);
  });
});
