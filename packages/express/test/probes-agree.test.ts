import type { DatabaseHandle } from '@strata/core';
import { type MigrateOnBootOptions, type MigrationRouter, migrateOnBoot } from '@strata/express';
import Database from 'better-sqlite3';
import express from 'express';
import pg from 'pg';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, sqliteFile } from '../../../test-support/databases.js';
import { expectProbesAgree, HELD_RUN, type HeldRun, holdPostgresRun, holdSqliteRun } from '../../../test-support/held-run.js';
import { migrationsDir } from './support/helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The JSON a probe of `router` answers. */
function probeOf(router: MigrationRouter): (path: string) => Promise<unknown> {
  const app = express();
  app.use(router);
  return async (path) => JSON.parse((await request(app).get(path)).text);
}

/** Boots in the background, held at migration 2, and checks the probes there and once done. */
async function throughAHeldRun(connection: DatabaseHandle, migrations: string, hold: HeldRun, options: MigrateOnBootOptions) {
  const router = await migrateOnBoot(connection, { ...options, migrations, background: true, pingCacheTtl: 0 });
  // First of the cleanups: a failed test must not leave the run waiting while the database goes.
  cleanups.push(async () => {
    await hold.release();
    await router.whenReady().catch(() => {});
  });
  await hold.held();
  expect(router.state).toBe('migrating');
  expect(router.status().applied).toEqual(['1']);
  await expectProbesAgree(probeOf(router), HELD_RUN.held);
  await hold.release();
  await router.whenReady();
  expect(router.status().applied).toEqual(['1', '2', '3']);
  await expectProbesAgree(probeOf(router), HELD_RUN.done);
}

describe('during a background run, /readyz and /healthz report the same counts', () => {
  for (const variant of [
    // statusCacheTtl 0: every /healthz reads the history, mid-run too.
    { name: 'PostgreSQL, one transaction per migration', options: { statusCacheTtl: 0 } },
    // The history read mid-run sees nothing of the open transaction; the run's own steps count.
    { name: 'PostgreSQL, singleTransaction', options: { statusCacheTtl: 0, singleTransaction: true } },
  ]) {
    it(variant.name, async () => {
      const db = await createPostgresDatabase('express_agree');
      const pool = new pg.Pool({ connectionString: db.url, max: 4 });
      pool.on('error', () => {});
      const dir = await migrationsDir(HELD_RUN.postgres);
      const hold = await holdPostgresRun(db.url);
      cleanups.push(
        () => dir.cleanup(),
        () => db.drop(),
        () => pool.end(),
        () => hold.release(),
      );
      await throughAHeldRun(pool, dir.path, hold, variant.options);
    });
  }

  it('SQLite', async () => {
    const file = await sqliteFile();
    const sqlite = new Database(file.path);
    const dir = await migrationsDir(HELD_RUN.sqlite);
    const hold = holdSqliteRun(file.path);
    cleanups.push(
      () => file.cleanup(),
      async () => sqlite.close(),
      () => dir.cleanup(),
      () => hold.release(),
    );
    await throughAHeldRun(sqlite, dir.path, hold, { onEvent: hold.onEvent });
  });
});
