/**
 * Issue 14, rolling back a deploy: release N+1 migrated, then a release-N Nest app starts. Under
 * the boot default (`future: 'ignore'`) it starts, applies nothing, and its probes and the Terminus
 * indicator say ready while naming the newer version; under `future: 'error'` creating the app
 * fails with MIGRATION_FUTURE.
 */
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { isStrataError } from '@strata/core';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationsModule, type MigrationsModuleExtras, type MigrationsModuleOptions, MigrationsService } from '../src/index.js';
import { createApp, creationError, get, migrationsDir, openPostgres, openSqlite, startApp } from './support/harness.js';
import { HealthModule } from './support/health-module.js';

const RELEASE_N = {
  'migrations/0001_create_users.up.sql': 'CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT NOT NULL);\n',
  'migrations/0001_create_users.down.sql': 'DROP TABLE users;\n',
  'migrations/0002_seed_users.up.sql': "INSERT INTO users (id, email) VALUES (1, 'ada@example.com');\n",
  'migrations/0002_seed_users.down.sql': 'DELETE FROM users WHERE id = 1;\n',
};
const RELEASE_N_PLUS_1 = {
  ...RELEASE_N,
  'migrations/0003_add_name.up.sql': "ALTER TABLE users ADD COLUMN name TEXT NOT NULL DEFAULT 'ada';\n",
  'migrations/0003_add_name.down.sql': 'ALTER TABLE users DROP COLUMN name;\n',
};

interface Target {
  connection: pg.Pool | import('better-sqlite3').Database;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

async function postgres(): Promise<Target> {
  const database = await openPostgres('nest_rollback');
  return { connection: database.pool, rows: (sql) => database.rows(sql), close: () => database.close() };
}

async function sqlite(): Promise<Target> {
  const database = await openSqlite();
  return {
    connection: database.db,
    rows: async (sql) => database.db.prepare(sql).all() as Record<string, unknown>[],
    close: () => database.close(),
  };
}

describe.each([
  ['PostgreSQL', postgres],
  ['SQLite', sqlite],
] as const)('MigrationsModule of a rolled-back release on %s', (_name, open) => {
  let target: Target;
  let releaseN: string;
  const cleanups: (() => Promise<unknown>)[] = [];

  function appModule(
    migrations: string,
    options: Partial<MigrationsModuleOptions> & Pick<MigrationsModuleExtras, 'probes'> = {},
  ) {
    @Module({
      imports: [
        MigrationsModule.forRoot({
          connection: target.connection,
          migrations,
          logger: false,
          probes: true,
          isGlobal: true,
          ...options,
        }),
        HealthModule,
      ],
    })
    class AppModule {}
    return AppModule;
  }

  /** Schema, rows and history: what must not move when release N starts. */
  async function picture() {
    return {
      users: await target.rows('SELECT * FROM users ORDER BY id'),
      history: (
        await target.rows('SELECT version, checksum, installed_on, success FROM _strata_migrations ORDER BY version')
      ).map((row) => ({ ...row, version: String(row.version), installed_on: String(row.installed_on) })),
    };
  }

  beforeEach(async () => {
    target = await open();
    const n = await migrationsDir(RELEASE_N);
    const nPlus1 = await migrationsDir(RELEASE_N_PLUS_1);
    cleanups.push(
      () => n.cleanup(),
      () => nPlus1.cleanup(),
    );
    releaseN = join(n.path, 'migrations');
    // Release N+1 rolled out and migrated.
    const rolledOut = await createApp(appModule(join(nPlus1.path, 'migrations'), { probes: false }));
    expect(rolledOut.get(MigrationsService).snapshot().applied).toEqual(['1', '2', '3']);
    await rolledOut.close();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await target.close();
  });

  it('starts under the default, applies nothing, and its probes say ready naming the future version', async () => {
    const before = await picture();
    expect(before.users).toEqual([expect.objectContaining({ name: 'ada' })]);
    const running = await startApp(appModule(releaseN));
    cleanups.push(() => running.close());
    const service = running.app.get(MigrationsService);
    expect(service.state).toBe('ready');
    expect(service.lastReport?.applied).toEqual([]);
    expect(service.lastReport?.future).toEqual([3n]);
    expect((await service.status()).map((line) => line.state)).toEqual(['applied', 'applied', 'future']);
    expect(await picture()).toEqual(before);

    const ready = await get(`${running.url}/readyz?verbose`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'pass',
      checks: {
        migrations: [{ status: 'pass', observedValue: { state: 'ready', applied: 2, pending: 0 } }],
        'migrations:future': [{ status: 'warn', observedValue: ['3'] }],
      },
    });
    const health = await get(`${running.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'warn',
      checks: { 'migrations:future': [{ status: 'warn', observedValue: ['3'] }] },
    });
    // Terminus: up, with the future version listed but not outstanding.
    const schema = await get(`${running.url}/health/schema`);
    expect(schema.status).toBe(200);
    expect(schema.body).toMatchObject({
      info: { 'migrations:status': { status: 'up', applied: 2, latest: '2', outstanding: [], future: ['3'] } },
    });
    for (const text of [ready.text, health.text, schema.text]) expect(text).not.toMatch(/ALTER|INSERT|DEFAULT/);
    // The service's revert never touches the newer release's migration.
    const revert = await service.revert().catch((error: unknown) => error);
    expect(isStrataError(revert, 'MIGRATION_FUTURE'), String(revert)).toBe(true);
    expect(await picture()).toEqual(before);
  });

  it("under future: 'error' creating the app fails with MIGRATION_FUTURE naming the version", async () => {
    const before = await picture();
    const error = await creationError(appModule(releaseN, { future: 'error', probes: false }));
    expect(isStrataError(error, 'MIGRATION_FUTURE'), String(error)).toBe(true);
    expect((error as { details: Record<string, unknown> }).details).toMatchObject({ version: '3', versions: ['3'] });
    expect(await picture()).toEqual(before);
  });

  it("a gap (a migration missing in the middle) still fails with MIGRATION_MISSING under 'ignore'", async () => {
    const gap = await migrationsDir({
      'migrations/0001_create_users.up.sql': RELEASE_N['migrations/0001_create_users.up.sql'],
      'migrations/0003_add_name.up.sql': RELEASE_N_PLUS_1['migrations/0003_add_name.up.sql'],
    });
    cleanups.push(() => gap.cleanup());
    const error = await creationError(appModule(join(gap.path, 'migrations'), { future: 'ignore', probes: false }));
    expect(isStrataError(error, 'MIGRATION_MISSING'), String(error)).toBe(true);
    expect((error as { details: Record<string, unknown> }).details.version).toBe('2');
  });
});
