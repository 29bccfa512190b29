/**
 * One release path: whatever fails after the lock is taken — a thrown callback at any point, a
 * failing step, a single-transaction batch — the lock is released, nothing is left inside a
 * transaction, a pooled connection a migration ran on is not handed back, and the history says
 * exactly what was committed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MigrationInput, Migrator, type MigratorEvent } from '../../src/index.js';
import { dialectsWithMysql, type TestDatabase } from '../support/dialects.js';

const migrations: MigrationInput[] = [1, 2, 3].map((n) => ({
  version: n,
  description: `table ${n}`,
  up: `CREATE TABLE t${n} (id int);\nINSERT INTO t${n} VALUES (${n});\n`,
}));

/** Every point after the lock where a callback runs: the event and, for steps, which one. */
const POINTS: { type: MigratorEvent['type']; version?: bigint }[] = [
  { type: 'lock-acquired' },
  ...[1n, 2n, 3n].flatMap((version) => [
    { type: 'step-start' as const, version },
    { type: 'step-done' as const, version },
  ]),
];

function throwAt(point: (typeof POINTS)[number]) {
  return (event: MigratorEvent) => {
    if (event.type !== point.type) return;
    if (point.version !== undefined && 'step' in event && event.step.version !== point.version) return;
    throw new Error(`injected at ${point.type} ${point.version ?? ''}`);
  };
}

async function appliedVersions(db: TestDatabase): Promise<string[]> {
  const rows = await db.query('SELECT version, success FROM _strata_migrations ORDER BY version').catch(() => []);
  return rows.map((row) => `${row.version}${row.success === true || Number(row.success) === 1 ? '' : ':dirty'}`);
}

async function expectReleased(db: TestDatabase): Promise<void> {
  expect(await db.leftOpen()).toEqual({ locks: 0, transactions: 0 });
  if (db.dialect === 'sqlite') return;
  // The pool has no idle connection that carried a migration: each pooled connection still answers with the server's defaults.
  const timeout = db.dialect === 'postgres' ? "current_setting('statement_timeout')" : '@@SESSION.max_statement_time';
  const settings = await Promise.all([1, 2, 3, 4].map(() => db.query(`SELECT ${timeout} AS t`)));
  expect(settings.map((rows) => Number(rows[0]?.t))).toEqual([0, 0, 0, 0]);
}

describe.each(dialectsWithMysql)('one release path on %s', (_name, open) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await open();
  });
  afterEach(async () => {
    await db.close();
  });

  for (const singleTransaction of [false, true]) {
    it(`a failure injected at every point after the lock releases everything${singleTransaction ? ' (singleTransaction)' : ''}`, async () => {
      if (singleTransaction && db.dialect === 'mysql') {
        // DDL commits itself there: the option is refused before anything connects.
        expect(() => new Migrator({ db: db.handle, migrations, singleTransaction })).toThrow(
          expect.objectContaining({ code: 'SINGLE_TRANSACTION_NOT_POSSIBLE' }),
        );
        expect(await db.tables()).toEqual([]);
        await expectReleased(db);
        return;
      }
      for (const [i, point] of POINTS.entries()) {
        const table = `history_${i}_${singleTransaction ? 'one' : 'each'}`;
        const statementTimeout = db.dialect === 'sqlite' ? {} : { statementTimeout: 60_000 };
        const failing = new Migrator({
          db: db.handle,
          migrations: migrations.map((m) => ({
            ...m,
            up: m.up.replaceAll(`t${m.version}`, `t${m.version}_${i}_${singleTransaction}`),
          })),
          table,
          singleTransaction,
          onEvent: throwAt(point),
          ...statementTimeout,
        });
        await expect(failing.run(), `${point.type} ${point.version ?? ''}`).rejects.toThrow(/injected at/);
        await expectReleased(db);
        // What the history says matches what is there: each version recorded has its table, the others do not.
        const recorded = (await db.query(`SELECT version FROM ${table} ORDER BY version`).catch(() => [])).map((row) =>
          Number(row.version),
        );
        for (const m of migrations) {
          const present = await db.tableExists(`t${m.version}_${i}_${singleTransaction}`);
          expect(present, `${point.type} ${point.version ?? ''}: table of ${m.version}`).toBe(
            recorded.includes(m.version as number),
          );
        }
        // And a run without the fault completes what is left.
        await new Migrator({
          db: db.handle,
          migrations: migrations.map((m) => ({
            ...m,
            up: m.up.replaceAll(`t${m.version}`, `t${m.version}_${i}_${singleTransaction}`),
          })),
          table,
        }).run();
        expect((await db.query(`SELECT version FROM ${table}`)).length).toBe(3);
        await expectReleased(db);
      }
    });
  }

  it('a failing step releases everything and records the steps before it only', async () => {
    const broken = [
      ...migrations,
      { version: 4, description: 'broken', up: 'CREATE TABLE t4 (id int);\nSELECT * FROM no_such_table;\n' },
    ];
    await expect(new Migrator({ db: db.handle, migrations: broken }).run()).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
    if (db.dialect === 'mysql') {
      // MySQL committed the CREATE TABLE as it ran: the row written first stays, dirty, never applied.
      expect(await appliedVersions(db)).toEqual(['1', '2', '3', '4:dirty']);
      expect(await db.tableExists('t4')).toBe(true);
    } else {
      expect(await appliedVersions(db)).toEqual(['1', '2', '3']);
      expect(await db.tableExists('t4')).toBe(false);
    }
    await expectReleased(db);
  });
});
