/**
 * Migrator.lockHolder(): who holds the migration lock, asked without taking it (what `strata
 * studio` shows), for PostgreSQL's advisory lock and its lease. SQLite's lock file is covered by
 * test/studio/server.test.ts.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { Migrator } from '../../src/index.js';
import { advisoryLockKey } from '../../src/lock/advisory/lock-key.js';
import { openPostgres } from '../support/dialects.js';

describe('Migrator.lockHolder() on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof openPostgres>>;
  let dir: { path: string; cleanup(): Promise<void> };
  beforeEach(async () => {
    db = await openPostgres();
    dir = await tempDir('pg');
    await writeTree(dir.path, { '0001_one.sql': 'CREATE TABLE one (id int);\n' });
  });
  afterEach(async () => {
    await db.close();
    await dir.cleanup();
  });

  it('the advisory lock: null when free, the holding session (pid, application_name, since) when held', async () => {
    const migrator = new Migrator({ db: db.pool, migrations: dir.path });
    expect(await migrator.lockHolder()).toBeNull();
    const holder = new pg.Client({ connectionString: db.url, application_name: 'deploy-job' });
    await holder.connect();
    try {
      const database = new URL(db.url).pathname.slice(1);
      await holder.query('SELECT pg_advisory_lock($1)', [String(advisoryLockKey(database))]);
      const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      expect(await migrator.lockHolder()).toMatchObject({ pid, applicationName: 'deploy-job', since: expect.any(Date) });
    } finally {
      await holder.end();
    }
    expect(await migrator.lockHolder()).toBeNull();
  });

  it('the lease: null before any run and once the lease expired, its owner while it lives', async () => {
    const migrator = new Migrator({ db: db.pool, migrations: dir.path, lock: 'lease' });
    expect(await migrator.lockHolder()).toBeNull();
    await migrator.run();
    expect(await migrator.lockHolder()).toBeNull();
    await db.query(
      `INSERT INTO _strata_migrations_lease (name, owner, expires_at) VALUES ('migrations', 'ci-runner:42', now() + interval '1 minute')`,
    );
    expect(await migrator.lockHolder()).toMatchObject({ applicationName: 'ci-runner:42', since: expect.any(Date) });
    await db.query(`UPDATE _strata_migrations_lease SET expires_at = now() - interval '1 second'`);
    expect(await migrator.lockHolder()).toBeNull();
  });
});
