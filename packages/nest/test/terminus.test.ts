import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { isStrataError } from '@strata/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationsModule, type MigrationsModuleOptions } from '../src/index.js';
import { MigrationsHealthIndicator } from '../src/terminus/index.js';
import {
  createApp,
  creationError,
  get,
  migrationsDir,
  migrationsFolder,
  openPostgres,
  type PostgresTestDb,
  type RunningApp,
  startApp,
} from './support/harness.js';
import { HealthModule } from './support/health-module.js';
import { USERS_MIGRATIONS } from './support/migrations.js';

let database: PostgresTestDb;
let migrations: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  database = await openPostgres('nest_terminus');
  migrations = await migrationsFolder(USERS_MIGRATIONS, cleanups);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await database.close();
});

async function startWith(options: Omit<MigrationsModuleOptions, 'connection'>): Promise<RunningApp> {
  @Module({
    imports: [
      MigrationsModule.forRootAsync({
        isGlobal: true,
        useFactory: () => ({ connection: database.pool, logger: false, ...options }),
      }),
      HealthModule,
    ],
  })
  class AppModule {}
  const running = await startApp(AppModule);
  cleanups.push(() => running.close());
  return running;
}

/** Applies the first migration only, as an older release would have. */
async function applyFirstOnly(): Promise<void> {
  const older = await migrationsDir({
    'migrations/0001_create_users.up.sql': USERS_MIGRATIONS['migrations/0001_create_users.up.sql']!,
  });
  cleanups.push(() => older.cleanup());
  @Module({
    imports: [MigrationsModule.forRoot({ connection: database.pool, migrations: join(older.path, 'migrations'), logger: false })],
  })
  class OlderApp {}
  const app = await createApp(OlderApp);
  await app.close();
}

describe('MigrationsHealthIndicator (Terminus 12)', () => {
  it('reports readiness `up` once the migrations ran, with the database ping', async () => {
    const { url } = await startWith({ migrations });

    const ready = await get(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      info: {
        migrations: { status: 'up', mode: 'run', state: 'ready', applied: ['1', '2'] },
        database: { status: 'up' },
      },
      error: {},
    });
    const schema = await get(`${url}/health/schema`);
    expect(schema.status).toBe(200);
    expect(schema.body).toMatchObject({
      info: { 'migrations:status': { status: 'up', applied: 2, latest: '2', outstanding: [] } },
    });
  });

  it('reports `down` with the pending version when verify mode finds a pending migration', async () => {
    await applyFirstOnly();
    // Background mode gates the app's routes until the boot is done; health endpoints must answer meanwhile.
    const { url } = await startWith({ migrations, mode: 'verify', background: true, gate: { exclude: ['health/{*path}'] } });

    // The verify check runs in the background; give it the moment it needs.
    let ready = await get(`${url}/health/ready`);
    for (
      let i = 0;
      i < 50 && (ready.body as { error?: { migrations?: { state?: string } } })?.error?.migrations?.state !== 'failed';
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ready = await get(`${url}/health/ready`);
    }
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: 'error',
      error: {
        migrations: {
          status: 'down',
          mode: 'verify',
          state: 'failed',
          applied: [],
          error: { code: 'NOT_UP_TO_DATE', version: '2', versions: ['2'], states: ['pending'] },
        },
      },
      // The database itself is fine: only the schema is behind.
      info: { database: { status: 'up' } },
    });
    expect(ready.text).not.toMatch(/ALTER TABLE|postgres:\/\/|\bat .*\.js:\d+/);

    const schema = await get(`${url}/health/schema`);
    expect(schema.status).toBe(503);
    expect(schema.body).toMatchObject({
      error: {
        'migrations:status': { status: 'down', applied: 1, latest: '1', outstanding: [{ version: '2', state: 'pending' }] },
      },
    });
    // Verify mode never migrates.
    const versions = await database.rows<{ version: string }>('SELECT version::text AS version FROM _strata_migrations');
    expect(versions).toEqual([{ version: '1' }]);
  });

  it('makes app creation fail in verify mode when it is not in the background', async () => {
    await applyFirstOnly();
    @Module({ imports: [MigrationsModule.forRoot({ connection: database.pool, migrations, mode: 'verify', logger: false })] })
    class AppModule {}

    const error = await creationError(AppModule);
    expect(isStrataError(error, 'NOT_UP_TO_DATE')).toBe(true);
    expect((error as Error).message).toMatch(/2 \(pending\)/);
  });

  it('turns readiness `down` once the app starts shutting down', async () => {
    const { app, url } = await startWith({ migrations });
    expect((await get(`${url}/health/ready`)).status).toBe(200);

    const indicator = app.get(MigrationsHealthIndicator);
    await app.close();
    cleanups.pop();

    expect(indicator.isReady()).toMatchObject({ migrations: { status: 'down', state: 'ready', draining: true } });
  });
});
