/**
 * Issue 14, "Bounded stalls": a network that stalls (nothing cut, nothing answered) between the
 * runner and PostgreSQL. Before, a stall between the two round trips of a step left the backend
 * idle in transaction holding ACCESS EXCLUSIVE on the table: the app's SELECT on it was still
 * blocked after 20 s, waiting replicas waited with it, and the runner hung until the kernel gave up
 * on TCP (~15 min). Here a TCP proxy stops forwarding one connection at a chosen moment, and:
 * the server ends the stalled session within `stallTimeout` (the app and the waiters go on), the
 * history keeps nothing of the stalled step, a later run applies it exactly once, and the stalled
 * runner fails within the bound rather than hanging. Bounds are checked with a wide margin (a
 * loaded 2-core machine), never tightly.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../../test-support/databases.js';
import { pgServerAddress, startTcpProxy, type TcpProxy, throughPort } from '../../../../test-support/tcp-proxy.js';
import { isStrataError, type MigrationInput, Migrator } from '../../src/index.js';
import { advisoryLockKey } from '../../src/lock/advisory/lock-key.js';
import { postgresHistory, useCleanups } from './support/fault-helpers.js';

/** Small, so each test takes seconds; the default is 60 s. */
const STALL_MS = 3_000;
/** On top of the bound: scheduling on a loaded machine, the watch's next look, pool turnover. */
const MARGIN_MS = 10_000;
const MARKER = 'the network stalls after this';

const cleanups = useCleanups();

const CREATE: MigrationInput = {
  version: 1,
  description: 'create accounts',
  up: 'CREATE TABLE accounts (id INTEGER PRIMARY KEY);\nINSERT INTO accounts VALUES (1);\n',
};
/** The proxy stalls once this script has reached the server: its answer never comes back. */
const ALTER_THEN_STALL: MigrationInput = {
  version: 2,
  description: 'add email',
  up: `ALTER TABLE accounts ADD COLUMN email TEXT;\n-- ${MARKER}\n`,
};

interface Setup {
  proxy: TcpProxy;
  /** A pool whose connections go through the proxy: the runner that stalls. */
  stalling: pg.Pool;
  /** A pool straight to the server: the app, and other replicas. */
  direct: pg.Pool;
  admin: pg.Client;
}

/** A fresh database; `created`: with CREATE applied straight to the server. */
async function setup({ created = true } = {}): Promise<Setup> {
  const database = await createPostgresDatabase('stalls');
  cleanups.push(database.drop);
  const direct = new pg.Pool({ connectionString: database.url, max: 4 });
  direct.on('error', () => {});
  cleanups.push(() => direct.end());
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  cleanups.push(() => admin.end());
  const proxy = await startTcpProxy(pgServerAddress());
  const stalling = new pg.Pool({ connectionString: throughPort(database.url, proxy.port), max: 4 });
  stalling.on('error', () => {});
  cleanups.push(() => stalling.end());
  // First (cleanups run newest first): cutting what is still stalled lets the pool end.
  cleanups.push(() => proxy.close());
  if (created) await new Migrator({ db: direct, migrations: [CREATE] }).run();
  return { proxy, stalling, direct, admin };
}

/** `run()` as a promise that never rejects, with the moment it settled. */
function settled<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown; at: number }> {
  return promise.then(
    (value) => ({ value, at: performance.now() }),
    (error: unknown) => ({ error, at: performance.now() }),
  );
}

/** Polls `read` until it returns `wanted`, or fails the test after `withinMs`. */
async function untilEqual<T>(read: () => Promise<T>, wanted: T, what: string, withinMs = MARGIN_MS): Promise<void> {
  let last: T | undefined;
  await until(
    async () => {
      last = await read();
      return last === wanted ? true : undefined;
    },
    what,
    withinMs,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last seen: ${String(last)}`);
  });
}

/** Polls `read` until it returns something, or fails the test after `withinMs`. */
async function until<T>(read: () => Promise<T | undefined>, what: string, withinMs = MARGIN_MS): Promise<T> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The state of the backend (other than `except`) holding `mode` on `table`, if any. */
async function holderOf(admin: pg.Client, table: string, mode: string): Promise<string | undefined> {
  const { rows } = await admin.query<{ state: string }>(
    `SELECT a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.relation = $1::regclass AND l.mode = $2 AND l.granted`,
    [table, mode],
  );
  return rows[0]?.state;
}

/** The state of the backend holding strata's advisory lock in this database, if any. */
async function advisoryHolder(admin: pg.Client): Promise<string | undefined> {
  const { rows } = await admin.query<{ state: string }>(
    `SELECT a.state FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows[0]?.state;
}

async function columns(admin: pg.Client): Promise<string[]> {
  const { rows } = await admin.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts' ORDER BY ordinal_position",
  );
  return rows.map((row) => row.column_name);
}

/** A run on `db` with the small stall bound, once the proxy stalled it (after it sent MARKER). */
async function stalledRun(proxy: TcpProxy, db: pg.Pool | pg.Client, migrations: MigrationInput[], skip = 0) {
  const stalled = proxy.stallAfter(MARKER, skip);
  const runner = settled(new Migrator({ db, migrations, stallTimeout: STALL_MS }).run());
  return { runner, stalledAt: await stalled };
}

/** The stalled runner failed as a stall, within the bound. */
function expectStalled(outcome: { error?: unknown; at: number }, stalledAt: number): void {
  const { error } = outcome;
  expect(isStrataError(error, 'CONNECTION_FAILED'), String(error)).toBe(true);
  expect((error as Error).message).toContain('stalled');
  expect((error as Error).message).toContain('stall timeout');
  expect(outcome.at - stalledAt).toBeLessThan(STALL_MS + MARGIN_MS);
}

/** Another replica's run, straight to the server, started while the stalled runner holds the lock. */
async function replicaRun(direct: pg.Pool, migrations: MigrationInput[], stalledAt: number) {
  const replica = await settled(new Migrator({ db: direct, migrations }).run());
  expect(replica.error).toBeUndefined();
  expect(replica.value?.lockWaitMs, 'the replica waited for the stalled holder').toBeGreaterThan(0);
  expect(replica.at - stalledAt).toBeLessThan(STALL_MS + MARGIN_MS);
  return replica.value!;
}

describe('a network that stalls under a run (PostgreSQL)', () => {
  it('between the two round trips of a step: the app’s SELECT goes on within stallTimeout, nothing of the step is kept, the runner fails, a later run applies it once', async () => {
    const { proxy, stalling, direct, admin } = await setup();

    const { runner, stalledAt } = await stalledRun(proxy, stalling, [CREATE, ALTER_THEN_STALL]);
    // What the issue saw: the step's transaction open on the server, its ACCESS EXCLUSIVE held, nobody there.
    await untilEqual(
      () => holderOf(admin, 'accounts', 'AccessExclusiveLock'),
      'idle in transaction',
      'the step to hold its lock, idle',
    );

    const app = new pg.Client({ connectionString: (direct.options as { connectionString: string }).connectionString });
    await app.connect();
    cleanups.push(() => app.end());
    const appPid = (await app.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const select = settled(app.query('SELECT count(*)::int AS n FROM accounts'));
    let sawBlocked = false;
    const unblocked = await until(
      async () => {
        const { rows } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = $2', [
          appPid,
          'Lock',
        ]);
        if (rows.length > 0) sawBlocked = true;
        return Promise.race([select, new Promise<undefined>((resolve) => setTimeout(resolve, 50))]);
      },
      'the app’s SELECT to return',
      STALL_MS + MARGIN_MS,
    );
    expect(sawBlocked, 'the app’s SELECT waited for the stalled step’s lock').toBe(true);
    expect(unblocked.error).toBeUndefined();
    expect(unblocked.at - stalledAt).toBeLessThan(STALL_MS + MARGIN_MS);

    // The server rolled the step back: no column, no history row.
    expect(await columns(admin)).toEqual(['id']);
    expect(await postgresHistory(admin)).toEqual([{ version: '1', success: true }]);

    const outcome = await runner;
    expectStalled(outcome, stalledAt);
    expect((outcome.error as { details?: unknown }).details).toMatchObject({ version: '2', transient: true });

    const again = await new Migrator({ db: direct, migrations: [CREATE, ALTER_THEN_STALL] }).run();
    expect(again.applied.map((step) => step.version)).toEqual([2n]);
    expect(await columns(admin)).toEqual(['id', 'email']);
    expect(await postgresHistory(admin)).toEqual([
      { version: '1', success: true },
      { version: '2', success: true },
    ]);
  });

  it('a replica waiting for the lock gets it once the server ended the stalled holder’s session, and applies the step exactly once', async () => {
    const { proxy, stalling, direct, admin } = await setup();

    const { runner, stalledAt } = await stalledRun(proxy, stalling, [CREATE, ALTER_THEN_STALL]);
    await untilEqual(() => advisoryHolder(admin), 'idle in transaction', 'the stalled runner to hold the migration lock, idle');

    const replica = await replicaRun(direct, [CREATE, ALTER_THEN_STALL], stalledAt);
    expect(replica.applied.map((step) => step.version)).toEqual([2n]);
    expect(await columns(admin)).toEqual(['id', 'email']);
    expect(await postgresHistory(admin)).toEqual([
      { version: '1', success: true },
      { version: '2', success: true },
    ]);

    expectStalled(await runner, stalledAt);
  });

  it('right after a step’s COMMIT, holding only the migration lock: the server ends the idle session (idle_session_timeout) and a waiting replica goes on', async () => {
    const { proxy, stalling, direct, admin } = await setup();
    // The description travels only in the step's second round trip (its history row and COMMIT).
    const committedThenStall: MigrationInput = { version: 2, description: MARKER, up: 'CREATE TABLE audit (id INTEGER);\n' };
    const next: MigrationInput = { version: 3, description: 'create notes', up: 'CREATE TABLE notes (id INTEGER);\n' };
    const migrations = [CREATE, committedThenStall, next];

    const { runner, stalledAt } = await stalledRun(proxy, stalling, migrations);
    await untilEqual(() => advisoryHolder(admin), 'idle', 'the stalled runner to hold the migration lock, idle');

    const replica = await replicaRun(direct, migrations, stalledAt);
    // Step 2 committed on the server before the stall hid the answer: the replica applies only 3.
    expect(replica.applied.map((step) => step.version)).toEqual([3n]);
    expect(await postgresHistory(admin)).toEqual([
      { version: '1', success: true },
      { version: '2', success: true },
      { version: '3', success: true },
    ]);

    expectStalled(await runner, stalledAt);
  });

  it('on a single pg.Client the server still frees the step’s locks within stallTimeout; the runner, with no other connection to look from, waits for TCP', async () => {
    const { proxy, direct, admin } = await setup();
    const client = new pg.Client({
      connectionString: throughPort((direct.options as { connectionString: string }).connectionString, proxy.port),
    });
    client.on('error', () => {});
    await client.connect();
    cleanups.push(() => client.end().catch(() => {}));

    const { runner, stalledAt } = await stalledRun(proxy, client, [CREATE, ALTER_THEN_STALL]);
    await untilEqual(
      () => holderOf(admin, 'accounts', 'AccessExclusiveLock'),
      'idle in transaction',
      'the step to hold its lock, idle',
    );
    await untilEqual(
      () => holderOf(admin, 'accounts', 'AccessExclusiveLock'),
      undefined,
      'the server to end the stalled session',
      STALL_MS + MARGIN_MS,
    );
    expect(performance.now() - stalledAt).toBeLessThan(STALL_MS + MARGIN_MS);
    expect(await columns(admin)).toEqual(['id']);

    // Past the bound and then some, the runner still waits: nothing reaches it (keepalive is the caller's setting).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const pending = await Promise.race([runner, Promise.resolve('pending' as const)]);
    expect(pending).toBe('pending');
    // The network finally cuts the connection: the run fails as a cut connection does.
    await proxy.close();
    const outcome = await runner;
    expect(isStrataError(outcome.error, 'CONNECTION_FAILED'), String(outcome.error)).toBe(true);
  });

  it('a runner whose lock poll stalls while another holds the lock fails within the bound instead of waiting for ever', async () => {
    const { proxy, stalling, admin } = await setup({ created: false });
    const { rows } = await admin.query<{ name: string }>('SELECT current_database() AS name');
    const key = String(advisoryLockKey(rows[0]!.name));
    await admin.query('SELECT pg_advisory_lock($1)', [key]);

    // The first poll is answered (the lock is taken); the second one's answer never comes.
    const stalled = proxy.stallAfter('pg_try_advisory_lock', 1);
    const runner = settled(new Migrator({ db: stalling, migrations: [CREATE], stallTimeout: STALL_MS }).run());
    const stalledAt = await stalled;
    const outcome = await runner;
    expectStalled(outcome, stalledAt);
    // Nobody ended this session (a waiter has no idle timeout: it sits idle between polls): strata did.
    expect((outcome.error as Error).message).toContain('strata ended it');
    await admin.query('SELECT pg_advisory_unlock($1)', [key]);
  });

  it('never takes a migration’s own long statement for a stall', async () => {
    const { stalling, admin } = await setup({ created: false });
    const slow: MigrationInput = {
      version: 1,
      description: 'slow backfill',
      up: 'CREATE TABLE accounts (id INTEGER PRIMARY KEY);\nSELECT pg_sleep(3.5);\n',
    };
    const report = await new Migrator({ db: stalling, migrations: [slow], stallTimeout: 1_000 }).run();
    expect(report.applied.map((step) => step.version)).toEqual([1n]);
    expect(await postgresHistory(admin)).toEqual([{ version: '1', success: true }]);
  });

  it('sets the idle timeouts for the run, and hands the caller’s connection back without them', async () => {
    const { direct } = await setup({ created: false });
    const client = new pg.Client({ connectionString: (direct.options as { connectionString: string }).connectionString });
    await client.connect();
    cleanups.push(() => client.end());
    const settings =
      "SELECT current_setting('idle_in_transaction_session_timeout') AS in_tx, current_setting('idle_session_timeout') AS idle";
    const probe: MigrationInput = { version: 1, description: 'read settings', up: `CREATE TABLE seen AS ${settings};\n` };
    await new Migrator({ db: client, migrations: [probe], stallTimeout: 5_000 }).run();
    expect((await client.query('SELECT in_tx, idle FROM seen')).rows).toEqual([{ in_tx: '5s', idle: '5s' }]);
    expect((await client.query(settings)).rows).toEqual([{ in_tx: '0', idle: '0' }]);
  });

  it('keeps a shorter idle timeout the session already has, and sets nothing with stallTimeout: 0', async () => {
    const { direct } = await setup({ created: false });
    const url = (direct.options as { connectionString: string }).connectionString;
    const read = (version: number, table: string): MigrationInput => ({
      version,
      description: `read settings into ${table}`,
      up: `CREATE TABLE ${table} AS SELECT current_setting('idle_in_transaction_session_timeout') AS in_tx, current_setting('idle_session_timeout') AS idle;\n`,
    });
    const strict = new pg.Pool({ connectionString: url, options: '-c idle_in_transaction_session_timeout=1500' });
    cleanups.push(() => strict.end());
    await new Migrator({ db: strict, migrations: [read(1, 'strict')] }).run();
    expect((await strict.query('SELECT in_tx, idle FROM strict')).rows).toEqual([{ in_tx: '1500ms', idle: '1min' }]);

    await new Migrator({ db: direct, migrations: [read(1, 'strict'), read(2, 'unset')], stallTimeout: 0 }).run();
    expect((await direct.query('SELECT in_tx, idle FROM unset')).rows).toEqual([{ in_tx: '0', idle: '0' }]);
  });

  it('refuses a stallTimeout that would end healthy runs, or is not a number', () => {
    for (const stallTimeout of [1, 999, -1, Number.NaN, '60000' as unknown as number]) {
      expect(() => new Migrator({ db: new pg.Pool(), migrations: [], stallTimeout }), String(stallTimeout)).toThrow(
        /stallTimeout must be 0/,
      );
    }
  });
});
