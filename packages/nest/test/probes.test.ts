import { type BeforeApplicationShutdown, Inject, Injectable, Module } from '@nestjs/common';
import { HEALTH_CONTENT_TYPE, type HealthProbes } from '@strata/core/boot';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pgServerAddress, startTcpProxy, throughPort } from '../../../test-support/tcp-proxy.js';
import { MIGRATIONS_HEALTH_PROBES, MigrationsModule, type MigrationsModuleExtras } from '../src/index.js';
import { get, migrationsFolder, openPostgres, type PostgresTestDb, type RunningApp, startApp } from './support/harness.js';
import { USERS_MIGRATIONS } from './support/migrations.js';

let database: PostgresTestDb;
let migrations: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  database = await openPostgres('nest_probes');
  migrations = await migrationsFolder(USERS_MIGRATIONS, cleanups);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await database.close();
});

async function startWith(probes: MigrationsModuleExtras['probes'], connection: pg.Pool = database.pool, extra: unknown[] = []) {
  @Module({ imports: [MigrationsModule.forRoot({ connection, migrations, logger: false, probes }), ...(extra as [])] })
  class AppModule {}
  const running = await startApp(AppModule);
  cleanups.push(() => running.close());
  return running;
}

describe('the built-in probe controller', () => {
  it('serves /livez, /readyz and /healthz as application/health+json, with the core probes’ bodies', async () => {
    const { app, url } = await startWith(true);
    const probes = app.get<HealthProbes>(MIGRATIONS_HEALTH_PROBES);

    const livez = await get(`${url}/livez`);
    expect(livez.status).toBe(200);
    expect(livez.contentType).toMatch(new RegExp(`^${HEALTH_CONTENT_TYPE.replace('+', '\\+')}`));
    expect(livez.body).toEqual({ status: 'pass' });
    expect(livez.body).toEqual(probes.liveness().body);

    const readyz = await get(`${url}/readyz`);
    expect(readyz.status).toBe(200);
    expect(readyz.contentType).toMatch(/^application\/health\+json/);
    expect(readyz.body).toEqual({ status: 'pass' });

    const verbose = await get(`${url}/readyz?verbose`);
    expect(verbose.status).toBe(200);
    expect(verbose.body).toMatchObject({
      status: 'pass',
      checks: {
        migrations: [{ status: 'pass', observedValue: { mode: 'run', state: 'ready', applied: 2 } }],
        'database:responseTime': [{ status: 'pass', componentType: 'datastore', observedUnit: 'ms' }],
        'shutdown:draining': [{ status: 'pass' }],
      },
    });
    // Same document the core probes produce (the ping is cached, so even the timings match).
    expect(verbose.body).toEqual((await probes.readiness(true)).body);

    const healthz = await get(`${url}/healthz`);
    expect(healthz.status).toBe(200);
    expect(healthz.contentType).toMatch(/^application\/health\+json/);
    expect(healthz.body).toMatchObject({
      status: 'pass',
      checks: {
        'migrations:versions': [{ status: 'pass', observedValue: { applied: 2, pending: 0, problems: 0, latest: '2' } }],
      },
    });

    const response = await fetch(`${url}/readyz`);
    expect(response.headers.get('content-type')).toBe('application/health+json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    // No validator a cache could answer a conditional request with.
    expect(response.headers.get('etag')).toBeNull();
    expect((await get(`${url}/readyz?verbose=0`)).body).toEqual({ status: 'pass' });
    expect((await get(`${url}/readyz?verbose=false`)).body).toEqual({ status: 'pass' });
    expect((await get(`${url}/readyz?verbose=1`)).body).toHaveProperty('checks');
  });

  it('takes custom paths, can leave one out, and is absent unless asked for', async () => {
    const custom = await startWith({ paths: { livez: '/_/live', readyz: '/_/ready', healthz: false } });
    expect((await get(`${custom.url}/_/live`)).status).toBe(200);
    expect((await get(`${custom.url}/_/ready`)).status).toBe(200);
    expect((await get(`${custom.url}/livez`)).status).toBe(404);
    expect((await get(`${custom.url}/healthz`)).status).toBe(404);

    const without = await startWith(undefined);
    expect((await get(`${without.url}/livez`)).status).toBe(404);
    expect((await get(`${without.url}/readyz`)).status).toBe(404);
  });

  it('fails readiness while the database is unreachable and passes again when it returns', async () => {
    const proxy = await startTcpProxy(pgServerAddress());
    const pool = new pg.Pool({
      connectionString: throughPort(database.url, proxy.port),
      max: 2,
      connectionTimeoutMillis: 1_000,
    });
    pool.on('error', () => {});
    cleanups.push(() => pool.end().catch(() => {}));
    cleanups.push(() => proxy.close());
    const { url } = await startWith(true, pool);
    expect((await get(`${url}/readyz`)).status).toBe(200);

    await proxy.close();
    // Past the ping cache (1 s by default).
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const down = await get(`${url}/readyz?verbose`);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({
      status: 'fail',
      checks: { migrations: [{ status: 'pass' }], 'database:responseTime': [{ status: 'fail', output: 'unreachable' }] },
    });
    expect(down.text).not.toContain(String(proxy.port));
    expect((await get(`${url}/livez`)).status).toBe(200);

    await proxy.open();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await get(`${url}/readyz`)).status).toBe(200);
  });

  it('answers 503 on /readyz while the app shuts down, before the port closes', async () => {
    const seen: { status: number; body: unknown }[] = [];
    const URL_TOKEN = Symbol('URL');
    let baseUrl = '';
    @Injectable()
    class LateShutdownHook implements BeforeApplicationShutdown {
      constructor(@Inject(URL_TOKEN) private readonly url: { get(): string }) {}
      async beforeApplicationShutdown() {
        // Nest closes the HTTP server after this hook: a load balancer can still ask.
        const answer = await get(`${this.url.get()}/readyz?verbose`);
        seen.push({ status: answer.status, body: answer.body });
      }
    }
    @Module({ providers: [LateShutdownHook, { provide: URL_TOKEN, useValue: { get: () => baseUrl } }] })
    class ShutdownModule {}

    const running: RunningApp = await startWith(true, database.pool, [ShutdownModule]);
    baseUrl = running.url;
    expect((await get(`${running.url}/readyz`)).status).toBe(200);
    await running.close();
    cleanups.pop();

    expect(seen).toEqual([
      {
        status: 503,
        body: expect.objectContaining({
          status: 'fail',
          checks: expect.objectContaining({ 'shutdown:draining': [{ status: 'fail', componentType: 'system' }] }),
        }),
      },
    ]);
  });
});
