import { HEALTH_CONTENT_TYPE } from '@strata/core/boot';
import { DEFAULT_PATHS, migrateOnBoot } from '@strata/express';
import Database from 'better-sqlite3';
import express from 'express';
import pg from 'pg';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, sqliteFile } from '../../../test-support/databases.js';
import { migrationsDir } from './support/helpers.js';

const SQLITE_MIGRATIONS = {
  '20260601000001_create_users.up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n',
  '20260601000001_create_users.down.sql': 'DROP TABLE users;\n',
  '20260601000002_add_name.up.sql': 'ALTER TABLE users ADD COLUMN name TEXT;\n',
  '20260601000002_add_name.down.sql': 'ALTER TABLE users DROP COLUMN name;\n',
};

let file: Awaited<ReturnType<typeof sqliteFile>>;
let dir: Awaited<ReturnType<typeof migrationsDir>>;
let sqlite: Database.Database;

beforeEach(async () => {
  file = await sqliteFile();
  dir = await migrationsDir(SQLITE_MIGRATIONS);
  sqlite = new Database(file.path);
});

afterEach(async () => {
  sqlite.close();
  await file.cleanup();
  await dir.cleanup();
});

function appWith(router: express.Router): express.Express {
  const app = express();
  app.use(router);
  app.get('/users', (_req, res) => {
    res.json(sqlite.prepare('SELECT id, email, name FROM users').all());
  });
  return app;
}

describe('migrateOnBoot on SQLite', () => {
  it('applies pending migrations before resolving, then serves the probes and the app', async () => {
    const logs: string[] = [];
    const router = await migrateOnBoot(sqlite, {
      migrations: dir.path,
      logger: { info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
    });
    expect(router.state).toBe('ready');
    expect(router.status().applied).toEqual(['20260601000001', '20260601000002']);
    expect(logs.at(-1)).toMatch(/^applied 2 migrations in \d+ ms \(0 already applied\)$/);
    const app = appWith(router);
    expect((await request(app).get('/users')).body).toEqual([]);
    for (const path of ['/livez', '/readyz', '/healthz']) {
      const response = await request(app).get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers['content-type']).toBe(`${HEALTH_CONTENT_TYPE}; charset=utf-8`);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers.etag).toBeUndefined();
      const conditional = await request(app).get(path).set('If-None-Match', '*');
      expect(conditional.status, `${path} conditional`).toBe(200);
    }

    // A second boot on the same file takes the fast path.
    const again: string[] = [];
    const second = await migrateOnBoot(sqlite, {
      migrations: dir.path,
      logger: { info: (m) => again.push(m), warn() {}, error() {} },
    });
    expect(second.status().applied).toEqual([]);
    expect(second.migrationReport?.lockTaken).toBe(false);
    expect(again.at(-1)).toMatch(/^schema up to date: 2 migrations already applied \(checked in \d+ ms\)$/);
  });

  it('reads ./migrations from the working directory when no source is given', async () => {
    const previous = process.cwd();
    process.chdir(dir.root);
    try {
      const router = await migrateOnBoot(sqlite);
      expect(router.status().applied).toHaveLength(2);
    } finally {
      process.chdir(previous);
    }
  });

  it('lists each check with ?verbose only', async () => {
    const app = appWith(await migrateOnBoot(sqlite, { migrations: dir.path }));
    expect(JSON.parse((await request(app).get('/readyz')).text)).toEqual({ status: 'pass' });
    for (const query of ['?verbose', '?verbose=1', '?verbose=true']) {
      const body = JSON.parse((await request(app).get(`/readyz${query}`)).text);
      expect(Object.keys(body.checks), query).toEqual(['migrations', 'database:responseTime', 'shutdown:draining']);
      expect(body.checks.migrations[0]).toMatchObject({
        status: 'pass',
        observedValue: { mode: 'run', state: 'ready', applied: 2 },
      });
    }
    expect(JSON.parse((await request(app).get('/readyz?verbose=false')).text)).toEqual({ status: 'pass' });
    const health = JSON.parse((await request(app).get('/healthz')).text);
    expect(health.checks['migrations:versions'][0].observedValue).toEqual({
      applied: 2,
      pending: 0,
      problems: 0,
      latest: '20260601000002',
      future: [],
    });
  });

  it('answers HEAD on the probes without a body', async () => {
    const app = appWith(await migrateOnBoot(sqlite, { migrations: dir.path }));
    const response = await request(app).head('/readyz');
    expect(response.status).toBe(200);
    expect(response.text ?? '').toBe('');
  });

  it('serves the probes on the paths given, and leaves out the ones set to false', async () => {
    const router = await migrateOnBoot(sqlite, {
      migrations: dir.path,
      paths: { livez: '/ops/live', readyz: '/ops/ready', healthz: false },
    });
    expect(router.paths).toEqual({ livez: '/ops/live', readyz: '/ops/ready', healthz: false });
    const app = appWith(router);
    expect((await request(app).get('/ops/live')).status).toBe(200);
    expect((await request(app).get('/ops/ready')).status).toBe(200);
    expect((await request(app).get('/livez')).status).toBe(404);
    expect((await request(app).get('/healthz')).status).toBe(404);
    expect(DEFAULT_PATHS).toEqual({ livez: '/livez', readyz: '/readyz', healthz: '/healthz' });
  });

  it('shutdown() drains: readiness and health turn 503, liveness and the app keep answering', async () => {
    const router = await migrateOnBoot(sqlite, { migrations: dir.path });
    const app = appWith(router);
    expect((await request(app).get('/readyz')).status).toBe(200);
    const started = performance.now();
    await router.shutdown({ delay: 200 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(router.status().draining).toBe(true);
    const ready = await request(app).get('/readyz?verbose');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.text).checks['shutdown:draining'][0].status).toBe('fail');
    expect((await request(app).get('/healthz')).status).toBe(503);
    expect((await request(app).get('/livez')).status).toBe(200);
    expect((await request(app).get('/users')).status).toBe(200);
  });

  it('rejects bad options with INVALID_OPTIONS before touching the database', async () => {
    const cases: Record<string, unknown>[] = [
      { mode: 'sometimes' },
      { background: 'yes' },
      { paths: { readyz: 'readyz' } },
      { paths: { livez: '/same', readyz: '/same' } },
      { background: true, gate: { retryAfter: 1.5 } },
      { pingTimeout: -1 },
      { connectDeadline: 'soon' },
      { onError: 'log it' },
    ];
    for (const options of cases) {
      await expect(
        migrateOnBoot(sqlite, { migrations: dir.path, ...options } as never),
        JSON.stringify(options),
      ).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    }
    expect(sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = '_strata_migrations'").get()).toEqual({ n: 0 });
  });

  it('rejects a handle that is not a database with UNSUPPORTED_DATABASE', async () => {
    await expect(migrateOnBoot({} as never, { migrations: dir.path })).rejects.toMatchObject({ code: 'UNSUPPORTED_DATABASE' });
  });
});

describe('migrateOnBoot on PostgreSQL', () => {
  it('accepts a pg.Client as well as a pg.Pool, honouring table and schema', async () => {
    const db = await createPostgresDatabase('express_client');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const pgDir = await migrationsDir({ '0001_create_items.sql': 'CREATE TABLE items (id int);\n' });
    try {
      const router = await migrateOnBoot(client, { migrations: pgDir.path, table: '_sqlx_migrations', schema: 'ops' });
      expect(router.status().applied).toEqual(['1']);
      const { rows } = await client.query('SELECT version::text AS version FROM ops._sqlx_migrations');
      expect(rows).toEqual([{ version: '1' }]);
      const app = appWith(router);
      expect((await request(app).get('/readyz')).status).toBe(200);
    } finally {
      await client.end();
      await db.drop();
      await pgDir.cleanup();
    }
  });
});
