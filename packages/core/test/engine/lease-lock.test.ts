/**
 * lock: 'lease': a row in `<table>_lease`, taken, renewed and released by single statements, for
 * a pooler in transaction mode. Judged by the history, the tables, the lease row and what is left
 * on the server's sessions.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MigrationInput, Migrator } from '../../src/index.js';
import { openPostgres } from '../support/dialects.js';

type Pg = Awaited<ReturnType<typeof openPostgres>>;

const migrations: MigrationInput[] = [1, 2, 3, 4, 5].map((n) => ({
  version: n,
  description: `t${n}`,
  up: `CREATE TABLE t${n} (id int);\nINSERT INTO t${n} VALUES (${n});\n`,
}));

describe('the lease lock on PostgreSQL', () => {
  let db: Pg;
  beforeEach(async () => {
    db = await openPostgres();
  });
  afterEach(async () => {
    await db.close();
  });

  const history = async () =>
    (await db.query('SELECT version FROM _strata_migrations ORDER BY version')).map((row) => Number(row.version));
  const leaseRows = async () => db.query('SELECT owner, expires_at FROM _strata_migrations_lease');

  it('applies under the lease, releases it, and leaves no session setting and no advisory lock', async () => {
    const report = await new Migrator({ db: db.handle, migrations, lock: 'lease', statementTimeout: 60_000 }).run();
    expect(report.applied).toHaveLength(5);
    expect(await history()).toEqual([1, 2, 3, 4, 5]);
    expect(await leaseRows()).toEqual([]);
    const [locks] = await db.query(
      "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    expect(Number(locks?.n)).toBe(0);
    // statement_timeout went in with SET LOCAL: every pooled connection still has the server's default.
    const settings = await Promise.all([1, 2, 3, 4].map(() => db.pool.query('SHOW statement_timeout')));
    expect(settings.map((result) => result.rows[0]?.statement_timeout)).toEqual(['0', '0', '0', '0']);
  });

  it('8 runners at once, each with its own pool: every migration applied exactly once, all succeed', async () => {
    const pools = Array.from({ length: 8 }, () => {
      const pool = new pg.Pool({ connectionString: db.url, max: 2 });
      pool.on('error', () => {});
      return pool;
    });
    try {
      const reports = await Promise.all(pools.map((pool) => new Migrator({ db: pool, migrations, lock: 'lease' }).run()));
      expect(reports.reduce((sum, report) => sum + report.applied.length, 0)).toBe(5);
      expect(await history()).toEqual([1, 2, 3, 4, 5]);
      for (const n of [1, 2, 3, 4, 5]) expect((await db.query(`SELECT count(*) AS c FROM t${n}`))[0]?.c).toBe('1');
      expect(await leaseRows()).toEqual([]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('takes over a lease whose holder stopped renewing it, and waits for a live one (LOCK_TIMEOUT naming the owner)', async () => {
    await new Migrator({ db: db.handle, migrations: migrations.slice(0, 1), lock: 'lease' }).run();
    await db.query(
      "INSERT INTO _strata_migrations_lease (name, owner, acquired_at, expires_at) VALUES ('migrations', 'host:1:live', now(), now() + interval '1 hour')",
    );
    const error = await new Migrator({ db: db.handle, migrations, lock: 'lease', lockTimeout: 300 })
      .run()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LOCK_TIMEOUT' });
    expect((error as Error).message).toContain('host:1:live');
    expect(await history()).toEqual([1]);
    // The holder died: its lease expired.
    await db.query("UPDATE _strata_migrations_lease SET expires_at = now() - interval '1 second'");
    await new Migrator({ db: db.handle, migrations, lock: 'lease', lockTimeout: 5_000 }).run();
    expect(await history()).toEqual([1, 2, 3, 4, 5]);
    expect(await leaseRows()).toEqual([]);
  });

  it('a lease taken over while a step runs stops the run before that step is recorded clean: LOCK_LOST, the row left dirty', async () => {
    const takenOver: MigrationInput = {
      version: 3,
      description: 'taken over meanwhile',
      // Another runner takes the lease over while this -- no-transaction step runs (its UPDATE commits at once).
      up: "-- no-transaction\nCREATE TABLE t3 (id int);\nUPDATE _strata_migrations_lease SET owner = 'someone-else';\n",
    };
    const all = [...migrations.slice(0, 2), takenOver, ...migrations.slice(3)];
    const error = await new Migrator({ db: db.handle, migrations: all, lock: 'lease' }).run().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LOCK_LOST', details: { version: '3', dirty: true } });
    expect(await db.query('SELECT version, success FROM _strata_migrations ORDER BY version')).toEqual([
      { version: '1', success: true },
      { version: '2', success: true },
      { version: '3', success: false },
    ]);
    expect(await db.tableExists('t4')).toBe(false);
    // The other owner's lease is left alone.
    expect((await leaseRows()).map((row) => row.owner)).toEqual(['someone-else']);
  });

  it('refuses a lock kind it does not know, and a lease on SQLite', async () => {
    expect(() => new Migrator({ db: db.handle, migrations, lock: 'row' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    const sqlite = new Database(':memory:');
    try {
      expect(() => new Migrator({ db: sqlite, migrations, lock: 'lease' })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      );
    } finally {
      sqlite.close();
    }
  });
});
