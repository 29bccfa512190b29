import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

describe.each(KINDS)('strata baseline and repair on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });
  const state = async () =>
    jsonOf<{ migrations: { state: string }[] }>(await run('info', '--json')).migrations.map((m) => m.state);

  beforeEach(async () => {
    project = await createProject({
      'migrations/0001_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n',
      'migrations/0002_posts.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY);\n',
      'migrations/0003_tags.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\n',
    });
    db = await testDatabase(kind, project.dir);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('run on a database built before strata names baseline; baseline --dry-run, baseline, then run applies the rest', async () => {
    await db.query('CREATE TABLE users (id INTEGER PRIMARY KEY)');
    await db.query('CREATE TABLE posts (id INTEGER PRIMARY KEY)');
    const first = await run('run');
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('MIGRATION_FAILED');
    expect(first.stderr).toContain('strata baseline --version V');

    const dry = await run('baseline', '--version', '2', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Dry run: baseline would record 2 migration(s)');
    expect(await state()).toEqual(['pending', 'pending', 'pending']);

    const done = await run('baseline', '--version', '2', '--json');
    expect(done.code, done.stderr).toBe(0);
    expect(jsonOf(done)).toEqual({
      dryRun: false,
      recorded: [
        { version: '1', description: 'users' },
        { version: '2', description: 'posts' },
      ],
      planned: [
        { version: '1', description: 'users' },
        { version: '2', description: 'posts' },
      ],
      alreadyApplied: [],
      auditTable: '_strata_migrations_resolutions',
    });
    expect(await state()).toEqual(['applied', 'applied', 'pending']);
    const again = await run('baseline', '--version', '2');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('HISTORY_NOT_EMPTY');

    const rest = await run('run');
    expect(rest.code, rest.stderr).toBe(0);
    expect(await state()).toEqual(['applied', 'applied', 'applied']);
    expect(await db.tableExists('tags')).toBe(true);
  });

  it('baseline without --version is a usage error', async () => {
    const result = await run('baseline');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--version V');
  });

  it('repair after an edit on purpose: run is refused naming repair, repair records the file, run passes', async () => {
    expect((await run('run')).code).toBe(0);
    await writeFile(
      join(project.dir, 'migrations/0002_posts.sql'),
      '-- reviewed\nCREATE TABLE posts (id INTEGER PRIMARY KEY);\n',
    );
    const refused = await run('run');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('strata repair --version 2');

    const dry = await run('repair', '--version', '2', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Dry run: repair would record');
    expect((await run('run')).code).toBe(1);

    const repaired = await run('repair', '--version', '2', '--reason', 'added a comment');
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toContain('Repaired migration 2');
    const audit = await db.query<{ resolution: string; reason: string }>(
      'SELECT resolution, reason FROM _strata_migrations_resolutions',
    );
    expect(audit).toEqual([{ resolution: 'repaired', reason: 'added a comment' }]);
    expect((await run('run')).code).toBe(0);
    expect(await state()).toEqual(['applied', 'applied', 'applied']);
  });
});
