/**
 * The `singleTransaction` option: every step of one run() or revert() in ONE transaction, history
 * rows included, on real PostgreSQL and SQLite databases. MySQL and MariaDB commit DDL implicitly,
 * so there the option is refused and each migration stands alone: the same batches show what that means.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { Migrator, type MigratorEvent, type MigratorOptions, StrataError } from '../../src/index.js';
import { dialects, openMysql, openPostgres, type TestDatabase } from '../support/dialects.js';

const V = (n: number) => `2026020100000${n}`;
const file = (n: number, direction: 'up' | 'down') => `${V(n)}_step_${n}.${direction}.sql`;
const TABLES = ['st_one', 'st_two', 'st_three', 'st_four', 'st_five'];

/** Five reversible migrations; the first also inserts a row that a later script can collide with. */
function fiveMigrations(): Record<string, string> {
  const files: Record<string, string> = {};
  TABLES.forEach((table, i) => {
    const n = i + 1;
    files[file(n, 'up')] =
      n === 1
        ? `CREATE TABLE ${table} (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nINSERT INTO ${table} (id, name) VALUES (1, 'first');\n`
        : `CREATE TABLE ${table} (id INTEGER PRIMARY KEY);\n`;
    files[file(n, 'down')] = `DROP TABLE ${table};\n`;
  });
  return files;
}

async function rejection(promise: Promise<unknown>, code: string): Promise<StrataError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(StrataError);
  expect((error as StrataError).code, (error as Error).message).toBe(code);
  return error as StrataError;
}

describe.each(dialects)('singleTransaction on %s', (_name, open) => {
  let db: TestDatabase & { path?: string };
  let dir: { path: string; cleanup(): Promise<void> };
  let events: string[];
  const migrator = (options: Partial<MigratorOptions> = {}) =>
    new Migrator({
      db: db.handle,
      migrations: dir.path,
      onEvent: (event: MigratorEvent) => events.push(describeEvent(event)),
      ...options,
    });
  const history = async () =>
    (await db.query('SELECT version FROM _strata_migrations ORDER BY version')).map((row) => String(row.version));
  const existing = async () => {
    const present: string[] = [];
    for (const table of TABLES) if (await db.tableExists(table)) present.push(table);
    return present;
  };

  beforeEach(async () => {
    db = await open();
    dir = await tempDir('single-tx');
    await writeTree(dir.path, fiveMigrations());
    events = [];
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
  });

  it('applies the whole batch in one transaction, committed after the last step, with a report and events per step', async () => {
    await migrator().run({ target: V(2) });
    events = [];
    // What another connection sees at each step-done: with one transaction for the batch, nothing
    // of it until the end (SQLite; PostgreSQL proves the same with xmin below).
    const committedSeen: number[] = [];
    const observer = db.dialect === 'sqlite' ? new Database(db.path!, { readonly: true }) : undefined;
    const count = observer?.prepare('SELECT count(*) FROM _strata_migrations').pluck();
    try {
      const report = await migrator({
        singleTransaction: true,
        onEvent: (event) => {
          events.push(describeEvent(event));
          if (event.type === 'step-done' && count) committedSeen.push(Number(count.get()));
        },
      }).run();
      expect(report.singleTransaction).toBe(true);
      expect(report.applied.map((step) => String(step.version))).toEqual([V(3), V(4), V(5)]);
      for (const step of report.applied) {
        expect(step.durationMs).toBeGreaterThan(0);
        expect(step.executionTimeNs).toBeGreaterThan(0n);
      }
    } finally {
      observer?.close();
    }
    expect(events).toEqual([
      'lock-acquired',
      `step-start ${V(3)}`,
      `step-done ${V(3)}`,
      `step-start ${V(4)}`,
      `step-done ${V(4)}`,
      `step-start ${V(5)}`,
      `step-done ${V(5)}`,
    ]);
    expect(await history()).toEqual([V(1), V(2), V(3), V(4), V(5)]);
    expect(await existing()).toEqual(TABLES);
    const rows = await db.query('SELECT execution_time, success FROM _strata_migrations ORDER BY version');
    expect(rows.every((row) => Number(row.execution_time) > 0 && Number(row.success) === 1)).toBe(true);
    if (db.dialect === 'sqlite') {
      expect(committedSeen).toEqual([2, 2, 2]);
    } else {
      // The transaction that wrote a row is its xmin: one for the batch, one each before it.
      const writers = await db.query('SELECT version, xmin::text AS tx FROM _strata_migrations ORDER BY version');
      const tx = writers.map((row) => String(row.tx));
      expect(new Set(tx.slice(2)).size).toBe(1);
      expect(new Set(tx).size).toBe(3);
      const table = await db.query("SELECT xmin::text AS tx FROM pg_class WHERE relname = 'st_five'");
      expect(String(table[0]!.tx)).toBe(tx[4]);
    }
  });

  it('a failure in the 3rd of 5 rolls the whole batch back and names file:line:column and the database code', async () => {
    await writeTree(dir.path, {
      [file(3, 'up')]: 'CREATE TABLE st_three (id INTEGER PRIMARY KEY);\nINSERT INTO st_three (id) VALUES (1);\n  SELEC 1;\n',
    });
    const error = await rejection(migrator({ singleTransaction: true }).run(), 'MIGRATION_FAILED');
    expect(error.details).toMatchObject({
      version: V(3),
      file: file(3, 'up'),
      line: 3,
      column: 3,
      databaseCode: db.dialect === 'postgres' ? '42601' : 'SQLITE_ERROR',
      dirty: false,
      singleTransaction: true,
      rolledBack: [V(1), V(2), V(3)],
    });
    expect(error.message).toContain(`${file(3, 'up')}:3:3`);
    expect(error.message).toContain('rolled back as a whole');
    expect(error.message).toContain(`${V(1)}, ${V(2)}`);
    // Steps 1 and 2 were reported as run before the failure, inside the transaction that was then rolled back.
    expect(events).toEqual([
      'lock-acquired',
      `step-start ${V(1)}`,
      `step-done ${V(1)}`,
      `step-start ${V(2)}`,
      `step-done ${V(2)}`,
      `step-start ${V(3)}`,
    ]);
    expect(await history()).toEqual([]);
    expect(await existing()).toEqual([]);
  });

  it('locates a run-time error that depends on an earlier step of the batch (replaying the batch before it)', async () => {
    // No position from either database: the duplicate key exists only because step 1 ran in this batch.
    await writeTree(dir.path, {
      [file(3, 'up')]:
        "CREATE TABLE st_three (id INTEGER PRIMARY KEY);\n-- collides with the row step 1 inserted\nINSERT INTO st_one (id, name) VALUES (1, 'again');\n",
    });
    const error = await rejection(migrator({ singleTransaction: true }).run(), 'MIGRATION_FAILED');
    expect(error.details).toMatchObject({
      version: V(3),
      line: 3,
      column: 1,
      databaseCode: db.dialect === 'postgres' ? '23505' : 'SQLITE_CONSTRAINT_PRIMARYKEY',
      rolledBack: [V(1), V(2), V(3)],
    });
    expect(await history()).toEqual([]);
    expect(await existing()).toEqual([]);
    // The replay rolled back too: a run without the broken step applies cleanly afterwards.
    expect((await migrator({ singleTransaction: true }).run({ target: V(2) })).applied).toHaveLength(2);
  });

  it('refuses a batch holding a -- no-transaction step before running anything, and says how to split it', async () => {
    await writeTree(dir.path, { [file(4, 'up')]: '-- no-transaction\nCREATE TABLE st_four (id INTEGER PRIMARY KEY);\n' });
    const error = await rejection(migrator({ singleTransaction: true }).run(), 'SINGLE_TRANSACTION_NOT_POSSIBLE');
    expect(error.details).toMatchObject({ version: V(4), file: file(4, 'up'), direction: 'up', versions: [V(4)] });
    expect(error.message).toContain(`migration ${V(4)} (${file(4, 'up')}) must run outside a transaction`);
    expect(error.message).toContain('nothing was run');
    expect(error.message).toContain('Drop singleTransaction');
    expect(error.message).toContain(`--target-version ${V(3)}`);
    expect(events).toEqual([]);
    expect(await db.tableExists('_strata_migrations')).toBe(false);
    expect(await existing()).toEqual([]);
    await rejection(migrator({ singleTransaction: true }).run({ dryRun: true }), 'SINGLE_TRANSACTION_NOT_POSSIBLE');
    await rejection(migrator({ singleTransaction: true }).plan(), 'SINGLE_TRANSACTION_NOT_POSSIBLE');

    // The split the message suggests works: the batch up to 3, then the rest one by one.
    expect((await migrator({ singleTransaction: true }).run({ target: V(3) })).applied).toHaveLength(3);
    expect((await migrator().run()).applied.map((step) => step.transactional)).toEqual([false, true]);
    expect(await history()).toEqual([V(1), V(2), V(3), V(4), V(5)]);
  });

  it('reverts in one transaction; a failing down script keeps every migration applied', async () => {
    await migrator().run();
    await writeTree(dir.path, { [file(3, 'down')]: 'DROP TABLE st_three;\nDROP TABLE no_such_table;\n' });
    const error = await rejection(migrator({ singleTransaction: true }).revert({ all: true }), 'MIGRATION_FAILED');
    expect(error.details).toMatchObject({
      version: V(3),
      file: file(3, 'down'),
      direction: 'down',
      line: 2,
      column: 1,
      rolledBack: [V(5), V(4), V(3)],
    });
    expect(error.message).toContain('Every migration the revert was undoing is still applied.');
    expect(await history()).toEqual([V(1), V(2), V(3), V(4), V(5)]);
    expect(await existing()).toEqual(TABLES);

    await writeTree(dir.path, { [file(3, 'down')]: 'DROP TABLE st_three;\n' });
    const report = await migrator({ singleTransaction: true }).revert({ all: true });
    expect(report.applied.map((step) => String(step.version))).toEqual([V(5), V(4), V(3), V(2), V(1)]);
    expect(report.applied.every((step) => step.direction === 'down' && step.durationMs > 0)).toBe(true);
    expect(await history()).toEqual([]);
    expect(await existing()).toEqual([]);
  });

  it('refuses a revert through a -- no-transaction down script, reverting nothing', async () => {
    await migrator().run();
    await writeTree(dir.path, { [file(2, 'down')]: '-- no-transaction\nDROP TABLE st_two;\n' });
    const error = await rejection(migrator({ singleTransaction: true }).revert({ all: true }), 'SINGLE_TRANSACTION_NOT_POSSIBLE');
    expect(error.details).toMatchObject({ version: V(2), file: file(2, 'down'), direction: 'down' });
    expect(error.message).toContain(`--target-version ${V(2)}`);
    expect(await history()).toEqual([V(1), V(2), V(3), V(4), V(5)]);
    expect(await existing()).toEqual(TABLES);
  });

  it('accepts only true or false', () => {
    expect(() => migrator({ singleTransaction: 'yes' as never })).toThrow(/singleTransaction must be true or false/);
  });
});

describe('singleTransaction on MySQL / MariaDB, where DDL commits itself', () => {
  let db: TestDatabase;
  let dir: { path: string; cleanup(): Promise<void> };
  const migrator = (options: Partial<MigratorOptions> = {}) => new Migrator({ db: db.handle, migrations: dir.path, ...options });
  const history = async () =>
    (await db.query('SELECT version, success FROM _strata_migrations ORDER BY version')).map(
      (row) => `${row.version}:${Number(row.success) === 1 ? 'ok' : 'dirty'}`,
    );
  const existing = async () => (await db.tables()).filter((table) => TABLES.includes(table));

  beforeEach(async () => {
    db = await openMysql();
    dir = await tempDir('single-tx-mysql');
    await writeTree(dir.path, fiveMigrations());
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
  });

  it('is refused before anything connects, naming why; nothing is created', async () => {
    const error = (() => {
      try {
        migrator({ singleTransaction: true });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(StrataError);
    expect((error as StrataError).code).toBe('SINGLE_TRANSACTION_NOT_POSSIBLE');
    expect((error as StrataError).message).toContain('commits DDL implicitly');
    expect(await db.tables()).toEqual([]);
  });

  it('a failure in the 3rd of 5: 1 and 2 stay applied, what 3 ran before the failure is committed, its row dirty, never applied', async () => {
    await writeTree(dir.path, {
      [file(3, 'up')]: 'CREATE TABLE st_three (id INTEGER PRIMARY KEY);\nINSERT INTO st_three (id) VALUES (1);\n  SELEC 1;\n',
    });
    const error = await rejection(migrator().run(), 'MIGRATION_FAILED');
    expect(error.details).toMatchObject({
      version: V(3),
      file: file(3, 'up'),
      line: 3,
      column: 3,
      databaseCode: '1064',
      dirty: true,
    });
    expect(error.message).toContain('the 2 statements before the failing one are committed (lines 1, 2)');
    expect(await history()).toEqual([`${V(1)}:ok`, `${V(2)}:ok`, `${V(3)}:dirty`]);
    expect(await existing()).toEqual(['st_one', 'st_three', 'st_two']);
    expect(await db.query('SELECT id FROM st_three')).toEqual([{ id: 1 }]);
    await rejection(migrator().run(), 'MIGRATION_DIRTY');
  });

  it('a failing down script with DDL: what it dropped stays dropped, the row is left dirty', async () => {
    await migrator().run();
    await writeTree(dir.path, { [file(3, 'down')]: 'DROP TABLE st_three;\nDROP TABLE no_such_table;\n' });
    const error = await rejection(migrator().revert({ all: true }), 'MIGRATION_FAILED');
    expect(error.details).toMatchObject({ version: V(3), direction: 'down', line: 2, column: 1, dirty: true });
    expect(await history()).toEqual([`${V(1)}:ok`, `${V(2)}:ok`, `${V(3)}:dirty`]);
    expect(await existing()).toEqual(['st_one', 'st_two']);
  });
});

describe('singleTransaction on PostgreSQL with statementTimeout', () => {
  it('still cancels a statement that runs too long, and the whole batch is rolled back', async () => {
    const db = await openPostgres();
    const dir = await tempDir('single-tx-timeout');
    try {
      await writeTree(dir.path, {
        [file(1, 'up')]: 'CREATE TABLE st_one (id INTEGER PRIMARY KEY);\n',
        [file(2, 'up')]: 'CREATE TABLE st_two (id INTEGER PRIMARY KEY);\nSELECT pg_sleep(5);\n',
      });
      const error = await rejection(
        new Migrator({ db: db.handle, migrations: dir.path, singleTransaction: true, statementTimeout: 200 }).run(),
        'MIGRATION_FAILED',
      );
      expect(error.details).toMatchObject({ version: V(2), databaseCode: '57014', rolledBack: [V(1), V(2)] });
      expect(error.message).toContain('statement_timeout');
      expect(await db.query('SELECT version FROM _strata_migrations')).toEqual([]);
      expect(await db.tableExists('st_one')).toBe(false);
    } finally {
      await db.close();
      await dir.cleanup();
    }
  });
});

function describeEvent(event: MigratorEvent): string {
  return 'step' in event ? `${event.type} ${event.step.version}` : event.type;
}
