/**
 * Issue 19: "8 processes migrating one MariaDB database at once apply each migration once and all
 * succeed; SIGKILL while holding GET_LOCK frees it for the next run". Each runner is its own OS
 * process (../engine-processes/fixtures/run-migrator.mjs, which imports the built engine).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { createMysqlDatabase } from '../../../../test-support/mysql.js';
import { sqlxMysqlLockName } from '../../src/dialects/mysql/lock-name.js';
import { describeRun, readPid, runConcurrently, runFixture, waitFor } from '../engine-processes/process-harness.js';

const PROCESSES = 8;
const COUNT = 12;
const NO_TRANSACTION = 6;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const pad = (n: number) => String(n).padStart(4, '0');

/** Every migration records itself in `applications` (no key): one that ran twice shows as two rows. */
function migrations(): Record<string, string> {
  const files: Record<string, string> = {
    [`migrations/${pad(1)}_applications.sql`]:
      'CREATE TABLE applications (version INTEGER NOT NULL);\nINSERT INTO applications VALUES (1);\n',
  };
  for (let n = 2; n <= COUNT; n++) {
    const head = n === NO_TRANSACTION ? '-- no-transaction\nSELECT SLEEP(0.5);\n' : '';
    files[`migrations/${pad(n)}_t${n}.sql`] =
      `${head}CREATE TABLE t${n} (id INTEGER PRIMARY KEY, note TEXT NOT NULL);\nINSERT INTO t${n} VALUES (1, 'x');\nINSERT INTO applications VALUES (${n});\n`;
  }
  return files;
}

async function pool(url: string): Promise<mysql.Pool> {
  const opened = mysql.createPool({ uri: url, connectionLimit: 2 });
  cleanups.push(() => opened.end());
  return opened;
}

describe('processes on one MariaDB database', () => {
  it(`${PROCESSES} at the same moment: each migration applied once, every process exits 0`, async () => {
    const database = await createMysqlDatabase('procs');
    cleanups.push(database.drop);
    const dir = await tempDir('procs-mysql');
    cleanups.push(dir.cleanup);
    await writeTree(dir.path, migrations());
    const signals = join(dir.path, 'signals');
    await mkdir(signals);
    const { runs } = await runConcurrently(PROCESSES, signals, (_i, { readyFile, goFile }) => ({
      dialect: 'mysql',
      url: database.url,
      migrations: join(dir.path, 'migrations'),
      readyFile,
      goFile,
    }));
    const failed = runs.filter((run) => run.result.code !== 0 || run.output?.ok !== true);
    expect(failed.map(describeRun)).toEqual([]);
    const applied = runs.flatMap((run) => run.output?.report?.applied ?? []);
    expect(applied.sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: COUNT }, (_, i) => String(i + 1)));
    const check = await pool(database.url);
    const [rows] = await check.query('SELECT version, COUNT(*) AS n FROM applications GROUP BY version HAVING n > 1');
    expect(rows).toEqual([]);
    const [history] = await check.query('SELECT COUNT(*) AS n FROM _strata_migrations WHERE success = TRUE');
    expect(Number((history as { n: number }[])[0]?.n)).toBe(COUNT);
  });

  it('a runner killed with SIGKILL while holding GET_LOCK frees it: the next run takes it and completes', async () => {
    const database = await createMysqlDatabase('killed');
    cleanups.push(database.drop);
    const dir = await tempDir('killed-mysql');
    cleanups.push(dir.cleanup);
    const admin = await pool(database.url);
    // The stall lasts while the marker row exists: the rerun runs the same bytes without it.
    await admin.query('CREATE TABLE stall_marker (id INTEGER)');
    await admin.query('INSERT INTO stall_marker VALUES (1)');
    await writeTree(dir.path, {
      'migrations/0001_before.sql': 'CREATE TABLE before_kill (id INTEGER PRIMARY KEY);\n',
      'migrations/0002_stalls.sql':
        'INSERT INTO before_kill VALUES (1);\nSELECT SLEEP(IF((SELECT COUNT(*) FROM stall_marker) > 0, 60, 0));\n',
      'migrations/0003_after.sql': 'CREATE TABLE after_kill (id INTEGER PRIMARY KEY);\n',
    });
    const pidFile = join(dir.path, 'pid');
    const doomed = runFixture({ dialect: 'mysql', url: database.url, migrations: join(dir.path, 'migrations'), pidFile });
    const pid = await readPid(pidFile);
    const lockName = sqlxMysqlLockName(database.name);
    // Held, and the holder is inside the stalling statement.
    await waitFor('the doomed run to hold GET_LOCK and sleep', async () => {
      const [rows] = await admin.query(
        "SELECT IS_USED_LOCK(?) AS holder, (SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'SELECT SLEEP(IF(%') AS sleeping",
        [lockName],
      );
      const row = (rows as { holder: number | null; sleeping: number }[])[0];
      return row?.holder !== null && Number(row?.sleeping) > 0;
    });
    process.kill(pid, 'SIGKILL');
    const killed = await doomed;
    expect(killed.result.signal).toBe('SIGKILL');
    await admin.query('DELETE FROM stall_marker');
    // Were the lock still held by the killed session, this run would end in LOCK_TIMEOUT.
    const rerun = await runFixture({
      dialect: 'mysql',
      url: database.url,
      migrations: join(dir.path, 'migrations'),
      lockTimeout: 15_000,
    });
    expect(rerun.output?.ok, describeRun(rerun)).toBe(true);
    expect(rerun.output?.report?.applied).toEqual(['2', '3']);
    expect(await admin.query('SELECT IS_USED_LOCK(?) AS holder', [lockName]).then(([rows]) => rows)).toEqual([{ holder: null }]);
    // The killed transaction was rolled back by the server: the row it inserted is there once, from the rerun.
    const [rows] = await admin.query('SELECT COUNT(*) AS n FROM before_kill');
    expect(Number((rows as { n: number }[])[0]?.n)).toBe(1);
  });
});
