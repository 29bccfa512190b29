/**
 * Issue 14, "Deadlines everywhere", the Nest part: `MigrationsModule.forRoot({ connection, connectDeadline })`
 * with a pool built without any timeout, against a server that accepts connections and never
 * answers. Before, creating the app hung forever. Now the module gives up at connectDeadline with
 * CONNECTION_FAILED naming the server without its password (the app is never created), and in
 * background mode its probes answer meanwhile: /livez 200, /readyz 503.
 */
import { Module } from '@nestjs/common';
import { isStrataError } from '@strata/core';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEAKABLE_PASSWORD } from '../../../test-support/password-role.js';
import { type SilentServer, startSilentServer } from '../../../test-support/silent-server.js';
import { MigrationsModule, type MigrationsModuleOptions, MigrationsService } from '../src/index.js';
import { creationError, get, migrationsFolder, type RunningApp, recordingLogger, startApp, within } from './support/harness.js';
import { USERS_MIGRATIONS } from './support/migrations.js';

const SLACK_MS = 5_000;

let server: SilentServer;
let pool: pg.Pool;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  server = await startSilentServer();
  pool = new pg.Pool({ connectionString: server.url('app', LEAKABLE_PASSWORD) });
  pool.on('error', () => {});
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await server.close();
  await pool.end();
});

function moduleWith(options: Omit<MigrationsModuleOptions, 'connection'>) {
  @Module({ imports: [MigrationsModule.forRoot({ connection: pool, ...options })] })
  class AppModule {}
  return AppModule;
}

function expectNamesServer(error: unknown): void {
  expect(isStrataError(error, 'CONNECTION_FAILED'), String(error)).toBe(true);
  const message = (error as Error).message;
  expect(message).toContain(`cannot reach the database at postgres://postgres:***@127.0.0.1:${server.port}/app`);
  expect(message).not.toContain(LEAKABLE_PASSWORD);
}

describe('MigrationsModule against a server that never answers', () => {
  it('gives up at connectDeadline (3 s) with CONNECTION_FAILED naming the server; the app is never created', async () => {
    const migrations = await migrationsFolder(USERS_MIGRATIONS, cleanups);
    const logger = recordingLogger();
    const started = performance.now();
    const error = await creationError(moduleWith({ migrations, logger, connectDeadline: 3_000 }), 3_000 + SLACK_MS);
    const elapsed = performance.now() - started;

    expectNamesServer(error);
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
    expect(elapsed).toBeLessThan(3_000 + SLACK_MS);
    expect(server.connections).toBeGreaterThan(0);
  });

  it('in background mode: /livez 200 and /readyz 503 while it waits, then CONNECTION_FAILED by the deadline', async () => {
    const migrations = await migrationsFolder(USERS_MIGRATIONS, cleanups);
    const started = performance.now();
    const running: RunningApp = await within(
      10_000,
      startApp(
        moduleWith({
          migrations,
          background: true,
          probes: true,
          connectDeadline: 3_000,
          logger: recordingLogger(),
          health: { pingTimeout: 500 },
        }),
      ),
      'start',
    );
    cleanups.push(() => running.close());
    const service = running.app.get(MigrationsService);

    expect((await get(`${running.url}/livez`)).status).toBe(200);
    const ready = await get(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.text).not.toContain(LEAKABLE_PASSWORD);
    expect(service.state).toBe('migrating');

    const error = await within(3_000 + SLACK_MS, service.whenReady(), 'whenReady').catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(3_000 + SLACK_MS);
    expectNamesServer(error);
    expect(service.state).toBe('failed');
    expect((await get(`${running.url}/livez`)).status).toBe(200);
    expect((await get(`${running.url}/readyz`)).status).toBe(503);
  });
});
