/**
 * How many backends a run costs the caller's pool. Each PostgreSQL connection is a backend forked
 * by the server, so a first `strata run` that opened three (the history reads failing with
 * "relation does not exist" had each destroyed its connection) paid two forks for nothing. A
 * connection is kept after a statement the server refused only when it is idle again outside any
 * transaction; otherwise it is destroyed, so no session state reaches the caller's pool.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { boundedPool } from '../../src/dialects/postgres/pool-checkout.js';
import { type MigrationInput, Migrator } from '../../src/index.js';
import { openPostgres } from '../support/dialects.js';

const migrations: MigrationInput[] = [1, 2, 3].map((n) => ({
  version: n,
  description: `t${n}`,
  up: `CREATE TABLE t${n} (id int);`,
}));

describe('connections of the caller pg.Pool', () => {
  let db: Awaited<ReturnType<typeof openPostgres>>;
  let pool: pg.Pool;
  let connects: number;
  beforeEach(async () => {
    db = await openPostgres();
    pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pool.on('error', () => {});
    connects = 0;
    pool.on('connect', () => {
      connects += 1;
    });
  });
  afterEach(async () => {
    await pool.end();
    await db.close();
  });

  it('a first run on a fresh database opens one connection (not one per failed history read), and a no-op after it one more', async () => {
    const report = await new Migrator({ db: pool, migrations, stallTimeout: 60_000, connectTimeout: 5_000 }).run();
    expect(report.applied).toHaveLength(3);
    expect(connects).toBe(1);
    // The run's session is destroyed after it (it carried session state); the reader's was the same one.
    await new Migrator({ db: pool, migrations, connectTimeout: 5_000 }).run();
    expect(connects).toBe(2);
  });

  it('keeps a connection whose statement the server refused outside a transaction, and destroys one left in a failed transaction', async () => {
    const reader = boundedPool(pool, 5_000, () => new Error('timed out'));
    await expect(reader.query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
    expect({ total: pool.totalCount, idle: pool.idleCount }).toEqual({ total: 1, idle: 1 });
    expect((await reader.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(connects).toBe(1);

    // Left inside a transaction ('E' in its ReadyForQuery): no caller may inherit that connection.
    await expect(reader.query('BEGIN; SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
    expect(pool.totalCount).toBe(0);
    expect((await reader.query('SHOW transaction_isolation')).rows).toHaveLength(1);
    expect(connects).toBe(2);
  });

  it('destroys a connection whose backend was terminated during its statement (a FATAL error)', async () => {
    const reader = boundedPool(pool, 5_000, () => new Error('timed out'));
    const sleeping = reader.query("SELECT pg_sleep(30), 'strata-terminate-me' AS tag");
    const failed = expect(sleeping).rejects.toMatchObject({ code: '57P01' });
    for (let i = 0; i < 100; i++) {
      const [row] = await db.query(
        "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE query LIKE '%strata-terminate-me%' AND pid <> pg_backend_pid()",
      );
      if (row?.done === true) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await failed;
    expect(pool.totalCount).toBe(0);
    expect((await reader.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
