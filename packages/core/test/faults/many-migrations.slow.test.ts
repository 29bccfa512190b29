/**
 * Issue 8, load: "10,000 migrations in one directory: run, status and revert stay correct; memory
 * stays bounded." The migrator runs in a child process (fixtures/many-migrations-runner.mjs) so
 * its peak RSS is its own; the bound is generous on purpose (memory, never time, is asserted).
 * Every migration writes its own row in `ledger`, and every down script removes it, so the
 * database shows what really ran, not only what the reports say.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase, spawnNode, sqliteFile, tempDir, writeTree } from '../../../../test-support/databases.js';
import { useCleanups } from './support/fault-helpers.js';

const RUNNER = fileURLToPath(new URL('./fixtures/many-migrations-runner.mjs', import.meta.url));
const COUNT = 10_000;
const REVERT_TARGET = 5_000;
const RUN_TARGET = 7_500;
const RSS_BOUND_MB = 300;

const cleanups = useCleanups();

const pad = (n: number) => String(n).padStart(5, '0');
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

async function writeMigrations(root: string): Promise<void> {
  const files: Record<string, string> = {
    [`migrations/${pad(1)}_create_ledger.up.sql`]:
      'CREATE TABLE ledger (version INTEGER PRIMARY KEY);\nINSERT INTO ledger (version) VALUES (1);\n',
    [`migrations/${pad(1)}_create_ledger.down.sql`]: 'DROP TABLE ledger;\n',
  };
  for (let n = 2; n <= COUNT; n++) {
    files[`migrations/${pad(n)}_record_${n}.up.sql`] = `INSERT INTO ledger (version) VALUES (${n});\n`;
    files[`migrations/${pad(n)}_record_${n}.down.sql`] = `DELETE FROM ledger WHERE version = ${n};\n`;
  }
  await writeTree(root, files);
}

interface RunnerOutput {
  ok: boolean;
  phases: {
    run: string[];
    rerun: { applied: number; lockTaken: boolean };
    plan: number;
    statusAfterRun: Record<string, number>;
    revertToTarget: string[];
    statusAfterRevert: Record<string, number>;
    runToTarget: string[];
    revertAll: string[];
    statusAfterRevertAll: Record<string, number>;
  };
  database: Record<
    string,
    {
      ledger: { rows: number; min: string | null; max: string | null } | null;
      history: { rows: number; min: string | null; max: string | null; dirty: number };
    }
  >;
  timings: Record<string, number>;
  peakHeapUsedMb: number;
  maxRssMb: number;
  error?: { code?: string; message: string };
}

function expectCorrect(output: RunnerOutput): void {
  const { phases, database } = output;
  expect(phases.run).toEqual(range(1, COUNT));
  expect(database.run).toEqual({
    ledger: { rows: COUNT, min: '1', max: String(COUNT) },
    history: { rows: COUNT, min: '1', max: String(COUNT), dirty: 0 },
  });
  expect(phases.rerun).toEqual({ applied: 0, lockTaken: false });
  expect(phases.plan).toBe(0);
  expect(phases.statusAfterRun).toEqual({ applied: COUNT });

  expect(phases.revertToTarget).toEqual(range(REVERT_TARGET + 1, COUNT).reverse());
  expect(database.revertToTarget?.ledger).toEqual({ rows: REVERT_TARGET, min: '1', max: String(REVERT_TARGET) });
  expect(database.revertToTarget?.history.rows).toBe(REVERT_TARGET);
  expect(phases.statusAfterRevert).toEqual({ applied: REVERT_TARGET, pending: COUNT - REVERT_TARGET });

  expect(phases.runToTarget).toEqual(range(REVERT_TARGET + 1, RUN_TARGET));
  expect(database.runToTarget?.ledger).toEqual({ rows: RUN_TARGET, min: '1', max: String(RUN_TARGET) });

  expect(phases.revertAll).toEqual(range(1, RUN_TARGET).reverse());
  expect(database.revertAll).toEqual({ ledger: null, history: { rows: 0, min: null, max: null, dirty: 0 } });
  expect(phases.statusAfterRevertAll).toEqual({ pending: COUNT });
}

function summary(dialect: string, output: RunnerOutput): string {
  return (
    `[faults/10k] ${dialect}: max RSS ${output.maxRssMb.toFixed(0)} MB, peak heapUsed ${output.peakHeapUsedMb.toFixed(0)} MB; ` +
    `phase ms ${JSON.stringify(output.timings)}`
  );
}

async function runRunner(config: Record<string, unknown>): Promise<RunnerOutput> {
  const result = await spawnNode([RUNNER, JSON.stringify(config)], { timeoutMs: 600_000 });
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  let output: RunnerOutput | undefined;
  try {
    output = JSON.parse(line) as RunnerOutput;
  } catch {
    output = undefined;
  }
  expect(
    output?.ok,
    `runner failed: ${JSON.stringify({ code: result.code, signal: result.signal, output, stderr: result.stderr.slice(-2_000) })}`,
  ).toBe(true);
  return output!;
}

describe(`${COUNT.toLocaleString('en')} migrations in one directory`, () => {
  it('on SQLite: run, status and revert stay correct, and memory stays bounded', { timeout: 600_000 }, async () => {
    const dir = await tempDir('many-sqlite');
    cleanups.push(dir.cleanup);
    await writeMigrations(dir.path);
    const file = await sqliteFile();
    cleanups.push(file.cleanup);

    const output = await runRunner({
      dialect: 'sqlite',
      file: file.path,
      migrations: `${dir.path}/migrations`,
      revertTarget: REVERT_TARGET,
      runTarget: RUN_TARGET,
    });
    console.info(summary('SQLite', output));
    expectCorrect(output);
    expect(output.maxRssMb, summary('SQLite', output)).toBeLessThan(RSS_BOUND_MB);
  });

  it('on PostgreSQL: run, status and revert stay correct, and memory stays bounded', { timeout: 600_000 }, async () => {
    const dir = await tempDir('many-pg');
    cleanups.push(dir.cleanup);
    await writeMigrations(dir.path);
    const database = await createPostgresDatabase('many');
    cleanups.push(database.drop);

    const output = await runRunner({
      dialect: 'postgres',
      url: database.url,
      migrations: `${dir.path}/migrations`,
      revertTarget: REVERT_TARGET,
      runTarget: RUN_TARGET,
    });
    console.info(summary('PostgreSQL', output));
    expectCorrect(output);
    expect(output.maxRssMb, summary('PostgreSQL', output)).toBeLessThan(RSS_BOUND_MB);
  });
});
