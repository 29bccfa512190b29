/**
 * The migration lock held by another session (DESIGN.md, Locking): a run with a lock timeout gives
 * up with LOCK_TIMEOUT naming the holder; a run without one waits, says who it waits for, and
 * proceeds once the holder lets go. The holder is a separate connection, as another replica or an
 * SQLx migrator using the same key would be.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, sqliteFile, tempDir, writeTree } from '../../../../test-support/databases.js';
import { isStrataError, type Logger, type MigrationInput, Migrator } from '../../src/index.js';
import { advisoryLockKey } from '../../src/lock/advisory/lock-key.js';
import { killedMigrations } from './migration-sets.js';
import { describeRun, runFixture, waitFor } from './process-harness.js';

const HOLDER_NAME = 'strata-test-holder';
const MIGRATIONS: MigrationInput[] = [
  { version: 1, description: 'create waited', up: 'CREATE TABLE waited (id INTEGER PRIMARY KEY);\n' },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function recordingLogger(): Logger & { warnings: { message: string; context?: Record<string, unknown> }[] } {
  const warnings: { message: string; context?: Record<string, unknown> }[] = [];
  return {
    warnings,
    info() {},
    error() {},
    debug() {},
    warn(message, context) {
      warnings.push({ message, context });
    },
  };
}

async function catchError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

describe('PostgreSQL: the advisory lock held by another session', () => {
  async function setup() {
    const database = await createPostgresDatabase('lockheld');
    cleanups.push(database.drop);
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    cleanups.push(() => pool.end());
    const holder = new pg.Client({ connectionString: database.url, application_name: HOLDER_NAME });
    await holder.connect();
    cleanups.push(() => holder.end());
    const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const holderPid = rows[0]!.pid;
    // SQLx's key for this database: a plain client (or an SQLx migrator) taking it excludes strata.
    const key = String(advisoryLockKey(database.name));
    await holder.query('SELECT pg_advisory_lock($1)', [key]);
    return { pool, holder, holderPid, key };
  }

  async function tableExists(pool: pg.Pool, name: string): Promise<boolean> {
    const { rows } = await pool.query('SELECT to_regclass($1) IS NOT NULL AS present', [name]);
    return rows[0].present === true;
  }

  it('makes a run with lockTimeout: 500 fail with LOCK_TIMEOUT naming the holder, having changed nothing', async () => {
    const { pool, holderPid } = await setup();
    const migrator = new Migrator({ db: pool, migrations: MIGRATIONS, lockTimeout: 500 });

    const error = await catchError(migrator.run());
    expect(isStrataError(error, 'LOCK_TIMEOUT'), String(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`pid ${holderPid}`);
    expect(message).toContain(HOLDER_NAME);
    expect((error as { details: { holder?: { pid?: number } } }).details.holder?.pid).toBe(holderPid);

    // The history table is created under the lock, so a run that never got it leaves no trace.
    expect(await tableExists(pool, '_strata_migrations')).toBe(false);
    expect(await tableExists(pool, 'waited')).toBe(false);
    // The failed run returned its connection to the pool without the lock or an open transaction.
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND pid <> $1
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [holderPid],
    );
    expect(rows[0].n).toBe(0);
  });

  it('makes a run without a timeout wait, warning who holds the lock, then apply once it is released', async () => {
    const { pool, holder, holderPid, key } = await setup();
    const logger = recordingLogger();
    const migrator = new Migrator({ db: pool, migrations: MIGRATIONS, logger });

    let settled = false;
    const run = migrator.run().finally(() => {
      settled = true;
    });
    run.catch(() => {});

    const warning = await waitFor('the waiting run to warn', async () => logger.warnings[0]);
    expect(warning.message).toContain(`pid ${holderPid}`);
    expect(warning.message).toContain(HOLDER_NAME);
    expect((warning.context?.holder as { pid?: number } | undefined)?.pid).toBe(holderPid);

    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(settled, 'the run finished while another session held the lock').toBe(false);
    expect(await tableExists(pool, 'waited')).toBe(false);

    await holder.query('SELECT pg_advisory_unlock($1)', [key]);
    const report = await run;
    expect(report.applied.map((step) => step.version)).toEqual([1n]);
    expect(report.lockTaken).toBe(true);
    // It waited at least the second the holder kept the lock after the first warning.
    expect(report.lockWaitMs).toBeGreaterThanOrEqual(1_000);
    expect(await tableExists(pool, 'waited')).toBe(true);
  });
});

describe('SQLite: the write lock held by another connection', () => {
  it('makes a run with lockTimeout: 500 fail with LOCK_TIMEOUT, and a run without one proceed once it is released', async () => {
    const file = await sqliteFile();
    cleanups.push(file.cleanup);
    const holder = new Database(file.path);
    cleanups.push(async () => {
      holder.close();
    });
    const db = new Database(file.path);
    cleanups.push(async () => {
      db.close();
    });
    holder.exec('BEGIN IMMEDIATE');

    const error = await catchError(new Migrator({ db, migrations: MIGRATIONS, lockTimeout: 500 }).run());
    expect(isStrataError(error, 'LOCK_TIMEOUT'), String(error)).toBe(true);
    expect((error as Error).message).toContain(file.path);
    expect(db.inTransaction).toBe(false);

    let settled = false;
    const run = new Migrator({ db, migrations: MIGRATIONS }).run().finally(() => {
      settled = true;
    });
    run.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(settled, 'the run finished while another connection held the write lock').toBe(false);

    holder.exec('ROLLBACK');
    const report = await run;
    expect(report.applied.map((step) => step.version)).toEqual([1n]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'waited'").pluck().get()).toBe('waited');
  });
});

describe('SQLite: a run in another process', () => {
  it('makes a run with lockTimeout: 500 fail with LOCK_TIMEOUT naming that process, and a run without one wait for it to finish', async () => {
    const file = await sqliteFile();
    cleanups.push(file.cleanup);
    const dir = await tempDir('sqlite-holder');
    cleanups.push(dir.cleanup);
    await writeTree(dir.path, killedMigrations('sqlite'));
    const migrations = join(dir.path, 'migrations');
    const marker = join(dir.path, 'paused');

    // The other process applies migration 1, then stalls 3 s inside migration 2.
    const other = runFixture({ dialect: 'sqlite', file: file.path, migrations, pauseMs: 3_000, pauseMarkerFile: marker });
    await waitFor('the other process to be inside migration 2', async () => existsSync(marker));
    const db = new Database(file.path);
    cleanups.push(async () => {
      db.close();
    });
    // Were this connection ever to run migration 2 itself, it must not fail for want of the function.
    db.function('strata_test_pause', () => 0);

    const error = await catchError(new Migrator({ db, migrations, lockTimeout: 500 }).run());
    expect(isStrataError(error, 'LOCK_TIMEOUT'), String(error)).toBe(true);
    const [otherRun, report] = await Promise.all([other, new Migrator({ db, migrations }).run()]);
    expect(otherRun.result.code, describeRun(otherRun)).toBe(0);
    expect((error as Error).message).toContain(`pid ${otherRun.output?.pid}`);
    // Serialised behind the other run: nothing was left to do, whether it got the lock after the
    // other released it, or noticed while waiting that everything was applied and left.
    expect(otherRun.output?.report?.applied).toEqual(['1', '2', '3']);
    expect(report.applied).toEqual([]);
    if (!report.lockTaken) {
      // What it skipped is what was still pending when it looked: the tail of the other run's work.
      const skipped = report.skipped.map((step) => String(step.version));
      expect(skipped.length).toBeGreaterThan(0);
      expect(['1', '2', '3'].slice(3 - skipped.length)).toEqual(skipped);
    }
    expect(
      db.prepare('SELECT CAST(version AS TEXT) AS v, success FROM _strata_migrations ORDER BY _strata_migrations.version').all(),
    ).toEqual(['1', '2', '3'].map((v) => ({ v, success: 1 })));
  });
});
