import { Module } from '@nestjs/common';
import type { DatabaseHandle } from '@strata/core';
import { afterEach, describe, expect, it } from 'vitest';
import { expectProbesAgree, HELD_RUN, type HeldRun, holdPostgresRun, holdSqliteRun } from '../../../test-support/held-run.js';
import { MigrationsModule, type MigrationsModuleOptions, MigrationsService } from '../src/index.js';
import { get, migrationsFolder, openPostgres, openSqlite, startApp } from './support/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const folder = (files: Record<string, string>) =>
  migrationsFolder(Object.fromEntries(Object.entries(files).map(([name, sql]) => [`migrations/${name}`, sql])), cleanups);

/** Boots in the background, held at migration 2, and checks the probes there and once done. */
async function throughAHeldRun(connection: DatabaseHandle, hold: HeldRun, options: MigrationsModuleOptions): Promise<void> {
  @Module({
    imports: [
      MigrationsModule.forRoot({
        ...options,
        connection,
        background: true,
        logger: false,
        probes: true,
        health: { pingCacheTtl: 0, ...options.health },
      }),
    ],
  })
  class AppModule {}
  const running = await startApp(AppModule);
  const service = running.app.get(MigrationsService);
  cleanups.push(async () => {
    await hold.release();
    await service.whenReady().catch(() => {});
    await running.close();
  });
  await hold.held();
  expect(service.state).toBe('migrating');
  expect(service.snapshot().applied).toEqual(['1']);
  await expectProbesAgree(async (path) => (await get(`${running.url}${path}`)).body, HELD_RUN.held);
  await hold.release();
  await service.whenReady();
  await expectProbesAgree(async (path) => (await get(`${running.url}${path}`)).body, HELD_RUN.done);
}

describe('during a background run, /readyz and /healthz report the same counts', () => {
  it('PostgreSQL, every /healthz reading the history', async () => {
    const database = await openPostgres('nest_agree');
    const migrations = await folder(HELD_RUN.postgres);
    const hold = await holdPostgresRun(database.url);
    cleanups.push(
      () => database.close(),
      () => hold.release(),
    );
    await throughAHeldRun(database.pool, hold, { migrations, health: { statusCacheTtl: 0 } });
  });

  it('SQLite', async () => {
    const database = await openSqlite();
    const migrations = await folder(HELD_RUN.sqlite);
    const hold = holdSqliteRun(database.path);
    cleanups.push(
      () => database.close(),
      () => hold.release(),
    );
    await throughAHeldRun(database.db, hold, { migrations, onEvent: hold.onEvent });
  });
});
