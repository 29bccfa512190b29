/**
 * Issue 8, bad input: "an unreadable file" among the fixture directories, meant literally: a file
 * (and a directory) whose permissions forbid reading it, EACCES from the operating system.
 * bad-directories.test.ts stands in dangling symlinks, loops and FIFOs for it because chmod does
 * not stop root; here, when the tests run as root, the engine runs in a child process as the
 * unprivileged `nobody`, for whom chmod 000 means what it says.
 *
 * Each case must be a typed SOURCE_UNREADABLE naming the entry, from run() and status(), before
 * anything is written: never a raw EACCES, and never a migration silently skipped.
 */
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { spawnNode, tempDir, writeTree } from '../../../../test-support/databases.js';
import { requireReachableByOthers } from '../../../../test-support/reachable-by-others.js';
import { useCleanups } from './support/fault-helpers.js';

const cleanups = useCleanups();

const ENGINE = pathToFileURL(fileURLToPath(new URL('../../dist/index.js', import.meta.url))).href;
const CORE_PACKAGE = fileURLToPath(new URL('../../package.json', import.meta.url));
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/**
 * Runs run() and status() on each directory against a fresh in-memory SQLite database, in a child
 * process (as `nobody` when this one is root), and reports each outcome and what was written.
 */
const CHILD = `
import { createRequire } from 'node:module';
const { Migrator, isStrataError } = await import(${JSON.stringify(ENGINE)});
const Database = createRequire(${JSON.stringify(CORE_PACKAGE)})('better-sqlite3');
const outcomes = [];
for (const dir of JSON.parse(process.argv[1])) {
  const db = new Database(':memory:');
  for (const call of ['run', 'status']) {
    try {
      const result = await new Migrator({ db, migrations: dir })[call]();
      outcomes.push({ dir, call, ok: true, result: JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? String(v) : v)) });
    } catch (error) {
      outcomes.push({ dir, call, ok: false, typed: isStrataError(error), code: error?.code ?? null, message: String(error?.message ?? error) });
    }
  }
  outcomes.push({ dir, tables: db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() });
  db.close();
}
process.stdout.write(JSON.stringify(outcomes));
`;

interface Outcome {
  dir: string;
  call?: 'run' | 'status';
  ok?: boolean;
  typed?: boolean;
  code?: string | null;
  message?: string;
  tables?: string[];
}

async function runAsUnprivileged(dirs: string[]): Promise<Outcome[]> {
  // spawnNode takes no uid: as root, the child drops to nobody before it loads the engine.
  if (isRoot) requireReachableByOthers(CORE_PACKAGE, 'the engine is loaded as `nobody` here');
  const drop = isRoot ? `process.setgid(${NOBODY}); process.setgroups([]); process.setuid(${NOBODY});\n` : '';
  const result = await spawnNode(['--input-type=module', '-e', drop + CHILD, JSON.stringify(dirs)], { cwd: '/' });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Outcome[];
}

/** A fresh temp dir that `nobody` can enter; `lock(path)` sets mode 000 and is undone before cleanup. */
async function workspace(): Promise<{ path: string; lock(path: string): Promise<void> }> {
  const root = await tempDir('unreadable');
  const locked: string[] = [];
  cleanups.push(async () => {
    for (const path of locked.reverse()) await chmod(path, 0o755).catch(() => {});
    await root.cleanup();
  });
  // mkdtemp makes it 0700; writeTree's files and directories follow the umask (readable by all).
  await chmod(root.path, 0o755);
  return {
    path: root.path,
    async lock(path) {
      await chmod(path, 0o000);
      locked.push(path);
    },
  };
}

/** run() and status() both fail with SOURCE_UNREADABLE naming `named`, and nothing was written. */
function expectRefused(outcomes: Outcome[], dir: string, named: string): void {
  for (const call of ['run', 'status'] as const) {
    const outcome = outcomes.find((o) => o.dir === dir && o.call === call);
    expect(outcome, `${call} on ${dir}`).toBeDefined();
    expect(outcome, `${call}() did not fail with a typed error: ${JSON.stringify(outcome)}`).toMatchObject({
      ok: false,
      typed: true,
    });
    expect(outcome!.code, outcome!.message).toBe('SOURCE_UNREADABLE');
    expect(outcome!.message).toContain(named);
  }
  expect(outcomes.find((o) => o.dir === dir && o.tables)?.tables, `tables written for ${dir}`).toEqual([]);
}

describe(`entries the process may not read (EACCES${isRoot ? ', as nobody' : ''})`, () => {
  it('a migration file with mode 000 beside a readable one: SOURCE_UNREADABLE naming it, nothing applied', async () => {
    const space = await workspace();
    const dir = join(space.path, 'migrations');
    await writeTree(dir, {
      '0001_readable.sql': 'CREATE TABLE readable (id INTEGER);\n',
      '0002_locked.sql': 'CREATE TABLE locked (id INTEGER);\n',
    });
    await space.lock(join(dir, '0002_locked.sql'));
    expectRefused(await runAsUnprivileged([dir]), dir, '0002_locked.sql');
  });

  it('a Diesel migration directory with mode 000 beside a readable one: SOURCE_UNREADABLE naming it, not skipped', async () => {
    const space = await workspace();
    const dir = join(space.path, 'migrations');
    await writeTree(dir, {
      '2026-06-01-000001_readable/up.sql': 'CREATE TABLE readable (id INTEGER);\n',
      '2026-06-01-000002_locked/up.sql': 'CREATE TABLE locked (id INTEGER);\n',
    });
    await space.lock(join(dir, '2026-06-01-000002_locked'));
    expectRefused(await runAsUnprivileged([dir]), dir, '2026-06-01-000002_locked');
  });

  it('the migrations directory itself with mode 000: SOURCE_UNREADABLE naming it', async () => {
    const space = await workspace();
    const dir = join(space.path, 'migrations');
    await writeTree(dir, { '0001_a.sql': 'CREATE TABLE a (id INTEGER);\n' });
    await space.lock(dir);
    expectRefused(await runAsUnprivileged([dir]), dir, dir);
  });
});
