import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

interface ValidateJson {
  valid: boolean;
  layout: string | null;
  migrations: number | null;
  checkedDatabase: boolean;
  problems: { code: string; message: string; version?: string; file?: string }[];
  warnings: string[];
}

describe('strata validate without a database', () => {
  let project: Project;
  const run = (...args: string[]) => strata(args, { cwd: project.dir });
  beforeEach(async () => {
    project = await createProject(USERS_AND_POSTS);
  });
  afterEach(() => project.cleanup());

  it('a sound directory passes (exit 0) without any database URL', async () => {
    const result = await run('validate');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('✓ 2 migrations in migrations (sqlx layout): no problems found.');
    expect(jsonOf<ValidateJson>(await run('validate', '--json'))).toEqual({
      valid: true,
      source: 'migrations',
      layout: 'sqlx',
      migrations: 2,
      checkedDatabase: false,
      problems: [],
      warnings: [],
    });
  });

  it('a statement refused inside a transaction, in a transactional file, is a problem with file:line:column', async () => {
    await project.write({
      'migrations/0003_index.up.sql': 'SELECT 1;\n  CREATE INDEX CONCURRENTLY posts_title ON posts (title);\n',
      'migrations/0003_index.down.sql': 'DROP INDEX CONCURRENTLY posts_title;\n',
    });
    const result = await run('validate');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('0003_index.up.sql:2:3: CREATE INDEX CONCURRENTLY cannot run inside a transaction');
    expect(result.stdout).toContain('0003_index.down.sql:1:1: DROP INDEX CONCURRENTLY cannot run inside a transaction');
    expect(result.stdout).toContain('2 problems found');

    await project.write({
      'migrations/0003_index.up.sql': '-- no-transaction\nCREATE INDEX CONCURRENTLY posts_title ON posts (title);\n',
      'migrations/0003_index.down.sql': '-- no-transaction\nDROP INDEX CONCURRENTLY posts_title;\n',
    });
    expect((await run('validate')).code).toBe(0);
  });

  it.each([
    ['a file name without a version', { 'migrations/init.sql': 'SELECT 1;\n' }, 'INVALID_FILE_NAME'],
    ['a non-numeric version', { 'migrations/v2_users.sql': 'SELECT 1;\n' }, 'INVALID_VERSION'],
    ['a duplicate version', { 'migrations/0002_other.up.sql': 'SELECT 1;\n' }, 'DUPLICATE_VERSION'],
    ['mixed styles', { 'migrations/0003_simple.sql': 'SELECT 1;\n' }, 'MIXED_STYLES'],
    ['a down without an up', { 'migrations/0004_orphan.down.sql': 'SELECT 1;\n' }, 'DOWN_WITHOUT_UP'],
  ])('%s is a problem (exit 1)', async (_label, files, code) => {
    await project.write(files);
    const result = await run('validate', '--json');
    expect(result.code).toBe(1);
    const json = jsonOf<ValidateJson>(result);
    expect(json.valid).toBe(false);
    expect(json.problems.map((p) => p.code)).toEqual([code]);
  });

  it('warns about stray files and up scripts without a down, without failing', async () => {
    await project.write({ 'migrations/README.md': '# notes\n', 'migrations/0003_no_down.up.sql': 'SELECT 1;\n' });
    const result = await run('validate');
    expect(result.code, result.stdout).toBe(0);
    expect(result.stderr).toContain('warning: not migrations, ignored: README.md');
    expect(result.stderr).toContain('0003_no_down.up.sql has no .down.sql beside it');
  });

  it('a missing migrations directory is a usage error (exit 2)', async () => {
    const result = await run('validate', '--source', 'nowhere');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('does not exist');
  });
});

describe.each(KINDS)('strata validate with a database on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });
  beforeEach(async () => {
    project = await createProject(USERS_AND_POSTS);
    db = await testDatabase(kind, project.dir);
    expect((await run('run', '--target-version', '2')).code).toBe(0);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('checks checksums: a modified applied migration is a problem; --offline skips the database', async () => {
    expect((await run('validate')).code).toBe(0);
    await project.write({ 'migrations/0001_create_users.up.sql': 'CREATE TABLE users (id INTEGER);\n' });
    const result = await run('validate');
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /migration 1 \(0001_create_users\.up\.sql\) was previously applied but has been modified: applied checksum [0-9a-f]{96}, file checksum [0-9a-f]{96}/,
    );
    expect(result.stdout).toContain('1 problem found in migrations and the database.');

    const offline = await run('validate', '--offline', '--json');
    expect(offline.code).toBe(0);
    expect(jsonOf<ValidateJson>(offline).checkedDatabase).toBe(false);
  });

  it('checks order: an older pending migration is a problem unless --allow-out-of-order', async () => {
    await project.write({ 'migrations/0000_early.up.sql': 'SELECT 1;\n', 'migrations/0000_early.down.sql': 'SELECT 1;\n' });
    const result = await run('validate', '--json');
    expect(result.code).toBe(1);
    const json = jsonOf<ValidateJson>(result);
    expect(json.checkedDatabase).toBe(true);
    expect(json.problems).toEqual([expect.objectContaining({ code: 'MIGRATION_OUT_OF_ORDER', version: '0' })]);
    const allowed = await run('validate', '--allow-out-of-order');
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toContain('out of order');
  });

  it('checks missing migrations unless --ignore-missing', async () => {
    await rm(join(project.dir, 'migrations/0002_create_posts.up.sql'));
    await rm(join(project.dir, 'migrations/0002_create_posts.down.sql'));
    // A newer file keeps 2 in the middle of the sequence: missing, not future.
    await project.write({
      'migrations/0003_tags.up.sql': 'CREATE TABLE tags (id INTEGER);\n',
      'migrations/0003_tags.down.sql': '',
    });
    const result = await run('validate');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('migration 2 was previously applied but is missing');
    const ignored = await run('validate', '--ignore-missing');
    expect(ignored.code).toBe(0);
    expect(ignored.stderr).toContain('warning: migration 2 was previously applied but is missing');
  });
});
