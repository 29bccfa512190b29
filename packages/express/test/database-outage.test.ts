import { type MigrationRouter, migrateOnBoot } from '@strata/express';
import express from 'express';
import pg from 'pg';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../test-support/databases.js';
import { pgServerAddress, startTcpProxy, type TcpProxy, throughPort } from '../../../test-support/tcp-proxy.js';
import { migrationsDir, waitUntil } from './support/helpers.js';

let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
let dir: Awaited<ReturnType<typeof migrationsDir>>;
let proxy: TcpProxy;
let pool: pg.Pool;

beforeEach(async () => {
  db = await createPostgresDatabase('express_outage');
  dir = await migrationsDir({ '0001_create_items.sql': 'CREATE TABLE items (id int);\n' });
  proxy = await startTcpProxy(pgServerAddress());
  pool = new pg.Pool({ connectionString: throughPort(db.url, proxy.port), max: 4, connectionTimeoutMillis: 2_000 });
  // The app's job, as the README says: an idle client losing its server must not crash the process.
  pool.on('error', () => {});
});

afterEach(async () => {
  await proxy.close();
  await pool.end();
  await db.drop();
  await dir.cleanup();
});

function appWith(router: MigrationRouter): express.Express {
  const app = express();
  app.use(router);
  return app;
}

describe('readiness follows the database', () => {
  it('answers 503 when the database goes away and 200 when it returns, while liveness stays 200', async () => {
    const router = await migrateOnBoot(pool, { migrations: dir.path, pingCacheTtl: 0, pingTimeout: 1_000 });
    const app = appWith(router);
    expect((await request(app).get('/readyz')).status).toBe(200);

    await proxy.close();
    const down = await request(app).get('/readyz?verbose');
    expect(down.status).toBe(503);
    const body = JSON.parse(down.text);
    expect(body.status).toBe('fail');
    expect(body.checks.migrations[0].status).toBe('pass');
    expect(body.checks['database:responseTime'][0]).toMatchObject({ status: 'fail', output: 'unreachable' });
    expect((await request(app).get('/healthz')).status).toBe(503);
    expect((await request(app).get('/livez')).status).toBe(200);

    await proxy.open();
    // The pool may still hold clients whose connections were cut; it discards them and reconnects.
    const back = await waitUntil(async () => {
      const response = await request(app).get('/readyz');
      return response.status === 200 ? response : undefined;
    });
    expect(JSON.parse(back.text)).toEqual({ status: 'pass' });
    expect((await request(app).get('/healthz')).status).toBe(200);
  });

  it('caches the ping, so a probe storm is not a query storm', async () => {
    const router = await migrateOnBoot(pool, { migrations: dir.path, pingCacheTtl: 60_000 });
    const app = appWith(router);
    expect((await request(app).get('/readyz')).status).toBe(200);

    const before = proxy.bytesToServer;
    const storm = await Promise.all(Array.from({ length: 50 }, () => request(app).get('/readyz')));
    expect(storm.every((response) => response.status === 200)).toBe(true);
    expect(proxy.bytesToServer).toBe(before);

    // Without the cache every probe is a round trip.
    const uncached = appWith(await migrateOnBoot(pool, { migrations: dir.path, pingCacheTtl: 0 }));
    const beforeUncached = proxy.bytesToServer;
    for (let i = 0; i < 5; i++) expect((await request(uncached).get('/readyz')).status).toBe(200);
    expect(proxy.bytesToServer).toBeGreaterThan(beforeUncached);
  });

  it('fails readiness when the ping takes longer than pingTimeout', async () => {
    const router = await migrateOnBoot(pool, { migrations: dir.path, pingCacheTtl: 0, pingTimeout: 300 });
    const app = appWith(router);
    // Occupy every pooled connection, so the ping has to queue behind them.
    const busy = Array.from({ length: 4 }, () => pool.query('SELECT pg_sleep(1.5)'));
    const started = performance.now();
    const response = await request(app).get('/readyz?verbose');
    const elapsed = performance.now() - started;
    expect(response.status).toBe(503);
    expect(JSON.parse(response.text).checks['database:responseTime'][0]).toMatchObject({ status: 'fail', output: 'timeout' });
    // Well before the busy queries end (1.5 s): the ping gave up, it did not queue behind them.
    expect(elapsed).toBeLessThan(1_450);
    await Promise.all(busy);
  });

  it('retries a database that refuses connections at boot until it comes up', async () => {
    await proxy.close();
    setTimeout(() => void proxy.open(), 1_000);
    const started = Date.now();
    const router = await migrateOnBoot(pool, { migrations: dir.path, connectDeadline: 20_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(router.state).toBe('ready');
    expect(router.status().applied).toEqual(['1']);
  });

  it('gives up on an unreachable database at connectDeadline with CONNECTION_FAILED', async () => {
    await proxy.close();
    const started = Date.now();
    await expect(migrateOnBoot(pool, { migrations: dir.path, connectDeadline: 800 })).rejects.toMatchObject({
      code: 'CONNECTION_FAILED',
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(elapsed).toBeLessThan(5_000);
  });
});
