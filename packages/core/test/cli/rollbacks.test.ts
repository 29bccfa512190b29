/**
 * Issue 14, rollbacks from the command line: release N+1 applied migration 3, and the operator's
 * checkout (or the Job's image) is release N, which has only 1 and 2. `info` shows 3 as `future`,
 * `run` refuses it by default and leaves it alone with `--future ignore`, `revert` never touches it.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { allOutput, jsonOf, strata } from './helpers/strata.js';

const THIRD = {
  'migrations/0003_add_email.up.sql': 'ALTER TABLE users ADD COLUMN email TEXT;\n',
  'migrations/0003_add_email.down.sql': 'ALTER TABLE users DROP COLUMN email;\n',
};

describe.each(KINDS)('a rolled-back release, from the command line on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });

  /** The history rows in full and the columns of users: what must not move. */
  async function picture() {
    const history = await db.query('SELECT version, checksum, installed_on, success FROM _strata_migrations ORDER BY version');
    const columns =
      kind === 'sqlite'
        ? (await db.query<{ name: string }>('SELECT name FROM pragma_table_info(?)', ['users'])).map((row) => row.name)
        : (
            await db.query<{ name: string }>(
              "SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'users' ORDER BY ordinal_position",
            )
          ).map((row) => row.name);
    return {
      history: history.map((row) => ({ ...row, version: String(row.version), installed_on: String(row.installed_on) })),
      columns,
    };
  }

  beforeEach(async () => {
    project = await createProject({ ...USERS_AND_POSTS, ...THIRD });
    db = await testDatabase(kind, project.dir);
    // Release N+1 migrated...
    const applied = await run('run');
    expect(applied.code, applied.stderr).toBe(0);
    // ...and this checkout is release N again.
    for (const file of Object.keys(THIRD)) await rm(join(project.dir, file));
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('strata info shows the newer migration as `future`, and --exit-code counts it unless --future ignore', async () => {
    const result = await run('info');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^3\s+add email\s+future\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/m);
    expect(result.stdout).toContain('applied by a newer release: `strata run` refuses it unless --future ignore');
    expect(result.stdout).toContain('2 applied, 1 future');
    const json = jsonOf<{ migrations: { version: string; state: string }[] }>(await run('info', '--json'));
    expect(json.migrations.map((line) => [line.version, line.state])).toEqual([
      ['1', 'applied'],
      ['2', 'applied'],
      ['3', 'future'],
    ]);
    expect((await run('info', '--exit-code')).code).toBe(1);
    expect((await run('info', '--exit-code', '--future', 'ignore')).code).toBe(0);
  });

  it('strata run refuses it by default (exit 1, MIGRATION_FUTURE naming it) and leaves it alone with --future ignore', async () => {
    const before = await picture();
    expect(before.columns).toContain('email');

    const refused = await run('run');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'error[MIGRATION_FUTURE]: migration 3 was previously applied but is newer than every migration',
    );
    expect(refused.stderr).toContain('--future ignore');
    expect((await run('run', '--future', 'error')).code).toBe(1);

    const ignored = await run('run', '--future', 'ignore');
    expect(ignored.code, allOutput(ignored)).toBe(0);
    expect(ignored.stdout).toContain('Nothing pending: the database is up to date.');
    expect(ignored.stdout).toContain(
      'Ignored 1 applied migration newer than every migration here (a newer release applied it): 3',
    );
    const json = jsonOf<{ applied: unknown[]; future: string[]; lockTaken: boolean }>(
      await run('run', '--future', 'ignore', '--json'),
    );
    expect(json).toMatchObject({ applied: [], future: ['3'], lockTaken: false });
    expect((await run('run', '--future', 'ignore', '--dry-run')).stdout).toContain('Ignored 1 applied migration');
    expect(await picture()).toEqual(before);
  });

  it('strata revert never touches it: exit 1, MIGRATION_FUTURE, nothing reverted', async () => {
    const before = await picture();
    for (const args of [[], ['--all'], ['--target-version', '1'], ['--dry-run']]) {
      const result = await run('revert', ...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(
        'error[MIGRATION_FUTURE]: cannot revert: migration 3 is applied and newer than every migration',
      );
    }
    expect(await picture()).toEqual(before);
  });

  it('strata validate reports it as a problem, and as a warning with --future ignore', async () => {
    const strict = await run('validate', '--json');
    expect(strict.code).toBe(1);
    expect(jsonOf<{ problems: { code: string; version?: string }[] }>(strict).problems).toEqual([
      expect.objectContaining({ code: 'MIGRATION_FUTURE', version: '3' }),
    ]);
    const lenient = await run('validate', '--future', 'ignore');
    expect(lenient.code, allOutput(lenient)).toBe(0);
    expect(lenient.stderr).toContain(
      'warning: migration 3 was previously applied and is newer than every migration here (left alone)',
    );
  });

  it('a gap (a migration missing in the middle) is still refused with --future ignore', async () => {
    await rm(join(project.dir, 'migrations/0002_create_posts.up.sql'));
    await rm(join(project.dir, 'migrations/0002_create_posts.down.sql'));
    await project.write(THIRD);
    const result = await run('run', '--future', 'ignore');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error[MIGRATION_MISSING]: migration 2 was previously applied but is missing');
  });

  it('--future takes ignore or error: anything else is a usage error (exit 2) before the database is touched', async () => {
    const result = await run('run', '--future', 'warn');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--future is ignore or error, not "warn"');
  });
});
