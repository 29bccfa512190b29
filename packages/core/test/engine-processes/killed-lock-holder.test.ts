/**
 * Issue 2: "a process killed with SIGKILL while holding the lock does not block the next run".
 * A fixture process stalls inside a transactional migration that has already done real work,
 * the test checks it holds the lock, kills it with SIGKILL, and starts a rerun straight away.
 */

import { existsSync } from 'node:fs';
import { copyFile, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteFile, tempDir, writeTree } from '../../../../test-support/databases.js';
import { advisoryLockKey } from '../../src/lock/advisory/lock-key.js';
import { KILLED_ROWS, killedMigrations } from './migration-sets.js';
import {
  canUsePidNamespaces,
  describeRun,
  doomedPostgresScene,
  readPid,
  runFixture,
  runFixtureAsPid1,
  waitFor,
} from './process-harness.js';

/** Generous: the point is "not blocked until the dead run's 30-60 s statement would have ended". */
const RERUN_UPPER_BOUND_MS = 15_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface AdvisoryLock {
  pid: number;
  application_name: string;
  state: string;
  query: string;
  classid: string;
  objid: string;
}

/** Advisory locks granted in the client's current database, with who holds them and what they run. */
async function advisoryLocks(client: pg.Client): Promise<AdvisoryLock[]> {
  const { rows } = await client.query<AdvisoryLock>(
    `SELECT l.pid, a.application_name, a.state, a.query, l.classid::text AS classid, l.objid::text AS objid
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows;
}

describe('a run killed with SIGKILL while it holds the lock', () => {
  it('on PostgreSQL: the next run is not blocked, and applies the killed migration cleanly', async () => {
    const { database, migrations, pidFile, client } = await doomedPostgresScene('killed', killedMigrations('postgres'), cleanups);

    const doomed = runFixture({
      dialect: 'postgres',
      url: database.url,
      migrations,
      applicationName: 'strata-doomed',
      pidFile,
    });
    const pid = await readPid(pidFile);

    // Holding SQLx's advisory lock, and inside migration 2 (after its CREATE TABLE and INSERT).
    const holder = await waitFor('the doomed run to hold the advisory lock inside pg_sleep', async () => {
      const locks = await advisoryLocks(client);
      return locks.find(
        (lock) => lock.application_name === 'strata-doomed' && lock.state === 'active' && lock.query.includes('pg_sleep'),
      );
    });
    const key = BigInt.asUintN(64, advisoryLockKey(database.name));
    expect({ classid: holder.classid, objid: holder.objid }).toEqual({
      classid: String(key >> 32n),
      objid: String(key & 0xffffffffn),
    });

    process.kill(pid, 'SIGKILL');
    const killedAt = performance.now();
    const killed = await doomed;
    expect(killed.result.signal, describeRun(killed)).toBe('SIGKILL');

    // Nothing of the killed attempt is visible: migration 1 committed, migration 2 did not.
    const before = await client.query('SELECT version::text AS version, success FROM _strata_migrations ORDER BY 1');
    expect(before.rows).toEqual([{ version: '1', success: true }]);
    const tables = await client.query(
      "SELECT to_regclass('before_kill') IS NOT NULL AS before_kill, to_regclass('killed_work') IS NOT NULL AS killed_work",
    );
    expect(tables.rows[0]).toEqual({ before_kill: true, killed_work: false });

    // Measured, not asserted: how long PostgreSQL kept the dead run's session lock.
    let lockFreedMs: number | undefined;
    const lockWatch = waitFor(
      'the dead backend to release the advisory lock',
      async () => {
        const locks = await advisoryLocks(client);
        if (locks.some((lock) => lock.pid === holder.pid)) return false;
        lockFreedMs = performance.now() - killedAt;
        return true;
      },
      60_000,
    ).catch(() => {});

    const rerunStarted = performance.now();
    const rerun = await runFixture({
      dialect: 'postgres',
      url: database.url,
      migrations,
      applicationName: 'strata-rerun',
    });
    const rerunMs = performance.now() - rerunStarted;
    await lockWatch;
    console.info(
      `[engine-processes] PostgreSQL: dead run's advisory lock freed ${lockFreedMs === undefined ? '(not seen)' : `${Math.round(lockFreedMs)} ms`} after SIGKILL; ` +
        `rerun took ${Math.round(rerunMs)} ms (lock wait ${Math.round(rerun.output?.report?.lockWaitMs ?? -1)} ms)`,
    );

    expect(rerun.result.code, describeRun(rerun)).toBe(0);
    expect(rerun.output?.report?.applied).toEqual(['2', '3']);
    expect(rerunMs, 'the rerun waited for the dead run (its lock outlived the process)').toBeLessThan(RERUN_UPPER_BOUND_MS);

    const after = await client.query('SELECT version::text AS version, success FROM _strata_migrations ORDER BY 1');
    expect(after.rows).toEqual(['1', '2', '3'].map((version) => ({ version, success: true })));
    // Exactly one attempt's rows: the killed attempt's INSERT was rolled back, not kept beside the rerun's.
    const rows = await client.query('SELECT count(*)::int AS n FROM killed_work');
    expect(rows.rows[0].n).toBe(KILLED_ROWS);
    const afterKill = await client.query("SELECT to_regclass('after_kill') IS NOT NULL AS present");
    expect(afterKill.rows[0].present).toBe(true);
  });

  for (const journalMode of ['delete', 'wal'] as const) {
    it(`on SQLite (journal_mode=${journalMode}): the leftover journal does not block the next run, which applies the killed migration cleanly`, async () => {
      const file = await sqliteFile();
      cleanups.push(file.cleanup);
      const setup = new Database(file.path);
      setup.pragma(`journal_mode = ${journalMode}`);
      setup.close();
      const dir = await tempDir('killed-sqlite');
      cleanups.push(dir.cleanup);
      await writeTree(dir.path, killedMigrations('sqlite'));
      const migrations = join(dir.path, 'migrations');
      const pidFile = join(dir.path, 'doomed.pid');
      const marker = join(dir.path, 'paused');

      const doomed = runFixture({ dialect: 'sqlite', file: file.path, migrations, pidFile, pauseMarkerFile: marker });
      const pid = await readPid(pidFile);
      // strata_test_pause runs after migration 2's CREATE TABLE and INSERT, inside its transaction.
      await waitFor('the doomed run to stall inside migration 2', async () => existsSync(marker));
      expect(writeLockHeld(file.path), 'the doomed run should hold the write lock').toBe(true);

      process.kill(pid, 'SIGKILL');
      const killed = await doomed;
      expect(killed.result.signal, describeRun(killed)).toBe('SIGKILL');

      // The kill left the transaction's side file behind (a hot rollback journal, or WAL frames).
      const sideFiles = journalMode === 'delete' ? ['-journal'] : ['-wal', '-shm'];
      for (const suffix of sideFiles) expect(existsSync(`${file.path}${suffix}`), `${suffix} after SIGKILL`).toBe(true);

      // Inspect a copy, so the original's leftovers are still there for the rerun to deal with.
      const inspect = await tempDir('killed-copy');
      cleanups.push(inspect.cleanup);
      for (const suffix of ['', ...sideFiles]) {
        await copyFile(`${file.path}${suffix}`, join(inspect.path, `${basename(file.path)}${suffix}`));
      }
      const copy = new Database(join(inspect.path, basename(file.path)));
      try {
        expect(copy.prepare('SELECT CAST(version AS TEXT) AS version, success FROM _strata_migrations').all()).toEqual([
          { version: '1', success: 1 },
        ]);
        expect(tableNames(copy)).toEqual(['_strata_migrations', 'before_kill']);
      } finally {
        copy.close();
      }

      const rerunStarted = performance.now();
      const rerun = await runFixture({ dialect: 'sqlite', file: file.path, migrations, pauseMs: 0 });
      const rerunMs = performance.now() - rerunStarted;
      console.info(`[engine-processes] SQLite ${journalMode}: rerun after SIGKILL took ${Math.round(rerunMs)} ms`);

      expect(rerun.result.code, describeRun(rerun)).toBe(0);
      expect(rerun.output?.report?.applied).toEqual(['2', '3']);
      expect(rerunMs).toBeLessThan(RERUN_UPPER_BOUND_MS);
      // The killed run's journal or WAL is gone once the rerun has exited cleanly; only the lock
      // database and its holder note stay (they are never deleted: see run-lock-file.ts).
      expect(await readdir(dirname(file.path))).toEqual(expectedLeftovers(file.path));

      const db = new Database(file.path, { readonly: true });
      try {
        expect(
          db
            .prepare(
              'SELECT CAST(version AS TEXT) AS version, success FROM _strata_migrations ORDER BY _strata_migrations.version',
            )
            .all(),
        ).toEqual(['1', '2', '3'].map((version) => ({ version, success: 1 })));
        expect(tableNames(db)).toEqual(['_strata_migrations', 'after_kill', 'before_kill', 'killed_work']);
        expect(db.prepare('SELECT count(*) FROM killed_work').pluck().get()).toBe(KILLED_ROWS);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }
    });
  }
});

/**
 * Containers: an app that is SIGKILLed (OOM killer, `docker kill`, a failed liveness probe) and
 * restarted comes back in the same container, with the same hostname and, as the container's
 * first process, the same pid: 1. Whatever the killed run left behind must not make the restarted
 * process wait for a holder that is, by pid and host, itself.
 */
describe('a run killed with SIGKILL, then restarted as PID 1 again (a container restart)', () => {
  it('on SQLite: the restarted run is not blocked by what the killed run left behind', async () => {
    // Fails loudly rather than skipping where PID namespaces are unavailable (tests run as root).
    expect(canUsePidNamespaces(), 'this test needs root and util-linux `unshare --pid`').toBe(true);
    const file = await sqliteFile();
    cleanups.push(file.cleanup);
    new Database(file.path).close();
    const dir = await tempDir('killed-pid1');
    cleanups.push(dir.cleanup);
    await writeTree(dir.path, killedMigrations('sqlite'));
    const migrations = join(dir.path, 'migrations');
    const marker = join(dir.path, 'paused');

    const doomed = runFixtureAsPid1({ dialect: 'sqlite', file: file.path, migrations, pauseMarkerFile: marker });
    await waitFor('the doomed run to stall inside migration 2', async () => existsSync(marker));
    expect(writeLockHeld(file.path), 'the doomed run should hold the write lock').toBe(true);
    process.kill(await doomed.hostPid(), 'SIGKILL');
    const killed = await doomed.run;
    expect(killed.output, describeRun(killed)).toBeUndefined();

    // Without a timeout a blocked run would wait forever; with one, it says what blocked it.
    const rerunStarted = performance.now();
    const rerun = await runFixtureAsPid1({
      dialect: 'sqlite',
      file: file.path,
      migrations,
      pauseMs: 0,
      lockTimeout: RERUN_UPPER_BOUND_MS,
    }).run;
    console.info(`[engine-processes] SQLite, restarted as PID 1: rerun took ${Math.round(performance.now() - rerunStarted)} ms`);
    expect(rerun.result.code, describeRun(rerun)).toBe(0);
    expect(rerun.output?.report?.applied).toEqual(['2', '3']);
    expect(await readdir(dirname(file.path))).toEqual(expectedLeftovers(file.path));
  });
});

function tableNames(db: Database.Database): string[] {
  return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
}

/** Whether another connection holds SQLite's write lock on `path`, asked without waiting. */
function writeLockHeld(path: string): boolean {
  const probe = new Database(path, { timeout: 0 });
  try {
    probe.exec('BEGIN IMMEDIATE');
    probe.exec('ROLLBACK');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw error;
  } finally {
    probe.close();
  }
}

/** What may stay beside a database after a clean run: the database, the run lock database and its holder note. */
function expectedLeftovers(databasePath: string): string[] {
  const name = basename(databasePath);
  return [name, `${name}.strata-lock`, `${name}.strata-lock.holder`].sort();
}
