import { isStrataError, StrataError } from '@strata/core';
import { migrateOnBoot } from '@strata/express';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, spawnNode, writeTree } from '../../../test-support/databases.js';
import { FIXTURE_APP, migrationsDir, track } from './support/helpers.js';
import { startNode } from './support/node-process.js';

const GOOD = {
  '0001_create_items.sql': 'CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL);\n',
  '0002_add_note.sql': 'ALTER TABLE items ADD COLUMN note text;\n',
};
const BROKEN = {
  '0001_create_items.sql': GOOD['0001_create_items.sql'],
  '0002_bad.sql': '-- adds a column\nALTER TABLE items\n  ADD COLUMN note no_such_type;\n',
};

let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
let dir: Awaited<ReturnType<typeof migrationsDir>>;
let pool: pg.Pool;

beforeEach(async () => {
  db = await createPostgresDatabase('express_modes');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  // Dropping the database terminates sessions a pool may still hold; unheard, that 'error' fails the run.
  pool.on('error', () => {});
});

afterEach(async () => {
  await pool.end();
  await db.drop();
  await dir?.cleanup();
});

async function historyVersions(): Promise<string[]> {
  const { rows } = await pool
    .query<{ version: string }>('SELECT version::text AS version FROM _strata_migrations ORDER BY version')
    .catch(() => ({ rows: [] as { version: string }[] }));
  return rows.map((row) => row.version);
}

describe("mode 'wait'", () => {
  it('resolves once a second process has applied every migration, and applies nothing itself', async () => {
    dir = await migrationsDir(GOOD);
    const waiting = track(migrateOnBoot(pool, { migrations: dir.path, mode: 'wait', waitInterval: 100, waitTimeout: 60_000 }));
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(waiting.settled()).toBe(false);
    expect(await historyVersions()).toEqual([]);

    const migrator = await spawnNode([FIXTURE_APP], {
      env: { DATABASE_URL: db.url, MIGRATIONS_DIR: dir.path, EXIT_AFTER_BOOT: '1' },
    });
    expect(migrator.code, migrator.stderr).toBe(0);
    const booted = migrator.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .find((event) => event.event === 'booted');
    expect(booted).toMatchObject({ state: 'ready', applied: ['1', '2'] });

    const router = await waiting.promise;
    const resolvedAt = Date.now();
    expect(resolvedAt).toBeGreaterThanOrEqual(booted.finishedAt);
    expect(router.state).toBe('ready');
    expect(router.status()).toMatchObject({ mode: 'wait', applied: [] });
    expect(router.migrationReport).toBeUndefined();
    expect(await historyVersions()).toEqual(['1', '2']);
  });

  it('rejects with WAIT_TIMEOUT when nobody migrates in time', async () => {
    dir = await migrationsDir(GOOD);
    await expect(
      migrateOnBoot(pool, { migrations: dir.path, mode: 'wait', waitInterval: 50, waitTimeout: 400 }),
    ).rejects.toMatchObject({ code: 'WAIT_TIMEOUT' });
    expect(await historyVersions()).toEqual([]);
  });
});

describe("mode 'verify'", () => {
  it('rejects on a pending migration without applying it, and resolves once the schema is up to date', async () => {
    dir = await migrationsDir({ '0001_create_items.sql': GOOD['0001_create_items.sql'] });
    await migrateOnBoot(pool, { migrations: dir.path });
    await writeTree(dir.root, { 'migrations/0002_add_note.sql': GOOD['0002_add_note.sql'] });

    const error = await migrateOnBoot(pool, { migrations: dir.path, mode: 'verify' }).catch((e: unknown) => e);
    expect(isStrataError(error, 'NOT_UP_TO_DATE')).toBe(true);
    expect((error as StrataError).details).toMatchObject({ version: '2', states: ['pending'] });
    expect((error as StrataError).message).toContain('2 (pending)');
    expect(await historyVersions()).toEqual(['1']);

    await migrateOnBoot(pool, { migrations: dir.path });
    const router = await migrateOnBoot(pool, { migrations: dir.path, mode: 'verify' });
    expect(router.state).toBe('ready');
  });

  it('rejects when an applied migration was modified', async () => {
    dir = await migrationsDir(GOOD);
    await migrateOnBoot(pool, { migrations: dir.path });
    await writeTree(dir.root, { 'migrations/0002_add_note.sql': 'ALTER TABLE items ADD COLUMN note varchar(10);\n' });
    await expect(migrateOnBoot(pool, { migrations: dir.path, mode: 'verify' })).rejects.toMatchObject({ code: 'NOT_UP_TO_DATE' });
  });
});

describe('a failing migration', () => {
  it('rejects migrateOnBoot with the file and line, at once (never retried), keeping what came before', async () => {
    dir = await migrationsDir(BROKEN);
    const started = Date.now();
    const error = await migrateOnBoot(pool, { migrations: dir.path, connectDeadline: 60_000 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(StrataError);
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED', details: { version: '2', file: '0002_bad.sql', line: 3 } });
    expect((error as Error).message).toMatch(/0002_bad\.sql:3:\d+/);
    expect(await historyVersions()).toEqual(['1']);
  });

  it('with singleTransaction (passed to the engine), keeps nothing: the migration before it is rolled back too', async () => {
    dir = await migrationsDir(BROKEN);
    const error = await migrateOnBoot(pool, { migrations: dir.path, singleTransaction: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'MIGRATION_FAILED',
      details: { version: '2', file: '0002_bad.sql', line: 3, singleTransaction: true, rolledBack: ['1', '2'] },
    });
    expect(await historyVersions()).toEqual([]);
    const { rows } = await pool.query("SELECT to_regclass('items') IS NOT NULL AS present");
    expect(rows[0].present).toBe(false);
  });

  it('makes an app that awaits migrateOnBoot exit non-zero before it listens', async () => {
    dir = await migrationsDir(BROKEN);
    const result = await spawnNode([FIXTURE_APP], { env: { DATABASE_URL: db.url, MIGRATIONS_DIR: dir.path } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/0002_bad\.sql:3:\d+/);
    expect(result.stdout).not.toContain('"listening"');
  });

  it('in background mode leaves the process running and serving probes; onError hears of it', async () => {
    dir = await migrationsDir(BROKEN);
    const app = startNode([FIXTURE_APP], { env: { DATABASE_URL: db.url, MIGRATIONS_DIR: dir.path, STRATA_BACKGROUND: '1' } });
    try {
      const port = await app.waitForLine((line) => (line.includes('"listening"') ? JSON.parse(line).port : undefined));
      const failure = await app.waitForLine((line) => (line.includes('"onError"') ? JSON.parse(line) : undefined));
      expect(failure.code).toBe('MIGRATION_FAILED');
      expect(failure.message).toMatch(/0002_bad\.sql:3:\d+/);
      // An unhandled rejection would have ended the process by now.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(app.child.exitCode).toBeNull();
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ checks: { migrations: [{ observedValue: { state: 'failed' } }] } });
      expect((await fetch(`http://127.0.0.1:${port}/livez`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/items`)).status).toBe(503);
    } finally {
      const exit = await app.stop();
      expect(exit.code, app.stderr()).toBe(0);
    }
  });
});
