import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../../test-support/databases.js';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { allOutput, jsonOf, strata, strataInTerminal } from './helpers/strata.js';

const GOOD = {
  'migrations/0001_users.up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n',
  'migrations/0001_users.down.sql': 'DROP TABLE users;\n',
  'migrations/0002_bio.up.sql': 'ALTER TABLE users ADD COLUMN bio TEXT;\n',
  'migrations/0002_bio.down.sql': '-- strata:irreversible: bio stays\n',
};
const BROKEN = {
  'migrations/0003_posts.up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY);\nCREATE INDEX posts_id ON posts (id);\n',
  'migrations/0003_posts.down.sql': 'DROP INDEX posts_id\nDROP TABLE posts;\n',
  'migrations/0004_tags.up.sql': 'CREATE TABLE tags (name TEXT);\n',
  'migrations/0004_tags.down.sql': '-- later\n',
};

interface ValidateJson {
  valid: boolean;
  problems: { code: string; kind: string; message: string; version: string; file?: string }[];
  reversibility: {
    ok: boolean;
    baseline: string | null;
    migrations: { version: string; status: string; findings: { kind: string; line?: number }[] }[];
    summary: Record<string, number>;
  };
}

describe.each(KINDS)('strata validate --reversible on %s', { timeout: 240_000 }, (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url }, timeoutMs: 120_000 });
  beforeEach(async () => {
    project = await createProject({ ...GOOD, ...BROKEN });
    db = await testDatabase(kind, project.dir);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('exit 1 with each broken down named by file (line and column for SQL errors), the summary line, and JSON', async () => {
    const text = await run('validate', '--reversible');
    expect(text.code, allOutput(text)).toBe(1);
    expect(text.stdout).toMatch(/✗ 0003_posts\.down\.sql:\d+:\d+: the down script fails: revert of migration 3 failed at/);
    expect(text.stdout).toContain('✗ 0004_tags.down.sql: the down script of migration 4 is empty or only comments');
    expect(text.stdout).toMatch(
      /✗ 0004_tags\.up\.sql:1:1: the up fails when applied again after the down \(redo\): .*already exists/,
    );
    expect(text.stdout).toMatch(/reversibility: 1 reversible, 1 irreversible by intent, 2 broken \(4 migrations, [\d.]+ m?s\)/);

    const json = jsonOf<ValidateJson>(await run('validate', '--reversible', '--json'));
    expect(json.valid).toBe(false);
    expect(json.reversibility.summary).toEqual({ reversible: 1, irreversible: 1, broken: 2, unchecked: 0, warnings: 0 });
    expect(json.reversibility.migrations.map((m) => [m.version, m.status])).toEqual([
      ['1', 'reversible'],
      ['2', 'irreversible'],
      ['3', 'broken'],
      ['4', 'broken'],
    ]);
    expect(json.problems.filter((p) => p.code === 'NOT_REVERSIBLE').map((p) => [p.version, p.kind])).toEqual([
      ['3', 'down-failed'],
      ['4', 'down-empty'],
      ['4', 'schema-differs'],
      ['4', 'redo-failed'],
    ]);
    // PostgreSQL: two runs, each creating and dropping two temporary databases (the second after
    // the redo failure), which a loaded shared server makes slow.
  }, 360_000);

  it('--only-pending checks what the database has not applied; clean pending migrations exit 0', async () => {
    await project.write({
      'migrations/0003_posts.down.sql': 'DROP INDEX posts_id;\nDROP TABLE posts;\n',
      'migrations/0004_tags.down.sql': '-- nothing to see\n',
    });
    expect((await run('run', '--target-version', '4')).code).toBe(0);
    await project.write({
      'migrations/0005_notes.up.sql': 'CREATE TABLE notes (id INTEGER PRIMARY KEY);\n',
      'migrations/0005_notes.down.sql': 'DROP TABLE notes;\n',
    });
    const pending = await run('validate', '--reversible', '--only-pending', '--json');
    expect(pending.code, allOutput(pending)).toBe(0);
    const json = jsonOf<ValidateJson>(pending);
    expect(json.reversibility).toMatchObject({ ok: true, baseline: '4', summary: { reversible: 1, broken: 0 } });
    expect((await run('validate', '--reversible')).code).toBe(1);
  });

  it('shows a live progress line on a terminal', async () => {
    const shown = await strataInTerminal(['validate', '--reversible'], {
      cwd: project.dir,
      env: { DATABASE_URL: db.url },
      timeoutMs: 120_000,
    });
    expect(shown.code).toBe(1);
    expect(shown.output).toMatch(/reversibility \d\/4: (applying|reverting|applying again) \d/);
  });

  it('refuses --only-pending without --reversible (usage: exit 2)', async () => {
    const refused = await run('validate', '--only-pending');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--only-pending and --require-down go with --reversible');
  });
});

describe('strata validate --reversible --shadow-url (postgres)', { timeout: 240_000 }, () => {
  it('runs the check in the given database', async () => {
    const project = await createProject(GOOD);
    const db = await testDatabase('postgres', project.dir);
    const shadow = await createPostgresDatabase('shadow');
    try {
      const result = await strata(['validate', '--reversible', '--shadow-url', shadow.url, '--json'], {
        cwd: project.dir,
        env: { DATABASE_URL: db.url },
        timeoutMs: 120_000,
      });
      expect(result.code, allOutput(result)).toBe(0);
      expect(jsonOf<{ reversibility: { shadow: string } }>(result).reversibility.shadow).toBe('the given shadow database');
    } finally {
      await shadow.drop();
      await db.drop();
      await project.cleanup();
    }
  });
});
