import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../../test-support/databases.js';
import { query } from '../fleet/fleet-support.js';
import { createProject, type Project } from './helpers/project.js';
import { strata, strataInTerminal } from './helpers/strata.js';

const MIGRATIONS = {
  'migrations/0001_users.up.sql': 'CREATE TABLE users (id int PRIMARY KEY);\n',
  'migrations/0001_users.down.sql': 'DROP TABLE users;\n',
  'migrations/0002_audit.up.sql': 'ALTER TABLE users ADD COLUMN name text;\nCREATE TABLE audit (id int);\n',
  'migrations/0002_audit.down.sql': 'DROP TABLE audit;\nALTER TABLE users DROP COLUMN name;\n',
};

interface TargetLine {
  type: 'target';
  target: string;
  outcome: string;
  applied: string[];
  durationMs: number;
  error: { code: string; message: string; file?: string; line?: number } | null;
}

/** A URL carrying a password, so the tests can see it never printed (the test server may ignore it). */
function withPassword(url: string): { url: string; password: string } {
  const parsed = new URL(url);
  if (parsed.password) return { url, password: decodeURIComponent(parsed.password) };
  parsed.password = 'fleet-s3cret-pw';
  return { url: parsed.toString(), password: 'fleet-s3cret-pw' };
}

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('strata run | info | revert --targets (PostgreSQL databases)', () => {
  let project: Project;
  let tenants: { url: string; drop(): Promise<void> }[] = [];
  let secret = '';
  let urls: string[] = [];

  beforeAll(async () => {
    project = await createProject(MIGRATIONS);
    for (let i = 0; i < 5; i++) tenants.push(await createPostgresDatabase(`clifleet${i}`));
    urls = tenants.map((tenant) => withPassword(tenant.url).url);
    secret = withPassword(tenants[0]!.url).password;
    await query(tenants[2]!.url, 'CREATE TABLE audit (note text)');
    await project.write({ 'tenants.txt': `# every tenant\n${urls.join('\n')}\n\n# end\n` });
  });
  afterAll(async () => {
    for (const tenant of tenants) await tenant.drop();
    tenants = [];
    await project.cleanup();
  });

  it('--json writes one line per target, passwords redacted, naming the failure by file:line; a re-run does what is left', async () => {
    const first = await strata(['run', '--targets', 'tenants.txt', '--concurrency', '1', '--json'], { cwd: project.dir });
    expect(first.code, first.stderr).toBe(1);
    expect(first.stdout + first.stderr).not.toContain(secret);
    const lines = jsonLines(first.stdout);
    const targets = lines.filter((line) => line.type === 'target') as unknown as TargetLine[];
    expect(targets.map((line) => line.outcome)).toEqual(['done', 'done', 'failed', 'not-started', 'not-started']);
    expect(targets[0]!.target).toContain(':***@');
    expect(targets[0]!.applied).toEqual(['1', '2']);
    expect(targets[2]!.error).toMatchObject({ code: 'MIGRATION_FAILED', file: '0002_audit.up.sql', line: 2 });
    expect(lines.at(-1)).toMatchObject({ type: 'summary', total: 5, done: 2, failed: 1, notStarted: 2 });

    const rest = await strata(['run', '--targets', '-', '--continue-on-error', '--json'], {
      cwd: project.dir,
      input: urls.join('\n'),
    });
    expect(rest.code).toBe(1);
    // Several at a time: a line is written as its target finishes, so order them by database name.
    const after = (jsonLines(rest.stdout).filter((line) => line.type === 'target') as unknown as TargetLine[]).sort((a, b) =>
      a.target.localeCompare(b.target),
    );
    expect(after.map((line) => [line.outcome, line.applied.length])).toEqual([
      ['done', 0],
      ['done', 0],
      ['failed', 0],
      ['done', 2],
      ['done', 2],
    ]);
  });

  it('text ends with a summary table; info --exit-code and revert work on the fleet', async () => {
    await query(tenants[2]!.url, 'DROP TABLE audit');
    const run = await strata(['run', '--targets', 'tenants.txt'], { cwd: project.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Target\s+Result\s+Work\s+Duration\s+Error/);
    expect(run.stdout).toMatch(/clifleet2_\w+\s+done\s+applied 1/);
    expect(run.stdout).toMatch(/5 targets: 5 done, 1 migration applied in .* at a time\)\.\n$/);
    expect(run.stdout + run.stderr).not.toContain(secret);

    const reverted = await strata(['revert', '--targets', 'tenants.txt', '--json'], { cwd: project.dir });
    expect(reverted.code, reverted.stderr).toBe(0);
    expect(
      jsonLines(reverted.stdout)
        .filter((line) => line.type === 'target')
        .map((line) => line.applied),
    ).toEqual(Array(5).fill(['2']));
    const info = await strata(['info', '--targets', 'tenants.txt', '--exit-code', '--json'], { cwd: project.dir });
    expect(info.code).toBe(1);
    expect(jsonLines(info.stdout)[0]).toMatchObject({ pending: ['2'], states: { applied: 1, pending: 1 } });
    const validate = await strata(['validate', '--targets', 'tenants.txt'], { cwd: project.dir });
    expect(validate.code, validate.stdout).toBe(0);
  });

  it('on a terminal a live line shows done/total, running, failed and the ETA', async () => {
    const result = await strataInTerminal(['info', '--targets', 'tenants.txt', '--concurrency', '1'], { cwd: project.dir });
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/\d\/5 done, [01] running, 0 failed, ETA/);
    expect(result.output).not.toContain(secret);
  });
});

describe('strata run --targets-query --per-schema --canary', () => {
  let project: Project;
  let db: { url: string; drop(): Promise<void> };
  const SQL = "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cli\\_tenant\\_%' ORDER BY 1";

  beforeAll(async () => {
    project = await createProject(MIGRATIONS);
    db = await createPostgresDatabase('clischemas');
    const schemas = Array.from({ length: 8 }, (_, i) => `CREATE SCHEMA cli_tenant_${i};`);
    await query(db.url, `${schemas.join('\n')}\nCREATE TABLE cli_tenant_1.audit (note text);`);
  });
  afterAll(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('a failed canary stops before the rest; fixed, the fleet completes with each schema its own history', async () => {
    const args = ['run', '--database-url', db.url, '--targets-query', SQL, '--per-schema', '--canary', '3'];
    const canary = await strata(args, { cwd: project.dir });
    expect(canary.code).toBe(1);
    expect(canary.stdout).toContain('A canary failed: the rest were not started.');
    expect(canary.stdout).toMatch(/#cli_tenant_7\s+not started: a canary failed/);
    expect(await query(db.url, "SELECT to_regclass('cli_tenant_5._strata_migrations') AS t")).toEqual([{ t: null }]);

    await query(db.url, 'DROP TABLE cli_tenant_1.audit');
    const done = await strata(args, { cwd: project.dir });
    expect(done.code, done.stdout + done.stderr).toBe(0);
    const histories = await query<{ n: number }>(
      db.url,
      "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = '_strata_migrations' AND schemaname LIKE 'cli_tenant%'",
    );
    expect(histories).toEqual([{ n: 8 }]);
  });
});

describe('strata run --targets DIR (SQLite files)', () => {
  it('migrates every .db file of a directory', async () => {
    const project = await createProject(MIGRATIONS);
    await project.write({ 'tenants/README': 'not a database' });
    for (let i = 0; i < 6; i++) new Database(join(project.dir, 'tenants', `t${i}.db`)).close();
    try {
      const result = await strata(['run', '--targets', 'tenants', '--json'], { cwd: project.dir });
      expect(result.code, result.stderr).toBe(0);
      expect(jsonLines(result.stdout).at(-1)).toMatchObject({ type: 'summary', total: 6, done: 6, steps: 12 });
    } finally {
      await project.cleanup();
    }
  });

  it('usage errors: --per-schema without a query, both target options, a missing file', async () => {
    const project = await createProject(MIGRATIONS);
    try {
      expect((await strata(['run', '--targets', 'x.txt', '--per-schema'], { cwd: project.dir })).code).toBe(2);
      expect((await strata(['run', '--targets', 'x.txt', '--targets-query', 'SELECT 1'], { cwd: project.dir })).code).toBe(2);
      const missing = await strata(['run', '--targets', 'x.txt'], { cwd: project.dir });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--targets: x.txt does not exist');
    } finally {
      await project.cleanup();
    }
  });
});
