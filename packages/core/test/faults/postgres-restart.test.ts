/**
 * Issue 8: "PostgreSQL restarted in the middle of a run (on a throwaway server the test owns,
 * never the machine's shared one): the run fails with a connection error, nothing half-recorded,
 * the next run completes."
 *
 * The runner is a separate process (engine-processes' fixture, the built engine, a pg.Pool with an
 * 'error' listener as an app would have): a restart must fail the run, not crash the process.
 *
 * The outcome asserted is CONNECTION_FAILED, naming the migration that was in flight. The SQL did
 * not fail, the server went away; CONNECTION_FAILED is what isConnectionError() and so
 * migrateOnBoot's retry treat as "waiting can heal this", which is right here: the transaction
 * was rolled back and a later run applies the migration cleanly.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../../../test-support/throwaway-postgres.js';
import { describeRun, type FixtureRun, runFixture, waitFor } from '../engine-processes/process-harness.js';
import { postgresHistory, postgresTables, useCleanups } from './support/fault-helpers.js';

const cleanups = useCleanups();
let server: ThrowawayPostgres;

beforeAll(async () => {
  server = await startThrowawayPostgres();
});
afterAll(async () => {
  await server?.stop();
});

const SLEEP = "SELECT pg_sleep(CASE WHEN current_setting('application_name') = 'strata-doomed' THEN 30 ELSE 0 END);";

function migrationSet(noTransaction: boolean): Record<string, string> {
  return {
    'migrations/0001_before_the_restart.sql': 'CREATE TABLE before_restart (id INTEGER PRIMARY KEY);\n',
    'migrations/0002_during_the_restart.sql':
      `${noTransaction ? '-- no-transaction\n' : ''}CREATE TABLE during_restart (n INTEGER NOT NULL);\n` +
      `INSERT INTO during_restart (n) SELECT g FROM generate_series(1, 1000) AS g;\n${SLEEP}\n` +
      'CREATE TABLE after_sleep (id INTEGER PRIMARY KEY);\n',
    'migrations/0003_after_the_restart.sql': 'CREATE TABLE after_restart (id INTEGER PRIMARY KEY);\n',
  };
}

/** A client on the throwaway server that survives the restart by reconnecting for each use. */
async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Starts a doomed run, waits until it sleeps inside migration 2, restarts the server, returns the run. */
async function restartDuringMigration2(url: string, migrations: string): Promise<FixtureRun> {
  const doomed = runFixture({ dialect: 'postgres', url, migrations, applicationName: 'strata-doomed' });
  let finishedEarly: FixtureRun | undefined;
  doomed.then((run) => {
    finishedEarly = run;
  });
  await waitFor('the doomed run to sleep inside migration 2', async () => {
    if (finishedEarly) throw new Error(`the doomed run ended before the restart: ${describeRun(finishedEarly)}`);
    return withClient(url, async (client) => {
      const { rows } = await client.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'strata-doomed' AND state = 'active' AND query LIKE '%pg_sleep%'",
      );
      return rows.length === 1;
    });
  });
  await server.restart();
  return doomed;
}

describe('PostgreSQL restarted in the middle of a run', () => {
  it('fails a transactional migration with CONNECTION_FAILED, records nothing of it, and the next run completes', async () => {
    const url = await server.createDatabase('restart_tx');
    const dir = await tempDir('restart-tx');
    cleanups.push(dir.cleanup);
    await writeTree(dir.path, migrationSet(false));
    const migrations = join(dir.path, 'migrations');

    const failed = await restartDuringMigration2(url, migrations);
    // A clean failure, reported by the process: not a crash from an unhandled 'error' event.
    expect(failed.result.signal, describeRun(failed)).toBeNull();
    expect(failed.output, `the run crashed instead of failing: ${describeRun(failed)}`).toBeDefined();
    expect(failed.result.code, describeRun(failed)).toBe(1);
    expect(failed.output?.error?.code, describeRun(failed)).toBe('CONNECTION_FAILED');
    expect(failed.output?.error?.details?.version, describeRun(failed)).toBe('2');
    expect(failed.output?.error?.message).toMatch(/\b2\b/);
    expect(failed.output?.error?.message).not.toContain(server.password);

    // Nothing half-recorded: migration 1 committed before the restart, migration 2 left no trace.
    await withClient(url, async (client) => {
      expect(await postgresHistory(client)).toEqual([{ version: '1', success: true }]);
      expect(await postgresTables(client)).toEqual(['public._strata_migrations', 'public.before_restart']);
    });

    const rerun = await runFixture({ dialect: 'postgres', url, migrations, applicationName: 'strata-rerun' });
    expect(rerun.result.code, describeRun(rerun)).toBe(0);
    expect(rerun.output?.report?.applied).toEqual(['2', '3']);
    await withClient(url, async (client) => {
      expect(await postgresHistory(client)).toEqual(['1', '2', '3'].map((version) => ({ version, success: true })));
      const rows = await client.query('SELECT count(*)::int AS n FROM during_restart');
      expect(rows.rows[0].n).toBe(1000);
    });
  });

  it('fails a -- no-transaction migration with CONNECTION_FAILED, leaves it dirty, and the next run refuses it by name', async () => {
    const url = await server.createDatabase('restart_notx');
    const dir = await tempDir('restart-notx');
    cleanups.push(dir.cleanup);
    await writeTree(dir.path, migrationSet(true));
    const migrations = join(dir.path, 'migrations');

    const failed = await restartDuringMigration2(url, migrations);
    expect(failed.output, `the run crashed instead of failing: ${describeRun(failed)}`).toBeDefined();
    expect(failed.result.code, describeRun(failed)).toBe(1);
    expect(failed.output?.error?.code, describeRun(failed)).toBe('CONNECTION_FAILED');
    expect(failed.output?.error?.details?.version, describeRun(failed)).toBe('2');
    // The statements before the restart committed one by one, so the row must stay dirty, and the
    // person reading the error must learn that, and how to get out.
    expect(failed.output?.error?.message).toContain('strata resolve 2');

    await withClient(url, async (client) => {
      expect(await postgresHistory(client)).toEqual([
        { version: '1', success: true },
        { version: '2', success: false },
      ]);
      expect(await postgresTables(client)).toEqual([
        'public._strata_migrations',
        'public.before_restart',
        'public.during_restart',
      ]);
    });

    const refused = await runFixture({ dialect: 'postgres', url, migrations, applicationName: 'strata-rerun' });
    expect(refused.result.code, describeRun(refused)).toBe(1);
    expect(refused.output?.error?.code, describeRun(refused)).toBe('MIGRATION_DIRTY');
    expect(refused.output?.error?.message).toContain('strata resolve 2');
  });
});
