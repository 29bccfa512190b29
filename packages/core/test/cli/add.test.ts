import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

describe('strata add', () => {
  let project: Project;
  const run = (...args: string[]) => strata(args, { cwd: project.dir });
  beforeEach(async () => {
    project = await createProject();
  });
  afterEach(() => project.cleanup());

  it('creates migrations/ and a simple timestamped file, printing its path', async () => {
    const before = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const result = await run('add', 'create_users');
    expect(result.code, result.stderr).toBe(0);
    const [file] = await project.list();
    expect(file).toMatch(/^\d{14}_create_users\.sql$/);
    expect(BigInt(file!.slice(0, 14))).toBeGreaterThanOrEqual(BigInt(before));
    expect(result.stdout.trim()).toBe(`created migrations/${file}`);
    expect(await project.read(`migrations/${file}`)).toBe('-- Add migration script here\n');
  });

  it('-r creates an up/down pair, and the next add keeps making pairs', async () => {
    expect((await run('add', '-r', 'one')).code).toBe(0);
    expect((await run('add', 'two')).code).toBe(0);
    const files = await project.list();
    expect(files).toHaveLength(4);
    expect(files.filter((f) => f.endsWith('_two.up.sql') || f.endsWith('_two.down.sql'))).toHaveLength(2);
    const up = files.find((f) => f.endsWith('_one.up.sql'))!;
    expect(await project.read(`migrations/${up}`)).toBe('-- Add up migration script here\n');
  });

  it('two adds within a second still get increasing, distinct versions', async () => {
    await run('add', 'a');
    await run('add', 'b');
    const [a, b] = (await project.list()).map((f) => BigInt(f.slice(0, 14)));
    expect(b!).toBeGreaterThan(a!);
  });

  it('--sequential numbers 0001, and later adds keep the sequential style and width', async () => {
    expect((await run('add', '--sequential', 'first')).code).toBe(0);
    expect((await run('add', 'second')).code).toBe(0);
    expect(await project.list()).toEqual(['0001_first.sql', '0002_second.sql']);
  });

  it('keeps the sequential style of an existing directory', async () => {
    await project.write({ 'migrations/01_init.sql': 'SELECT 1;\n', 'migrations/02_more.sql': 'SELECT 1;\n' });
    expect((await run('add', 'third')).code).toBe(0);
    expect(await project.list()).toContain('0003_third.sql');
  });

  it('--timestamp in a sequential directory still sorts after what is there', async () => {
    await project.write({ 'migrations/0001_init.sql': 'SELECT 1;\n' });
    expect((await run('add', '--timestamp', 'stamped')).code).toBe(0);
    expect((await project.list())[1]).toMatch(/^\d{14}_stamped\.sql$/);
  });

  it('refuses -r in a directory of simple migrations (exit 2, nothing created)', async () => {
    await project.write({ 'migrations/0001_init.sql': 'SELECT 1;\n' });
    const result = await run('add', '-r', 'pair');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('refusing to add a reversible one');
    expect(await project.list()).toEqual(['0001_init.sql']);
  });

  it('--layout diesel creates a Diesel directory with up.sql and down.sql, and later adds follow it', async () => {
    const result = await run('add', '--layout', 'diesel', 'create_users');
    expect(result.code, result.stderr).toBe(0);
    const [dir] = await project.list();
    expect(dir).toMatch(/^\d{4}-\d{2}-\d{2}-\d{6}_create_users$/);
    expect(await project.list(`migrations/${dir}`)).toEqual(['down.sql', 'up.sql']);
    expect(await project.read(`migrations/${dir}/up.sql`)).toBe('-- Your SQL goes here\n');
    expect(result.stdout).toContain(`migrations/${dir}/up.sql`);

    expect((await run('add', 'second')).code).toBe(0);
    const dirs = await project.list();
    expect(dirs[1]).toMatch(/^\d{4}-\d{2}-\d{2}-\d{6}_second$/);
  });

  it('--layout diesel --sequential numbers Diesel directories 0001, 0002', async () => {
    await run('add', '--layout', 'diesel', '--sequential', 'a');
    await run('add', 'b');
    expect(await project.list()).toEqual(['0001_a', '0002_b']);
  });

  it('refuses a layout other than the one the directory uses', async () => {
    await project.write({ 'migrations/2026-01-01-000000_init/up.sql': 'SELECT 1;\n' });
    const result = await run('add', '--layout', 'sqlx', 'flat');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('uses the diesel layout');
  });

  it('turns spaces into underscores, and refuses names that are paths', async () => {
    expect((await run('add', '--sequential', 'add email column')).code).toBe(0);
    expect(await project.list()).toEqual(['0001_add_email_column.sql']);
    const bad = await run('add', '../escape');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cannot be a migration name');
  });

  it('usage errors exit 2: no name, --sequential with --timestamp, an unknown layout', async () => {
    const noName = await run('add');
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('strata add needs <name>');
    const both = await run('add', '--sequential', '--timestamp', 'x');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--sequential and --timestamp cannot be used together');
    const layout = await run('add', '--layout', 'rails', 'x');
    expect(layout.code).toBe(2);
    expect(layout.stderr).toContain('--layout is sqlx or diesel');
    await expect(project.list()).rejects.toThrow();
  });

  it('--json describes what was created, with the version as a string', async () => {
    const result = await run('add', '-r', '--sequential', 'create users', '--json');
    expect(result.code).toBe(0);
    expect(jsonOf(result)).toEqual({
      version: '0001',
      description: 'create users',
      layout: 'sqlx',
      reversible: true,
      numbering: 'sequential',
      files: ['migrations/0001_create_users.up.sql', 'migrations/0001_create_users.down.sql'],
    });
  });

  it('--source puts the files in another directory', async () => {
    expect((await run('add', '--source', 'db/schema', '--sequential', 'x')).code).toBe(0);
    expect(await project.list('db/schema')).toEqual(['0001_x.sql']);
  });
});
