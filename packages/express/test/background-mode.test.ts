import { type MigrationRouter, migrateOnBoot } from '@strata/express';
import express from 'express';
import pg from 'pg';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../test-support/databases.js';
import { advisoryLockKey } from '../../core/src/lock/advisory/lock-key.js';
import { migrationsDir, waitUntil } from './support/helpers.js';

const SLOW_SECONDS = 2;
const MIGRATIONS = {
  '0001_create_items.sql': 'CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);\n',
  '0002_slow_backfill.sql': `SELECT pg_sleep(${SLOW_SECONDS});\nALTER TABLE items ADD COLUMN note text;\n`,
};

let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
let dir: Awaited<ReturnType<typeof migrationsDir>>;
let pool: pg.Pool;
let lockHolder: pg.Client | undefined;
let router: MigrationRouter | undefined;

beforeEach(async () => {
  db = await createPostgresDatabase('express_bg');
  dir = await migrationsDir(MIGRATIONS);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // Dropping the database terminates sessions a pool may still hold; unheard, that 'error' fails the run.
  pool.on('error', () => {});
});

afterEach(async () => {
  await lockHolder?.end().catch(() => {});
  lockHolder = undefined;
  // A failed test may leave the background boot running; let it finish before the pool closes.
  await router?.whenReady().catch(() => {});
  router = undefined;
  await pool.end();
  await db.drop();
  await dir.cleanup();
});

/** Takes the migration lock (SQLx's key) on a separate session, so the boot is held before it migrates. */
async function holdMigrationLock(): Promise<() => Promise<void>> {
  lockHolder = new pg.Client({ connectionString: db.url, application_name: 'holder-under-test' });
  await lockHolder.connect();
  const key = String(advisoryLockKey(db.name));
  await lockHolder.query('SELECT pg_advisory_lock($1)', [key]);
  return async () => {
    await lockHolder?.query('SELECT pg_advisory_unlock($1)', [key]);
  };
}

function appWith(migrations: MigrationRouter): express.Express {
  const app = express();
  app.use(migrations);
  app.get('/items', async (_req, res) => {
    const { rows } = await pool.query('SELECT count(*)::int AS n, count(note) AS notes FROM items');
    res.json({ count: rows[0].n });
  });
  app.get('/static', (_req, res) => {
    res.json({ served: true });
  });
  return app;
}

/** Resolves once the slow migration's pg_sleep is running in the test database. */
async function slowMigrationRunning(): Promise<void> {
  await waitUntil(async () => {
    const { rows } = await pool.query(
      "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()",
      [db.name],
    );
    return rows.length > 0;
  });
}

describe('background mode', () => {
  it('serves honest probes before, during and after a slow migration, and gates other routes meanwhile', async () => {
    const release = await holdMigrationLock();
    router = await migrateOnBoot(pool, { migrations: dir.path, background: true, pingCacheTtl: 0 });
    const app = appWith(router);

    // Before: resolved at once, but held at the lock; nothing has been applied yet.
    expect(router.state).toBe('migrating');
    const live = await request(app).get('/livez');
    expect(live.status).toBe(200);
    expect(live.headers['content-type']).toMatch(/^application\/health\+json/);
    expect(JSON.parse(live.text)).toEqual({ status: 'pass' });
    const notReady = await request(app).get('/readyz?verbose');
    expect(notReady.status).toBe(503);
    const notReadyBody = JSON.parse(notReady.text);
    expect(notReadyBody.status).toBe('fail');
    expect(notReadyBody.checks.migrations[0]).toMatchObject({ status: 'fail', observedValue: { state: 'migrating' } });
    // The database itself is fine: readiness fails because of the migrations only.
    expect(notReadyBody.checks['database:responseTime'][0].status).toBe('pass');
    expect((await request(app).get('/healthz')).status).toBe(503);
    const gatedBefore = await request(app).get('/items');
    expect(gatedBefore.status).toBe(503);
    expect(gatedBefore.headers['retry-after']).toBe('5');
    expect(gatedBefore.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(gatedBefore.text)).toMatchObject({ status: 503, state: 'migrating' });

    // During: the slow migration is executing.
    await release();
    await slowMigrationRunning();
    expect(router.state).toBe('migrating');
    const startedLive = performance.now();
    expect((await request(app).get('/livez')).status).toBe(200);
    const livezMs = performance.now() - startedLive;
    expect((await request(app).get('/readyz')).status).toBe(503);
    const gatedDuring = await request(app).post('/items').send({ name: 'x' });
    expect(gatedDuring.status).toBe(503);
    expect(gatedDuring.headers['retry-after']).toBe('5');
    console.info(`[measure] /livez during a migration: ${livezMs.toFixed(1)} ms`);

    // After: ready, and the app's routes run against the new schema.
    await router.whenReady();
    expect(router.state).toBe('ready');
    expect(router.migrationReport?.applied.map((step) => String(step.version))).toEqual(['1', '2']);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'pass' });
    const health = await request(app).get('/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.text).checks['migrations:versions'][0].observedValue).toMatchObject({
      applied: 2,
      pending: 0,
      latest: '2',
    });
    const items = await request(app).get('/items');
    expect(items.status).toBe(200);
    expect(items.body).toEqual({ count: 0 });
    expect(items.headers['retry-after']).toBeUndefined();
  });

  it('lets every route through while migrating when the gate is off', async () => {
    const release = await holdMigrationLock();
    router = await migrateOnBoot(pool, { migrations: dir.path, background: true, gate: false });
    const app = appWith(router);
    expect(router.state).toBe('migrating');
    const response = await request(app).get('/static');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ served: true });
    expect((await request(app).get('/readyz')).status).toBe(503);
    await release();
    await router.whenReady();
  });

  it('takes a Retry-After and a skip rule for the gate', async () => {
    const release = await holdMigrationLock();
    router = await migrateOnBoot(pool, {
      migrations: dir.path,
      background: true,
      gate: { retryAfter: 2, skip: (req) => req.path === '/static' },
    });
    const app = appWith(router);
    expect((await request(app).get('/static')).status).toBe(200);
    const gated = await request(app).get('/items');
    expect(gated.status).toBe(503);
    expect(gated.headers['retry-after']).toBe('2');
    await release();
    await router.whenReady();
    expect((await request(app).get('/items')).status).toBe(200);
  });

  it('does not reject or crash when a background migration fails: state, healthz, logger and onError carry it', async () => {
    await dir.cleanup();
    dir = await migrationsDir({
      '0001_create_items.sql': 'CREATE TABLE items (id int);\n',
      '0002_broken.sql': 'ALTER TABLE items\n  ADD COLUMN oops no_such_type;\n',
    });
    const errors: string[] = [];
    const seen: unknown[] = [];
    router = await migrateOnBoot(pool, {
      migrations: dir.path,
      background: true,
      logger: { info() {}, warn() {}, error: (message) => errors.push(message) },
      onError: (error) => seen.push(error),
    });
    const app = appWith(router);
    await waitUntil(() => router?.state === 'failed');
    await waitUntil(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ code: 'MIGRATION_FAILED', details: { file: '0002_broken.sql', line: 2 } });
    expect(errors.some((line) => line.includes('0002_broken.sql:2:'))).toBe(true);
    expect(router.status().error).toEqual({ code: 'MIGRATION_FAILED', version: '2' });

    const health = await request(app).get('/healthz');
    expect(health.status).toBe(503);
    expect(JSON.parse(health.text).checks.migrations[0]).toMatchObject({
      status: 'fail',
      observedValue: { state: 'failed', error: { code: 'MIGRATION_FAILED', version: '2' } },
    });
    expect((await request(app).get('/readyz')).status).toBe(503);
    expect((await request(app).get('/livez')).status).toBe(200);
    // Waiting cannot fix a failed migration: 503 without an invitation to retry.
    const gated = await request(app).get('/items');
    expect(gated.status).toBe(503);
    expect(gated.headers['retry-after']).toBeUndefined();
    expect(JSON.parse(gated.text)).toMatchObject({ state: 'failed' });
    await expect(router.whenReady()).rejects.toMatchObject({ code: 'MIGRATION_FAILED' });
  });

  it('gives up at lockTimeout with LOCK_TIMEOUT naming the holder, in the foreground', async () => {
    const release = await holdMigrationLock();
    const started = Date.now();
    const error = await migrateOnBoot(pool, { migrations: dir.path, lockTimeout: 400 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(error).toMatchObject({ code: 'LOCK_TIMEOUT' });
    expect((error as Error).message).toContain('holder-under-test');
    await release();
  });
});
