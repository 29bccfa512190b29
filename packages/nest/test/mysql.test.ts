/**
 * MigrationsModule.forRoot with a mysql2 pool on a real MariaDB: the app listens only after the
 * migrations are applied, and its probes ping that database.
 */
import { Module } from '@nestjs/common';
import mysql from 'mysql2/promise';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMysqlDatabase } from '../../../test-support/mysql.js';
import { MigrationsModule } from '../src/index.js';
import { get, migrationsFolder, startApp } from './support/harness.js';
import { USERS_MIGRATIONS } from './support/migrations.js';

let database: Awaited<ReturnType<typeof createMysqlDatabase>>;
let pool: mysql.Pool;
let migrations: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  database = await createMysqlDatabase('nest');
  pool = mysql.createPool({ uri: database.url, connectionLimit: 4 });
  migrations = await migrationsFolder(USERS_MIGRATIONS, cleanups);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await pool.end().catch(() => {});
  await database.drop();
});

async function start() {
  @Module({ imports: [MigrationsModule.forRoot({ connection: pool, migrations, logger: false, probes: true })] })
  class AppModule {}
  const running = await startApp(AppModule);
  cleanups.push(() => running.close());
  return running;
}

describe('MigrationsModule.forRoot on MariaDB (a mysql2 pool)', () => {
  it('migrates before the app listens, serves /readyz 200, and fails readiness once the pool is gone', async () => {
    const { url } = await start();
    const [columns] = (await pool.query(
      "SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' ORDER BY ORDINAL_POSITION",
    )) as unknown as [{ name: string }[]];
    expect(columns.map((column) => column.name)).toEqual(['id', 'email', 'name']);
    const [history] = (await pool.query('SELECT version, success FROM _strata_migrations ORDER BY version')) as unknown as [
      { version: number; success: number }[],
    ];
    expect(history).toEqual([
      { version: 1, success: 1 },
      { version: 2, success: 1 },
    ]);

    const readyz = await get(`${url}/readyz?verbose`);
    expect(readyz.status).toBe(200);
    expect(readyz.body).toMatchObject({
      status: 'pass',
      checks: { migrations: [{ status: 'pass', observedValue: { mode: 'run', state: 'ready', applied: 2 } }] },
    });
    expect((await get(`${url}/healthz`)).status).toBe(200);

    // A second replica boots, ready, and applies nothing again.
    const second = await start();
    expect((await get(`${second.url}/readyz`)).status).toBe(200);
    expect((await pool.query('SELECT version, success FROM _strata_migrations ORDER BY version'))[0]).toEqual(history);

    // Readiness pings this database (its answer reused for a second at most): without it, 503.
    await pool.end();
    const deadline = Date.now() + 10_000;
    let status = (await get(`${url}/readyz`)).status;
    while (status !== 503 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = (await get(`${url}/readyz`)).status;
    }
    expect(status).toBe(503);
    expect((await get(`${url}/livez`)).status).toBe(200);
  });
});
