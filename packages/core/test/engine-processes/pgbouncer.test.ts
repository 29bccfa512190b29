/**
 * Issue 14, item 3: strata through a real PgBouncer (Debian's package, see test-support/pgbouncer.ts)
 * with the default lock, the session advisory lock. In transaction mode it must refuse before it
 * takes the lock (POOLER_DETECTED), having changed nothing; in session mode it must work as on a
 * direct connection. Every outcome is judged on the real server, directly: the history, the tables,
 * pg_locks, pg_stat_activity, and the settings of every server connection PgBouncer holds.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, tempDir, writeTree } from '../../../../test-support/databases.js';
import { type PgBouncer, startPgBouncer } from '../../../../test-support/pgbouncer.js';
import { Migrator } from '../../src/index.js';
import { allOutput, type StrataResult, strata } from '../cli/helpers/strata.js';
import { concurrentMigrations, concurrentVersions } from './migration-sets.js';

const PROCESSES = 8;
/** PgBouncer's server connections per database: fewer than the runners, so they share them. */
const POOL_SIZE = 3;
const HISTORY = '_strata_migrations';

let transaction: PgBouncer;
let session: PgBouncer;
beforeAll(async () => {
  [transaction, session] = await Promise.all([
    startPgBouncer({ mode: 'transaction', poolSize: POOL_SIZE }),
    startPgBouncer({ mode: 'session', poolSize: POOL_SIZE }),
  ]);
});
afterAll(async () => {
  await Promise.all([transaction?.stop(), session?.stop()]);
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  /** The database's name on the server; `direct` reaches it without PgBouncer. */
  name: string;
  direct: string;
  migrations: string;
  cwd: string;
}

async function setup(): Promise<Setup> {
  const database = await createPostgresDatabase('pgbouncer');
  cleanups.push(database.drop);
  const dir = await tempDir('pgbouncer');
  cleanups.push(dir.cleanup);
  await writeTree(dir.path, concurrentMigrations('postgres', 200));
  return { name: database.name, direct: database.url, migrations: join(dir.path, 'migrations'), cwd: dir.path };
}

function runStrata(url: string, cwd: string): Promise<StrataResult> {
  return strata(['run', '--json'], { cwd, env: { DATABASE_URL: url }, timeoutMs: 90_000 });
}

function errorCode(result: StrataResult): string | undefined {
  try {
    return (JSON.parse(result.stdout) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

async function direct<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

interface ServerPicture {
  history: { version: string; success: boolean }[] | undefined;
  tables: string[];
  /** How many times each migration's body ran (its row in `applications`). */
  applications: number[];
  /** Advisory locks held on this database, by any backend (PgBouncer's server connections included). */
  advisoryLocks: number;
  idleInTransaction: number;
}

/** A database strata never touched: no history table, no table, no lock, no open transaction. */
const UNTOUCHED: ServerPicture = { history: undefined, tables: [], applications: [], advisoryLocks: 0, idleInTransaction: 0 };

/** What the server itself says about the database, asked on a direct connection. */
function picture(s: Setup): Promise<ServerPicture> {
  return direct(s.direct, async (client) => {
    const exists = async (table: string) =>
      (await client.query('SELECT to_regclass($1) IS NOT NULL AS found', [`public.${table}`])).rows[0].found === true;
    const history = (await exists(HISTORY))
      ? (await client.query(`SELECT version::text AS version, success FROM ${HISTORY} h ORDER BY h.version`)).rows
      : undefined;
    const tables = (
      await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    ).rows.map((row) => String(row.tablename));
    const applications = (await exists('applications'))
      ? (await client.query('SELECT version FROM applications ORDER BY version')).rows.map((row) => Number(row.version))
      : [];
    const { rows: locks } = await client.query(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
        WHERE l.locktype = 'advisory' AND d.datname = $1`,
      [s.name],
    );
    const { rows: idle } = await client.query(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'",
      [s.name],
    );
    return { history, tables, applications, advisoryLocks: locks[0].n, idleInTransaction: idle[0].n };
  });
}

interface ServerConnectionState {
  pid: number;
  checkInterval: string;
  statementTimeout: string;
  listening: string[];
}

/**
 * The session state of every server connection PgBouncer holds for the database: as many clients
 * as the pool has connections each open a transaction, which pins one server connection apiece,
 * so together they cover all of them (PgBouncer opens no more than the pool size).
 */
async function serverConnections(bouncer: PgBouncer, database: string): Promise<ServerConnectionState[]> {
  const clients = Array.from({ length: bouncer.poolSize }, () => new pg.Client({ connectionString: bouncer.url(database) }));
  try {
    const states: ServerConnectionState[] = [];
    for (const client of clients) {
      await client.connect();
      await client.query('BEGIN');
      const { rows } = await client.query(
        `SELECT pg_backend_pid() AS pid, current_setting('client_connection_check_interval') AS check_interval,
                current_setting('statement_timeout') AS statement_timeout, ARRAY(SELECT pg_listening_channels()) AS listening`,
      );
      states.push({
        pid: rows[0].pid,
        checkInterval: rows[0].check_interval,
        statementTimeout: rows[0].statement_timeout,
        listening: rows[0].listening,
      });
    }
    expect(new Set(states.map((state) => state.pid)).size).toBe(bouncer.poolSize);
    return states;
  } finally {
    for (const client of clients) await client.end().catch(() => {});
  }
}

function expectNothingLeftOn(states: ServerConnectionState[]): void {
  for (const state of states) {
    expect(state, `server connection ${state.pid}`).toEqual({
      pid: state.pid,
      checkInterval: '0',
      statementTimeout: '0',
      listening: [],
    });
  }
}

describe('PgBouncer in transaction mode, default (advisory) lock', () => {
  it('a single strata run refuses at once with POOLER_DETECTED naming the fixes; nothing is created or left behind', async () => {
    const s = await setup();
    const started = performance.now();
    const result = await runStrata(transaction.url(s.name), s.cwd);
    const elapsed = performance.now() - started;

    expect(result.code, allOutput(result)).toBe(2);
    expect(errorCode(result)).toBe('POOLER_DETECTED');
    expect(result.stderr).toMatch(/error\[POOLER_DETECTED\]: the database connection does not keep one PostgreSQL session/);
    expect(result.stderr).toContain('Nothing was changed');
    expect(result.stderr).toContain('direct connection');
    expect(result.stderr).toContain('--direct-url');
    expect(result.stderr).toContain('--lock lease');
    expect(elapsed).toBeLessThan(10_000);

    expect(await picture(s)).toEqual(UNTOUCHED);
    expectNothingLeftOn(await serverConnections(transaction, s.name));
  });

  it(`${PROCESSES} concurrent strata run: each refuses (POOLER_DETECTED) or, slipped through, stops with LOCK_LOST; no migration twice, nothing half-recorded, no lock or setting left`, async () => {
    const s = await setup();
    const results = await Promise.all(Array.from({ length: PROCESSES }, () => runStrata(transaction.url(s.name), s.cwd)));

    const outcomes = results.map((result) => `${result.code}:${errorCode(result)}`);
    for (const [i, result] of results.entries()) {
      expect(['2:POOLER_DETECTED', '1:LOCK_LOST'], `runner ${i}:\n${allOutput(result)}`).toContain(outcomes[i]);
    }
    const after = await picture(s);
    // Nothing recorded twice, and whatever is recorded is complete: its body ran exactly once.
    const recorded = (after.history ?? []).map((row) => Number(row.version));
    expect(new Set(recorded).size).toBe(recorded.length);
    expect((after.history ?? []).every((row) => row.success)).toBe(true);
    expect(after.applications).toEqual(recorded);
    expect(after.advisoryLocks).toBe(0);
    expect(after.idleInTransaction).toBe(0);
    expectNothingLeftOn(await serverConnections(transaction, s.name));
  });

  it('Migrator with a pg.Pool through it refuses before the lock; a direct connection then migrates normally', async () => {
    const s = await setup();
    const pool = new pg.Pool({ connectionString: transaction.url(s.name), max: 4 });
    cleanups.push(() => pool.end());
    const error = await new Migrator({ db: pool, migrations: s.migrations }).run().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'POOLER_DETECTED' });
    expect(await picture(s)).toEqual(UNTOUCHED);
    expectNothingLeftOn(await serverConnections(transaction, s.name));

    const report = await direct(s.direct, (client) => new Migrator({ db: client, migrations: s.migrations }).run());
    expect(report.applied.map((step) => String(step.version))).toEqual(concurrentVersions);
  });
});

describe('PgBouncer in session mode, default (advisory) lock', () => {
  it(`${PROCESSES} concurrent strata run: all exit 0, each migration applied exactly once, no lock left`, async () => {
    const s = await setup();
    const results = await Promise.all(Array.from({ length: PROCESSES }, () => runStrata(session.url(s.name), s.cwd)));

    for (const [i, result] of results.entries()) expect(result.code, `runner ${i}:\n${allOutput(result)}`).toBe(0);
    const after = await picture(s);
    expect(after.history?.map((row) => row.version)).toEqual(concurrentVersions);
    expect(after.history?.every((row) => row.success)).toBe(true);
    expect(after.applications).toEqual(concurrentVersions.map(Number));
    expect(after.advisoryLocks).toBe(0);
    expect(after.idleInTransaction).toBe(0);
    expectNothingLeftOn(await serverConnections(session, s.name));
  });
});

describe('what the pooler check costs', () => {
  /** The statements each client of a Migrator's pool sent during one run, by client. */
  async function statementsOfOneRun(url: string, s: Setup): Promise<string[][]> {
    const sent: string[][] = [];
    class CountingClient extends pg.Client {
      readonly #log: string[] = [];
      constructor(config: pg.ClientConfig) {
        super(config);
        sent.push(this.#log);
      }
      override query(...args: unknown[]): never {
        const first = args[0];
        this.#log.push(typeof first === 'string' ? first : String((first as { text?: unknown }).text));
        return (super.query as (...a: unknown[]) => never)(...args);
      }
    }
    const pool = new pg.Pool({ connectionString: url, max: 4, Client: CountingClient });
    try {
      await new Migrator({ db: pool, migrations: s.migrations }).run();
    } finally {
      await pool.end();
    }
    return sent;
  }
  const pidProbes = (statements: string[]) =>
    statements.filter((sql) => sql === 'SELECT pg_catalog.pg_backend_pid() AS pid').length;

  it('a direct connection: no round trip of its own (the backend pid travels with the query that names the database)', async () => {
    const s = await setup();
    const sent = await statementsOfOneRun(s.direct, s);
    expect(sent.flat().filter((sql) => sql.includes('current_database() AS database, pg_catalog.pg_backend_pid()')).length).toBe(
      1,
    );
    expect(sent.map(pidProbes)).toEqual(sent.map(() => 0));
  });

  it('behind a pooler that keeps sessions: three round trips on the run session and three on a second pooled connection', async () => {
    const s = await setup();
    const sent = await statementsOfOneRun(session.url(s.name), s);
    expect(sent.map(pidProbes).sort()).toEqual([...sent.map(() => 0).slice(2), 3, 3]);
    expect((await picture(s)).history).toHaveLength(concurrentVersions.length);
  });
});

describe('PgBouncer with the lease lock (--lock lease)', () => {
  const LEASE_RUNNERS = 32;
  const runLease = (url: string, cwd: string) =>
    strata(['run', '--json', '--lock', 'lease'], { cwd, env: { DATABASE_URL: url }, timeoutMs: 120_000 });

  async function leaseRows(s: Setup): Promise<number> {
    return direct(s.direct, async (client) => {
      const { rows } = await client.query("SELECT to_regclass('public._strata_migrations_lease') IS NOT NULL AS found");
      if (!rows[0].found) return 0;
      return (await client.query('SELECT count(*)::int AS n FROM _strata_migrations_lease')).rows[0].n;
    });
  }

  for (const mode of ['transaction', 'session'] as const) {
    it(`${mode} mode: ${LEASE_RUNNERS} concurrent strata run --lock lease all exit 0, each migration applied exactly once, no lock, lease or setting left`, async () => {
      const bouncer = mode === 'transaction' ? transaction : session;
      const s = await setup();
      const results = await Promise.all(Array.from({ length: LEASE_RUNNERS }, () => runLease(bouncer.url(s.name), s.cwd)));
      for (const [i, result] of results.entries()) expect(result.code, `runner ${i}:\n${allOutput(result)}`).toBe(0);

      const after = await picture(s);
      expect((after.history ?? []).map((row) => row.version)).toEqual(concurrentVersions);
      expect((after.history ?? []).every((row) => row.success)).toBe(true);
      // Each migration's body ran exactly once, however many runners raced for it.
      expect(after.applications).toEqual(concurrentVersions.map(Number));
      expect(after.advisoryLocks).toBe(0);
      expect(after.idleInTransaction).toBe(0);
      expect(await leaseRows(s)).toBe(0);
      expectNothingLeftOn(await serverConnections(bouncer, s.name));
    }, 180_000);
  }
});
