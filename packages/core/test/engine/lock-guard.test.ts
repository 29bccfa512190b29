/**
 * The lock guard on a real PostgreSQL: a long transaction holds a lock on the table a migration
 * alters. Guarded, the migration waits at most lock_timeout at a time, so the application's
 * queries (which queue behind the waiting ALTER TABLE) wait at most that long too; it is retried
 * until the blocker ends, and the retries are reported. Unguarded, the same queries wait for the
 * blocker: the control that shows what the guard changes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Migrator, type MigratorEvent, StrataError } from '../../src/index.js';
import { openPostgres } from '../support/dialects.js';

const LOCK_TIMEOUT_MS = 300;
const CREATE = { version: 1, description: 'items', up: 'CREATE TABLE items (id int); INSERT INTO items VALUES (1), (2);' };
const ALTER = { version: 2, description: 'note', up: 'ALTER TABLE items ADD COLUMN note text;' };

describe('the lock guard (PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof openPostgres>>;
  let blocker: pg.Client;
  let app: pg.Client;

  beforeEach(async () => {
    db = await openPostgres();
    await new Migrator({ db: db.pool, migrations: [CREATE] }).run();
    blocker = new pg.Client({ connectionString: db.url });
    app = new pg.Client({ connectionString: db.url });
    await Promise.all([blocker.connect(), app.connect()]);
    // A long transaction that read the table: it holds ACCESS SHARE until it ends.
    await blocker.query('BEGIN');
    await blocker.query('SELECT count(*) FROM items');
  });
  afterEach(async () => {
    await blocker.end().catch(() => {});
    await app.end().catch(() => {});
    await db.close();
  });

  /** Runs the application's query every 50 ms until `until` settles; returns the slowest wait. */
  async function slowestAppQuery(until: Promise<unknown>): Promise<number> {
    let done = false;
    until.then(
      () => (done = true),
      () => (done = true),
    );
    let slowest = 0;
    while (!done) {
      const started = performance.now();
      await app.query('SELECT count(*) FROM items');
      slowest = Math.max(slowest, performance.now() - started);
      await sleep(50);
    }
    return slowest;
  }

  it('keeps the application waiting at most lock_timeout, applies once the blocker ends, and reports the retries', async () => {
    const warnings: string[] = [];
    const retries: Extract<MigratorEvent, { type: 'lock-retry' }>[] = [];
    const migrator = new Migrator({
      db: db.pool,
      migrations: [CREATE, ALTER],
      lockGuard: { lockTimeout: LOCK_TIMEOUT_MS, retries: 50 },
      logger: { info() {}, warn: (message: string) => warnings.push(message), error() {} },
      onEvent: (event) => {
        if (event.type === 'lock-retry') retries.push(event);
      },
    });
    const run = migrator.run();
    const blockerEnds = sleep(2_000).then(() => blocker.query('COMMIT'));
    const slowest = await slowestAppQuery(Promise.all([run, blockerEnds]));
    const report = await run;

    // Queued behind the waiting ALTER for at most its lock_timeout (plus a round trip on a busy machine).
    expect(slowest).toBeLessThan(LOCK_TIMEOUT_MS + 250);
    expect(report.applied.map((step) => step.version)).toEqual([2n]);
    const retried = report.applied[0]!.lockRetries!;
    expect(retried).toBeGreaterThanOrEqual(2);
    expect(retries.map((event) => event.retry)).toEqual(Array.from({ length: retried }, (_, i) => i + 1));
    expect(retries[0]).toMatchObject({ retries: 50, lockTimeoutMs: LOCK_TIMEOUT_MS, step: { version: 2n } });
    expect(warnings.filter((w) => w.includes('lock guard'))).toHaveLength(retried);
    expect(warnings[0]).toMatch(
      /^migration 2 waited 300 ms for a table lock \(lock guard\): rolled back, retry 1 of 50 in 250 ms$/,
    );
    const columns = await db.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'items' ORDER BY 1");
    expect(columns.map((row) => row.column_name)).toEqual(['id', 'note']);
  });

  it('fails with 55P03 once the retries are spent, with nothing applied and the count in the error', async () => {
    const migrator = new Migrator({ db: db.pool, migrations: [CREATE, ALTER], lockGuard: { lockTimeout: 100, retries: 2 } });
    const error = await migrator.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrataError);
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED', details: { version: '2', databaseCode: '55P03', lockRetries: 2 } });
    expect(await db.query('SELECT version FROM _strata_migrations ORDER BY 1')).toEqual([{ version: '1' }]);
  });

  it('control: without the guard the application waits behind the migration for as long as the blocker runs', async () => {
    const run = new Migrator({ db: db.pool, migrations: [CREATE, ALTER] }).run();
    await sleep(300); // the ALTER is now queued behind the blocker
    const started = performance.now();
    const query = app.query('SELECT count(*) FROM items');
    await sleep(1_200);
    await blocker.query('COMMIT');
    await query;
    expect(performance.now() - started).toBeGreaterThan(1_100);
    expect((await run).applied[0]!.lockRetries).toBeUndefined();
  });
});
