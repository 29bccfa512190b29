import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { allOutput, jsonOf, strata } from './helpers/strata.js';

describe.each(KINDS)('strata run on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });
  const appliedVersions = () => db.appliedVersions();

  beforeEach(async () => {
    project = await createProject(USERS_AND_POSTS);
    db = await testDatabase(kind, project.dir);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('applies pending migrations in order, showing each as it starts and finishes, then a summary', async () => {
    const result = await run('run');
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('applying 1 create users ...');
    expect(lines[1]).toMatch(/^✓ applied 1 create users \(\d+(\.\d)? ms; execution time \d+(\.\d)? ms\)$/);
    expect(lines[2]).toBe('applying 2 create posts ...');
    expect(lines[3]).toMatch(/^✓ applied 2 create posts \(/);
    expect(lines[4]).toMatch(/^Applied 2 migrations in \d+(\.\d)? m?s\.$/);
    expect(await appliedVersions()).toEqual(['1', '2']);
    expect(await db.tableExists('posts')).toBe(true);
  });

  it("the two times are labelled: run's execution time is the one info shows for the same migration", async () => {
    const result = await run('run');
    const executed = /✓ applied 1 create users \(.+; execution time (\d+(?:\.\d)? m?s)\)/.exec(result.stdout)?.[1];
    expect(executed, result.stdout).toBeDefined();
    const info = await run('info');
    expect(info.stdout).toMatch(new RegExp(`^1\\s+create users\\s+applied\\s+\\S+ \\S+ UTC\\s+${executed}$`, 'm'));
  });

  it('--dry-run prints versions, descriptions and transaction mode, and touches nothing', async () => {
    await project.write({
      'migrations/0003_reindex.up.sql': '-- no-transaction\nSELECT 1;\n',
      'migrations/0003_reindex.down.sql': 'SELECT 1;\n',
    });
    const result = await run('run', '--dry-run');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Dry run: would apply 3 migrations; nothing was changed.');
    expect(result.stdout).toMatch(/1\s+create users\s+in a transaction\s+0001_create_users\.up\.sql/);
    expect(result.stdout).toMatch(/3\s+reindex\s+without a transaction/);
    expect(await db.tableExists('_strata_migrations')).toBe(false);
    expect(await db.tableExists('users')).toBe(false);

    const json = jsonOf<{ dryRun: boolean; planned: { version: string; transactional: boolean }[]; applied: unknown[] }>(
      await run('run', '--dry-run', '--json'),
    );
    expect(json.dryRun).toBe(true);
    expect(json.applied).toEqual([]);
    expect(json.planned.map((s) => [s.version, s.transactional])).toEqual([
      ['1', true],
      ['2', true],
      ['3', false],
    ]);
  });

  it('--target-version V applies up to and including V and says what was left', async () => {
    const result = await run('run', '--target-version', '1');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Applied 1 migration');
    expect(result.stdout).toContain('1 pending migration newer than the target left for later: 2');
    expect(await appliedVersions()).toEqual(['1']);
  });

  it('--target-version naming no migration is a usage error (exit 2); a non-number too', async () => {
    const unknown = await run('run', '--target-version', '7');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('target version 7 is not one of the migrations');
    const notNumber = await run('run', '--target-version', 'latest');
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toContain('--target-version must be a migration version');
    expect(await db.tableExists('users')).toBe(false);
  });

  it('--json prints the report with versions as strings, and progress on stderr only', async () => {
    const result = await run('run', '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = jsonOf<Record<string, unknown> & { applied: Record<string, unknown>[] }>(result);
    expect(report).toMatchObject({ direction: 'up', dryRun: false, skipped: [], beyondTarget: [], lockTaken: true });
    expect(report.applied).toHaveLength(2);
    expect(report.applied[0]).toMatchObject({
      version: '1',
      description: 'create users',
      direction: 'up',
      transactional: true,
      file: '0001_create_users.up.sql',
    });
    expect(typeof report.applied[0]!.durationMs).toBe('number');
    expect(typeof report.applied[0]!.executionTimeMs).toBe('number');
    expect(typeof report.totalMs).toBe('number');
    expect(result.stderr).toContain('applied 2 create posts');
  });

  it('a failing migration exits 1 naming version, file:line:column and the database code; earlier ones stay', async () => {
    await project.write({
      'migrations/0003_broken.up.sql': 'CREATE TABLE ok (id INTEGER);\nSELECT nope FROM nowhere;\n',
      'migrations/0003_broken.down.sql': 'SELECT 1;\n',
    });
    const result = await run('run');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ applying 3 broken failed after/);
    expect(result.stderr).toContain('error[MIGRATION_FAILED]: migration 3 failed at 0003_broken.up.sql:2:');
    expect(result.stderr).toMatch(kind === 'postgres' ? /\[42P01\]/ : /\[SQLITE_ERROR\]/);
    expect(result.stderr).not.toContain('    at '); // no stack without --verbose
    expect(await appliedVersions()).toEqual(['1', '2']);
    expect(await db.tableExists('ok')).toBe(false);

    const json = await run('run', '--json');
    expect(json.code).toBe(1);
    expect(jsonOf(json)).toMatchObject({
      error: { code: 'MIGRATION_FAILED', exitCode: 1, details: { version: '3', file: '0003_broken.up.sql', line: 2 } },
    });
  });

  it('--single-transaction applies the batch in one transaction, says so, and reports it in --json', async () => {
    const result = await run('run', '--single-transaction');
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('one transaction for the whole run: nothing is committed until the last migration is done');
    expect(lines[1]).toBe('applying 1 create users ...');
    expect(lines[2]).toMatch(/^✓ applied 1 create users \(/);
    expect(lines.at(-1)).toMatch(/^Applied 2 migrations in one transaction in \d+(\.\d)? m?s\.$/);
    expect(await appliedVersions()).toEqual(['1', '2']);

    await project.write({
      'migrations/0003_tags.up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\n',
      'migrations/0003_tags.down.sql': 'DROP TABLE tags;\n',
    });
    const json = jsonOf<{ singleTransaction: boolean; applied: { version: string }[] }>(
      await run('run', '--single-transaction', '--json'),
    );
    expect(json.singleTransaction).toBe(true);
    expect(json.applied.map((step) => step.version)).toEqual(['3']);
    expect(jsonOf<{ singleTransaction: boolean }>(await run('run', '--json')).singleTransaction).toBe(false);
  });

  it('--single-transaction: a failing migration rolls back the whole batch (exit 1, file:line:column)', async () => {
    await project.write({
      'migrations/0003_broken.up.sql': 'CREATE TABLE ok (id INTEGER);\nSELECT nope FROM nowhere;\n',
      'migrations/0003_broken.down.sql': 'SELECT 1;\n',
    });
    const result = await run('run', '--single-transaction');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✗ applying 3 broken failed after/);
    expect(result.stderr).toContain('error[MIGRATION_FAILED]: migration 3 failed at 0003_broken.up.sql:2:');
    expect(result.stderr).toContain('rolled back as a whole');
    expect(await appliedVersions()).toEqual([]);
    expect(await db.tableExists('users')).toBe(false);
    expect(await db.tableExists('ok')).toBe(false);

    const json = await run('run', '--single-transaction', '--json');
    expect(jsonOf(json)).toMatchObject({
      error: {
        code: 'MIGRATION_FAILED',
        exitCode: 1,
        details: { version: '3', rolledBack: ['1', '2', '3'], singleTransaction: true },
      },
    });
  });

  it('--single-transaction refuses a -- no-transaction migration before running anything (exit 2)', async () => {
    await project.write({
      'migrations/0003_reindex.up.sql': '-- no-transaction\nSELECT 1;\n',
      'migrations/0003_reindex.down.sql': 'SELECT 1;\n',
    });
    const result = await run('run', '--single-transaction');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error[SINGLE_TRANSACTION_NOT_POSSIBLE]: singleTransaction: migration 3 (0003_reindex.up.sql)',
    );
    expect(result.stderr).toContain('--target-version 2');
    expect(await db.tableExists('_strata_migrations')).toBe(false);
    expect(await db.tableExists('users')).toBe(false);
  });

  it('--verbose adds the stack trace and the engine log', async () => {
    await project.write({
      'migrations/0003_broken.up.sql': 'SELECT nope FROM nowhere;\n',
      'migrations/0003_broken.down.sql': '',
    });
    const result = await run('run', '--verbose');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\n\s+at /);
    expect(result.stderr).toContain('[info] applied migration 1 create users');
  });

  it('refuses when an applied migration is missing, unless --ignore-missing', async () => {
    expect((await run('run')).code).toBe(0);
    await rm(join(project.dir, 'migrations/0002_create_posts.up.sql'));
    await rm(join(project.dir, 'migrations/0002_create_posts.down.sql'));
    await project.write({
      'migrations/0003_tags.up.sql': 'CREATE TABLE tags (id INTEGER);\n',
      'migrations/0003_tags.down.sql': '',
    });

    const refused = await run('run');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('migration 2 was previously applied but is missing in the resolved migrations');
    expect(await db.tableExists('tags')).toBe(false);

    const allowed = await run('run', '--ignore-missing');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(await appliedVersions()).toEqual(['1', '2', '3']);
  });

  it('refuses a pending migration older than the newest applied one, unless --allow-out-of-order', async () => {
    expect((await run('run')).code).toBe(0);
    await project.write({
      'migrations/0000_early.up.sql': 'CREATE TABLE early (id INTEGER);\n',
      'migrations/0000_early.down.sql': '',
    });

    const refused = await run('run');
    expect(refused.code).toBe(1);
    expect(allOutput(refused)).toContain('error[MIGRATION_OUT_OF_ORDER]');
    expect(await db.tableExists('early')).toBe(false);

    const allowed = await run('run', '--allow-out-of-order');
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toContain('applied 0 early');
    expect(await appliedVersions()).toEqual(['0', '1', '2']);
  });

  it('refuses a modified migration with both checksums (exit 1)', async () => {
    expect((await run('run')).code).toBe(0);
    await project.write({
      'migrations/0001_create_users.up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, changed TEXT);\n',
    });
    const result = await run('run');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('migration 1 was previously applied but has been modified');
    expect(result.stderr).toMatch(/applied checksum: [0-9a-f]{96}/);
    expect(result.stderr).toMatch(/file checksum: +[0-9a-f]{96}/);
  });
});
