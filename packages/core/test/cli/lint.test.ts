import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

const FILES = {
  'migrations/0001_users.sql':
    'CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE INDEX users_email ON users (email);\n',
  'migrations/0002_index.sql': "SET LOCAL lock_timeout = '2s';\n\nCREATE INDEX users_email2 ON users (email);\n",
};

interface LintJson {
  findings: {
    rule: string;
    severity: string;
    version: string;
    file: string;
    line: number;
    column: number;
    message: string;
    fix: string;
  }[];
  errors: number;
  warnings: number;
  linted: number;
  silenced: number;
}

describe('strata lint', () => {
  let project: Project;
  const run = (...args: string[]) => strata(args, { cwd: project.dir });
  beforeEach(async () => {
    project = await createProject(FILES);
  });
  afterEach(() => project.cleanup());

  it('reports file:line:column, the rule, why and the fix, and exits 1 on an error; an index on a table of the same file is exempt', async () => {
    const result = await run('lint');
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain(
      'migrations/0002_index.sql:3:1 error[create-index-not-concurrently] CREATE INDEX on users takes a SHARE lock',
    );
    expect(result.stdout).toContain('    fix: CREATE INDEX CONCURRENTLY users_email2 ON users (...)');
    expect(result.stdout).toContain('✗ 1 error, 0 warnings in 2 migrations in migrations.');
    expect(result.stdout).not.toContain('0001_users');
  });

  it('--json and --format github say the same', async () => {
    const json = jsonOf<LintJson>(await run('lint', '--json'));
    expect(json).toMatchObject({ errors: 1, warnings: 0, linted: 2, silenced: 0 });
    expect(json.findings).toEqual([
      expect.objectContaining({
        rule: 'create-index-not-concurrently',
        severity: 'error',
        version: '2',
        file: '0002_index.sql',
        line: 3,
        column: 1,
      }),
    ]);
    const github = await run('lint', '--format', 'github');
    expect(github.code).toBe(1);
    expect(github.stdout).toMatch(
      /^::error file=migrations\/0002_index\.sql,line=3,col=1,title=strata lint%3A create-index-not-concurrently::CREATE INDEX on users .*%0Afix: /m,
    );
  });

  it('a -- strata-lint-ignore comment, --disable, package.json and --since silence it', async () => {
    await project.write({
      'migrations/0002_index.sql':
        "SET LOCAL lock_timeout = '2s';\n-- strata-lint-ignore create-index-not-concurrently: users is tiny\nCREATE INDEX users_email2 ON users (email);\n",
    });
    const ignored = await run('lint');
    expect(ignored.code, ignored.stdout).toBe(0);
    expect(ignored.stdout).toContain('✓ 2 migrations in migrations: no problems found (1 silenced).');
    await project.write(FILES);
    expect((await run('lint', '--disable', 'create-index-not-concurrently')).code).toBe(0);
    expect((await run('lint', '--since', '1')).code).toBe(0); // users is created by a pending migration
    const unknown = await run('lint', '--disable', 'no-such-rule');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown lint rule "no-such-rule"');
    await project.write({
      'package.json': JSON.stringify({
        name: 'app',
        strata: { lint: { rules: { 'create-index-not-concurrently': 'warning' } } },
      }),
    });
    const demoted = await run('lint');
    expect(demoted.code).toBe(0);
    expect(demoted.stdout).toContain('warning[create-index-not-concurrently]');
  });

  it('validate fails on a lint error', async () => {
    const result = await run('validate');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('migrations/0002_index.sql:3:1 [create-index-not-concurrently] CREATE INDEX on users');
  });

  describe('--only-pending against PostgreSQL', () => {
    let db: TestDatabase;
    beforeEach(async () => {
      db = await testDatabase('postgres', project.dir);
    });
    afterEach(() => db.drop());

    it('lints only what a run would apply', async () => {
      await project.write({ 'migrations/0002_index.sql': FILES['migrations/0002_index.sql'] });
      const env = { env: { DATABASE_URL: db.url } };
      expect((await strata(['run', '--target-version', '1'], { cwd: project.dir, ...env })).code).toBe(0);
      const pending = jsonOf<LintJson>(await strata(['lint', '--only-pending', '--json'], { cwd: project.dir, ...env }));
      expect(pending).toMatchObject({ linted: 1, errors: 1 });
      expect((await strata(['run'], { cwd: project.dir, ...env })).code).toBe(0);
      const nothing = await strata(['lint', '--only-pending'], { cwd: project.dir, ...env });
      expect(nothing.code).toBe(0);
      expect(nothing.stdout).toContain('✓ 0 migrations in migrations: no problems found.');
    });
  });
});
