import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KINDS, type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

/** Runs outside a transaction and fails on its second statement: leaves a dirty row and table `half`. */
const HALF_DONE = '-- no-transaction\nCREATE TABLE half (id INTEGER);\nCREATE TABLE half (id INTEGER);\n';

interface AuditRow {
  version: unknown;
  description: string;
  resolution: string;
  resolved_by: string | null;
  resolved_on: unknown;
  started_on: unknown;
}

describe.each(KINDS)('strata resolve on %s', (kind) => {
  let project: Project;
  let db: TestDatabase;
  const run = (...args: string[]) => strata(args, { cwd: project.dir, env: { DATABASE_URL: db.url } });
  const state = async () =>
    jsonOf<{ migrations: { state: string }[] }>(await run('info', '--json')).migrations.map((m) => m.state);
  const audit = async () =>
    (await db.tableExists('_strata_migrations_resolutions'))
      ? db.query<AuditRow>('SELECT * FROM _strata_migrations_resolutions ORDER BY resolved_on')
      : [];

  beforeEach(async () => {
    project = await createProject({
      'migrations/0001_base.sql': 'CREATE TABLE base (id INTEGER);\n',
      'migrations/0002_half.sql': HALF_DONE,
    });
    db = await testDatabase(kind, project.dir);
    expect((await run('run')).code).toBe(1);
    expect(await state()).toEqual(['applied', 'dirty']);
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('--applied marks the dirty row successful and keeps a record of it in <table>_resolutions', async () => {
    const result = await run('resolve', '2', '--applied');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Resolved migration 2: marked applied.');
    expect(result.stdout).toContain('recorded in _strata_migrations_resolutions');
    expect(await state()).toEqual(['applied', 'applied']);
    const rows = await audit();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ description: 'half', resolution: 'applied' });
    expect(String(rows[0]!.version)).toBe('2');
    expect(rows[0]!.resolved_by).toBeTruthy();
    expect(rows[0]!.started_on).toBeTruthy();
    const next = await run('run');
    expect(next.stdout).toContain('Nothing pending');
  });

  it('--rolled-back forgets the row (recorded in the audit table), so the next run applies it again', async () => {
    const result = await run('resolve', '2', '--rolled-back', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(jsonOf(result)).toEqual({ version: '2', resolution: 'rolled-back', auditTable: '_strata_migrations_resolutions' });
    expect(await state()).toEqual(['applied', 'pending']);
    expect((await audit()).map((r) => r.resolution)).toEqual(['rolled-back']);

    // The person undid the half-made change and fixed the script.
    await db.query('DROP TABLE half');
    await project.write({ 'migrations/0002_half.sql': '-- no-transaction\nCREATE TABLE half (id INTEGER);\n' });
    const rerun = await run('run');
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await state()).toEqual(['applied', 'applied']);
  });

  it('a version with no dirty row cannot be resolved (exit 1), and nothing is recorded', async () => {
    const result = await run('resolve', '1', '--applied');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('migration 1 has no dirty row');
    expect(await state()).toEqual(['applied', 'dirty']);
    expect(await audit()).toEqual([]);
  });

  it('usage errors exit 2: no outcome, both outcomes, a bad version, no version', async () => {
    expect((await run('resolve', '2')).stderr).toContain('say how it ended: --applied or --rolled-back');
    for (const args of [['2'], ['2', '--applied', '--rolled-back'], ['two', '--applied'], ['--applied']]) {
      expect((await run('resolve', ...args)).code, args.join(' ')).toBe(2);
    }
    expect(await state()).toEqual(['applied', 'dirty']);
  });

  it('run refuses to pass a dirty migration, pointing at resolve', async () => {
    const result = await run('run');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error[MIGRATION_DIRTY]');
    expect(result.stderr).toContain('strata resolve 2 --applied');
  });
});
