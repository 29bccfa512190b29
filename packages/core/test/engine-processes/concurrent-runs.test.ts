/**
 * Issue 2: "8 processes starting a run at the same moment on one PostgreSQL database and on one
 * SQLite file apply each migration exactly once and all succeed"; the same with singleTransaction. Each runner is its own OS
 * process (fixtures/run-migrator.mjs); they connect first, then start run() together on a go file.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, sqliteFile, tempDir, writeTree } from '../../../../test-support/databases.js';
import {
  BULK_ROWS,
  concurrentMigrations,
  concurrentTables,
  concurrentVersions,
  NO_TRANSACTION_PAUSE_MS,
  NO_TRANSACTION_VERSION,
} from './migration-sets.js';
import { describeRun, type FixtureConfig, type FixtureRun, runConcurrently, runFixture, waitFor } from './process-harness.js';

const PROCESSES = 8;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function expectAllSucceeded(runs: FixtureRun[]): void {
  const failed = runs.filter((run) => run.result.code !== 0 || run.output?.ok !== true);
  expect(failed.map(describeRun), `${failed.length} of ${runs.length} processes failed`).toEqual([]);
}

/** Every version applied by exactly one process, across all of them, and each process in version order. */
function expectEachAppliedOnce(runs: FixtureRun[]): string[][] {
  const perProcess = runs.map((run) => run.output?.report?.applied ?? []);
  const all = perProcess.flat();
  expect(all.length, JSON.stringify(perProcess)).toBe(concurrentVersions.length);
  expect([...all].sort((a, b) => Number(a) - Number(b))).toEqual(concurrentVersions);
  for (const applied of perProcess) expect(applied).toEqual([...applied].sort((a, b) => Number(a) - Number(b)));
  return perProcess;
}

describe('8 processes running at the same moment', () => {
  it(`on one PostgreSQL database: one process applies all ${concurrentVersions.length} migrations, once each, and every process exits 0`, async () => {
    const database = await createPostgresDatabase('procs');
    cleanups.push(database.drop);
    const dir = await tempDir('procs-pg');
    cleanups.push(dir.cleanup);
    await writeTree(dir.path, concurrentMigrations('postgres'));
    const signals = join(dir.path, 'signals');
    await mkdir(signals);

    const { runs, msFromGo } = await runConcurrently(PROCESSES, signals, (i, files) => ({
      dialect: 'postgres',
      url: database.url,
      migrations: join(dir.path, 'migrations'),
      applicationName: `strata-proc-${i}`,
      ...files,
    }));

    expectAllSucceeded(runs);
    const perProcess = expectEachAppliedOnce(runs);
    // The advisory lock is held for the whole run, so the first to take it applies everything and
    // the rest find nothing pending under the lock (or on the fast path, if they came late).
    const appliers = perProcess.filter((applied) => applied.length > 0);
    expect(appliers).toEqual([concurrentVersions]);
    // The go signal is what makes this a race: several processes must have gone past the fast path
    // and queued for the lock (taking it, or leaving once the winner had applied everything), or
    // the test proved nothing about concurrency.
    const contenders = runs.filter(
      (run) => run.output?.report?.lockTaken || (run.output?.report?.skipped.length ?? 0) > 0,
    ).length;
    expect(contenders, JSON.stringify(runs.map((run) => run.output?.report))).toBeGreaterThanOrEqual(2);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const history = await client.query<{ version: string; success: boolean }>(
        'SELECT version::text AS version, success FROM _strata_migrations ORDER BY _strata_migrations.version',
      );
      expect(history.rows).toEqual(concurrentVersions.map((version) => ({ version, success: true })));

      const applications = await client.query<{ version: string; times: string }>(
        'SELECT version::text AS version, count(*)::text AS times FROM applications GROUP BY applications.version ORDER BY applications.version',
      );
      expect(applications.rows).toEqual(concurrentVersions.map((version) => ({ version, times: '1' })));

      for (const name of concurrentTables) {
        const { rows } = await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [name]);
        expect(rows[0].present, name).toBe(true);
      }
      // A CONCURRENTLY build that was interrupted or raced leaves an INVALID index behind.
      const index = await client.query(
        "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'idx_t05_note'",
      );
      expect(index.rows).toEqual([{ indisvalid: true }]);
      const loaded = await client.query('SELECT count(*)::int AS n FROM t05');
      expect(loaded.rows[0].n).toBe(BULK_ROWS);
    } finally {
      await client.end();
    }
    console.info(
      `[engine-processes] PostgreSQL: ${PROCESSES} processes done ${Math.round(msFromGo)} ms after the go signal; ` +
        `${contenders} went for the lock; lock waits (ms): ${runs.map((run) => Math.round(run.output?.report?.lockWaitMs ?? 0)).join(', ')}`,
    );
  });

  for (const journalMode of ['delete', 'wal'] as const) {
    it(`on one SQLite file (journal_mode=${journalMode}): each migration applied once, possibly split across processes, and every process exits 0`, async () => {
      const file = await sqliteFile();
      cleanups.push(file.cleanup);
      // The journal mode is a property of the file: set it once, before anyone races for it.
      const setup = new Database(file.path);
      setup.pragma(`journal_mode = ${journalMode}`);
      setup.close();
      const dir = await tempDir('procs-sqlite');
      cleanups.push(dir.cleanup);
      await writeTree(dir.path, concurrentMigrations('sqlite'));
      const signals = join(dir.path, 'signals');
      await mkdir(signals);

      const { runs, msFromGo } = await runConcurrently(PROCESSES, signals, (_i, files) => ({
        dialect: 'sqlite',
        file: file.path,
        migrations: join(dir.path, 'migrations'),
        ...files,
      }));

      expectAllSucceeded(runs);
      const perProcess = expectEachAppliedOnce(runs);

      const db = new Database(file.path, { readonly: true });
      try {
        const history = db
          .prepare('SELECT CAST(version AS TEXT) AS version, success FROM _strata_migrations ORDER BY _strata_migrations.version')
          .all();
        expect(history).toEqual(concurrentVersions.map((version) => ({ version, success: 1 })));
        const applications = db
          .prepare(
            'SELECT CAST(version AS TEXT) AS version, count(*) AS times FROM applications GROUP BY applications.version ORDER BY applications.version',
          )
          .all();
        expect(applications).toEqual(concurrentVersions.map((version) => ({ version, times: 1 })));
        const objects = db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')").pluck().all();
        expect(objects).toEqual(expect.arrayContaining([...concurrentTables, 'idx_t05_note']));
        expect(db.prepare('SELECT count(*) FROM t05').pluck().get()).toBe(BULK_ROWS);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
      console.info(
        `[engine-processes] SQLite ${journalMode}: ${PROCESSES} processes done ${Math.round(msFromGo)} ms after the go signal; ` +
          `applied per process: ${JSON.stringify(perProcess)}; no-transaction migration ${NO_TRANSACTION_VERSION} by process ` +
          `${perProcess.findIndex((applied) => applied.includes(String(NO_TRANSACTION_VERSION)))}`,
      );
    });
  }
});

/**
 * The same race seen from a replica that boots a little later, as in a rolling deploy: it arrives
 * while another process is inside the `-- no-transaction` migration, whose history row is written
 * with success = false until it finishes. That row belongs to a live run, not a crashed one, so
 * the late process must wait for the lock and find nothing left to do, not refuse to start.
 */
describe('a process that starts while another is inside the no-transaction migration', () => {
  const PAUSE_MS = 3_000;

  interface Target {
    config: Pick<FixtureConfig, 'dialect' | 'url' | 'file'>;
    /** success of a history row; undefined while the row (or the table) does not exist. */
    successOf(version: number): Promise<boolean | undefined>;
  }

  async function postgresTarget(): Promise<Target> {
    const database = await createPostgresDatabase('late');
    cleanups.push(database.drop);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    cleanups.push(() => client.end());
    return {
      config: { dialect: 'postgres', url: database.url },
      async successOf(version) {
        try {
          const { rows } = await client.query('SELECT success FROM _strata_migrations WHERE version = $1', [version]);
          return rows[0]?.success;
        } catch (error) {
          if ((error as { code?: string }).code === '42P01') return undefined;
          throw error;
        }
      },
    };
  }

  async function sqliteTarget(): Promise<Target> {
    const file = await sqliteFile();
    cleanups.push(file.cleanup);
    new Database(file.path).close();
    return {
      config: { dialect: 'sqlite', file: file.path },
      async successOf(version) {
        const db = new Database(file.path, { readonly: true });
        try {
          const row = db.prepare('SELECT success FROM _strata_migrations WHERE version = ?').get(version) as
            | { success: number }
            | undefined;
          return row === undefined ? undefined : row.success === 1;
        } catch (error) {
          if (/no such table/.test(String(error))) return undefined;
          throw error;
        } finally {
          db.close();
        }
      },
    };
  }

  for (const [label, open] of [
    ['PostgreSQL', postgresTarget],
    ['SQLite', sqliteTarget],
  ] as const) {
    it(`on ${label}: it waits for that run and exits 0 instead of refusing the in-progress row as dirty`, async () => {
      const target = await open();
      const dir = await tempDir('late');
      cleanups.push(dir.cleanup);
      await writeTree(dir.path, concurrentMigrations(target.config.dialect, PAUSE_MS));
      const migrations = join(dir.path, 'migrations');
      const readyFile = join(dir.path, 'late.ready');
      const goFile = join(dir.path, 'late.go');

      // The late process connects first, so it can start the moment the first run is mid-way.
      const late = runFixture({ ...target.config, migrations, applicationName: 'strata-late', readyFile, goFile });
      await waitFor('the late process to connect', async () => existsSync(readyFile));
      const first = runFixture({ ...target.config, migrations, applicationName: 'strata-first' });
      await waitFor(
        `the first run to be inside migration ${NO_TRANSACTION_VERSION}`,
        async () => (await target.successOf(NO_TRANSACTION_VERSION)) === false,
      );
      await writeFile(goFile, '');
      const [firstRun, lateRun] = await Promise.all([first, late]);

      expectAllSucceeded([firstRun, lateRun]);
      expect(firstRun.output?.report?.applied).toEqual(concurrentVersions);
      expect(lateRun.output?.report?.applied).toEqual([]);
      for (const version of concurrentVersions) expect(await target.successOf(Number(version)), version).toBe(true);
    });
  }
});

/**
 * singleTransaction changes what a run holds (one transaction for all its steps), not how runs
 * take turns: the same lock decides who applies, and the batch is all or nothing, so the first
 * runner to take the lock applies every migration and the others find nothing left.
 */
describe('4 processes running at the same moment with singleTransaction', () => {
  const SINGLE_PROCESSES = 4;

  async function expectOneBatch(runs: FixtureRun[], history: () => Promise<unknown[]>, applications: () => Promise<unknown[]>) {
    expectAllSucceeded(runs);
    const perProcess = expectEachAppliedOnce(runs);
    expect(perProcess.filter((applied) => applied.length > 0)).toEqual([concurrentVersions]);
    expect(await history()).toEqual(concurrentVersions);
    expect(await applications()).toEqual(concurrentVersions.map((version) => ({ version, times: 1 })));
  }

  it('on PostgreSQL: one process applies all of them in one transaction, once each', async () => {
    const database = await createPostgresDatabase('procs_single');
    cleanups.push(database.drop);
    const dir = await tempDir('procs-single-pg');
    cleanups.push(dir.cleanup);
    await writeTree(dir.path, concurrentMigrations('postgres', NO_TRANSACTION_PAUSE_MS, { allTransactional: true }));
    const signals = join(dir.path, 'signals');
    await mkdir(signals);

    const { runs } = await runConcurrently(SINGLE_PROCESSES, signals, (i, files) => ({
      dialect: 'postgres',
      url: database.url,
      migrations: join(dir.path, 'migrations'),
      applicationName: `strata-single-${i}`,
      singleTransaction: true,
      ...files,
    }));

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await expectOneBatch(
        runs,
        async () =>
          (
            await client.query('SELECT version::text AS version FROM _strata_migrations ORDER BY _strata_migrations.version')
          ).rows.map((row) => row.version),
        async () =>
          (
            await client.query(
              'SELECT version::text AS version, count(*)::int AS times FROM applications GROUP BY applications.version ORDER BY applications.version',
            )
          ).rows,
      );
      // One transaction wrote every history row.
      const writers = await client.query('SELECT count(DISTINCT xmin::text)::int AS n FROM _strata_migrations');
      expect(writers.rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('on one SQLite file: one process applies all of them in one transaction, once each', async () => {
    const file = await sqliteFile();
    cleanups.push(file.cleanup);
    new Database(file.path).close();
    const dir = await tempDir('procs-single-sqlite');
    cleanups.push(dir.cleanup);
    await writeTree(dir.path, concurrentMigrations('sqlite', NO_TRANSACTION_PAUSE_MS, { allTransactional: true }));
    const signals = join(dir.path, 'signals');
    await mkdir(signals);

    const { runs } = await runConcurrently(SINGLE_PROCESSES, signals, (_i, files) => ({
      dialect: 'sqlite',
      file: file.path,
      migrations: join(dir.path, 'migrations'),
      singleTransaction: true,
      ...files,
    }));

    const db = new Database(file.path, { readonly: true });
    try {
      await expectOneBatch(
        runs,
        async () =>
          db.prepare('SELECT CAST(version AS TEXT) FROM _strata_migrations ORDER BY _strata_migrations.version').pluck().all(),
        async () =>
          db
            .prepare(
              'SELECT CAST(version AS TEXT) AS version, count(*) AS times FROM applications GROUP BY applications.version ORDER BY applications.version',
            )
            .all(),
      );
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
