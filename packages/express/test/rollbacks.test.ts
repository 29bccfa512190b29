/**
 * Issue 14, rolling back a deploy: release N+1 migrated, then a release-N instance boots (a pod
 * restart during the rollout, `kubectl rollout undo`). Under the boot default (`future: 'ignore'`)
 * it boots, applies nothing, and its probes say ready while naming the newer version.
 */
import { isStrataError, type Logger } from '@strata/core';
import { migrateOnBoot } from '@strata/express';
import Database from 'better-sqlite3';
import express from 'express';
import pg from 'pg';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, sqliteFile } from '../../../test-support/databases.js';
import { migrationsDir } from './support/helpers.js';

const RELEASE_N = {
  '0001_create_items.up.sql': 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n',
  '0001_create_items.down.sql': 'DROP TABLE items;\n',
  '0002_seed_items.up.sql': "INSERT INTO items (id, name) VALUES (1, 'first');\n",
  '0002_seed_items.down.sql': 'DELETE FROM items WHERE id = 1;\n',
};
const RELEASE_N_PLUS_1 = {
  ...RELEASE_N,
  '0003_add_note.up.sql': "ALTER TABLE items ADD COLUMN note TEXT;\nUPDATE items SET note = 'from N+1';\n",
  '0003_add_note.down.sql': 'ALTER TABLE items DROP COLUMN note;\n',
};

interface Target {
  handle: pg.Pool | Database.Database;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  columns(table: string): Promise<string[]>;
  close(): Promise<void>;
}

async function postgres(): Promise<Target> {
  const database = await createPostgresDatabase('express_rollback');
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  pool.on('error', () => {});
  const rows = async (sql: string) => (await pool.query(sql)).rows;
  return {
    handle: pool,
    rows,
    columns: async (table) =>
      (
        await pool.query(
          'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
          [table],
        )
      ).rows.map((row) => String(row.column_name)),
    async close() {
      await pool.end();
      await database.drop();
    },
  };
}

async function sqlite(): Promise<Target> {
  const file = await sqliteFile();
  const db = new Database(file.path);
  return {
    handle: db,
    rows: async (sql) => db.prepare(sql).all() as Record<string, unknown>[],
    columns: async (table) => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((row) => row.name),
    async close() {
      db.close();
      await file.cleanup();
    },
  };
}

function recording(): Logger & { lines: { level: string; message: string }[] } {
  const lines: { level: string; message: string }[] = [];
  const push = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  return { lines, info: push('info'), warn: push('warn'), error: push('error') };
}

describe.each([
  ['PostgreSQL', postgres],
  ['SQLite', sqlite],
] as const)('migrateOnBoot of a rolled-back release on %s', (_name, open) => {
  let target: Target;
  let releaseN: Awaited<ReturnType<typeof migrationsDir>>;
  let releaseNPlus1: Awaited<ReturnType<typeof migrationsDir>>;

  /** Schema, rows and history: what must not move when release N boots. */
  async function picture() {
    return {
      columns: await target.columns('items'),
      items: await target.rows('SELECT * FROM items ORDER BY id'),
      history: (
        await target.rows('SELECT version, description, checksum, installed_on, success FROM _strata_migrations ORDER BY version')
      ).map((row) => ({ ...row, version: String(row.version), installed_on: String(row.installed_on) })),
    };
  }

  beforeEach(async () => {
    target = await open();
    releaseN = await migrationsDir(RELEASE_N);
    releaseNPlus1 = await migrationsDir(RELEASE_N_PLUS_1);
    const rolledOut = await migrateOnBoot(target.handle, { migrations: releaseNPlus1.path });
    expect(rolledOut.status().applied).toEqual(['1', '2', '3']);
  });
  afterEach(async () => {
    await target.close();
    await releaseN.cleanup();
    await releaseNPlus1.cleanup();
  });

  it('boots under the default, applies nothing, and its probes say ready naming the future version', async () => {
    const before = await picture();
    expect(before.columns).toEqual(['id', 'name', 'note']);
    const logger = recording();
    const router = await migrateOnBoot(target.handle, { migrations: releaseN.path, logger });
    expect(router.state).toBe('ready');
    expect(router.migrationReport?.applied).toEqual([]);
    expect(router.migrationReport?.future).toEqual([3n]);
    expect(router.status()).toMatchObject({
      applied: [],
      versions: { applied: 2, pending: 0, problems: 0, latest: '2', future: ['3'] },
    });
    expect(logger.lines.at(-1)?.message).toMatch(
      /^schema up to date: 2 migrations already applied \(checked in \d+ ms\); left alone 1 migration newer than this build, applied by a newer release: 3$/,
    );
    expect(logger.lines.some((line) => line.level === 'warn' && line.message.startsWith('ignoring migration 3: applied'))).toBe(
      true,
    );
    expect(await picture()).toEqual(before);

    const app = express();
    app.use(router);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'pass' });
    const verbose = await request(app).get('/readyz?verbose');
    expect(verbose.status).toBe(200);
    const verboseBody = JSON.parse(verbose.text);
    expect(verboseBody).toMatchObject({
      status: 'pass',
      checks: {
        migrations: [{ status: 'pass', observedValue: { mode: 'run', state: 'ready', applied: 2, pending: 0 } }],
        'migrations:future': [
          { status: 'warn', observedValue: ['3'], output: 'applied by a newer release, left alone (future: ignore)' },
        ],
      },
    });
    const health = await request(app).get('/healthz');
    expect(health.status).toBe(200);
    const healthBody = JSON.parse(health.text);
    expect(healthBody.status).toBe('warn');
    expect(healthBody.checks['migrations:future']).toEqual(verboseBody.checks['migrations:future']);
    expect(healthBody.checks['migrations:versions'][0]).toMatchObject({ status: 'warn', observedValue: { future: ['3'] } });
    // Versions only: never the newer release's SQL.
    for (const text of [verbose.text, health.text]) expect(text).not.toMatch(/ALTER|UPDATE|note|TABLE/i);
  });

  it('wait and verify modes boot too, and background mode turns ready with the same picture', async () => {
    const before = await picture();
    for (const mode of ['wait', 'verify'] as const) {
      const router = await migrateOnBoot(target.handle, { migrations: releaseN.path, mode, waitTimeout: 5_000 });
      expect(router.state, mode).toBe('ready');
      expect(router.status().versions?.future).toEqual(['3']);
    }
    const background = await migrateOnBoot(target.handle, { migrations: releaseN.path, background: true });
    await background.whenReady();
    const app = express();
    app.use(background);
    const verbose = await request(app).get('/readyz?verbose');
    expect(verbose.status).toBe(200);
    expect(JSON.parse(verbose.text).checks['migrations:future']).toMatchObject([{ status: 'warn', observedValue: ['3'] }]);
    expect(await picture()).toEqual(before);
  });

  it("under future: 'error' the boot fails with MIGRATION_FUTURE naming the version, changing nothing", async () => {
    const before = await picture();
    for (const mode of ['run', 'wait', 'verify'] as const) {
      const error = await migrateOnBoot(target.handle, { migrations: releaseN.path, mode, future: 'error' }).catch(
        (e: unknown) => e,
      );
      expect(isStrataError(error, 'MIGRATION_FUTURE'), `${mode}: ${String(error)}`).toBe(true);
      expect((error as { details: Record<string, unknown> }).details).toMatchObject({ version: '3', versions: ['3'] });
    }
    // In the background the probes say why: readiness fails, and the future check with it.
    const failed = await migrateOnBoot(target.handle, {
      migrations: releaseN.path,
      future: 'error',
      background: true,
      onError: () => {},
    });
    await failed.whenReady().catch(() => {});
    const app = express();
    app.use(failed);
    const verbose = await request(app).get('/readyz?verbose');
    expect(verbose.status).toBe(503);
    expect(JSON.parse(verbose.text).checks).toMatchObject({
      migrations: [{ status: 'fail', observedValue: { state: 'failed', error: { code: 'MIGRATION_FUTURE', version: '3' } } }],
      'migrations:future': [{ status: 'fail', observedValue: ['3'] }],
    });
    expect(await picture()).toEqual(before);
  });

  it("a gap (a migration missing in the middle) still fails the boot with MIGRATION_MISSING under 'ignore'", async () => {
    const gap = await migrationsDir({
      '0001_create_items.up.sql': RELEASE_N['0001_create_items.up.sql'],
      '0001_create_items.down.sql': RELEASE_N['0001_create_items.down.sql'],
      '0003_add_note.up.sql': RELEASE_N_PLUS_1['0003_add_note.up.sql'],
      '0003_add_note.down.sql': RELEASE_N_PLUS_1['0003_add_note.down.sql'],
    });
    try {
      const error = await migrateOnBoot(target.handle, { migrations: gap.path, future: 'ignore' }).catch((e: unknown) => e);
      expect(isStrataError(error, 'MIGRATION_MISSING'), String(error)).toBe(true);
      expect((error as { details: Record<string, unknown> }).details.version).toBe('2');
    } finally {
      await gap.cleanup();
    }
  });
});
