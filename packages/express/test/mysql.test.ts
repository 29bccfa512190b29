/**
 * migrateOnBoot with a mysql2 pool on a real MariaDB: it migrates before resolving, the probes
 * ping that database, and the history is strata's table there.
 */
import { migrateOnBoot } from '@strata/express';
import express from 'express';
import mysql from 'mysql2/promise';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMysqlDatabase } from '../../../test-support/mysql.js';
import { migrationsDir, waitUntil } from './support/helpers.js';

const MIGRATIONS = {
  '20260601000001_create_users.up.sql': 'CREATE TABLE users (id BIGINT PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE);\n',
  '20260601000001_create_users.down.sql': 'DROP TABLE users;\n',
  '20260601000002_seed.up.sql': "INSERT INTO users (id, email) VALUES (1, 'ada@example.com');\n",
  '20260601000002_seed.down.sql': 'DELETE FROM users WHERE id = 1;\n',
};

let database: Awaited<ReturnType<typeof createMysqlDatabase>>;
let dir: Awaited<ReturnType<typeof migrationsDir>>;
let pool: mysql.Pool;

beforeEach(async () => {
  database = await createMysqlDatabase('express');
  dir = await migrationsDir(MIGRATIONS);
  pool = mysql.createPool({ uri: database.url, connectionLimit: 4 });
});

afterEach(async () => {
  await pool.end().catch(() => {});
  await database.drop();
  await dir.cleanup();
});

describe('migrateOnBoot on MariaDB (a mysql2 pool)', () => {
  it('applies pending migrations before resolving, serves /readyz 200, and fails readiness once the pool is gone', async () => {
    const router = await migrateOnBoot(pool, { migrations: dir.path });
    expect(router.state).toBe('ready');
    expect(router.status().applied).toEqual(['20260601000001', '20260601000002']);
    const app = express();
    app.use(router);
    app.get('/users', async (_req, res) => {
      const [rows] = await pool.query('SELECT id, email FROM users');
      res.json(rows);
    });

    const ready = await request(app).get('/readyz?verbose');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toMatchObject({
      status: 'pass',
      checks: { migrations: [{ status: 'pass', observedValue: { state: 'ready', applied: 2 } }] },
    });
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/users')).body).toEqual([{ id: 1, email: 'ada@example.com' }]);
    const [history] = (await pool.query('SELECT version, success FROM _strata_migrations ORDER BY version')) as unknown as [
      { version: number; success: number }[],
    ];
    expect(history).toEqual([
      { version: 20260601000001, success: 1 },
      { version: 20260601000002, success: 1 },
    ]);

    // A second replica finds nothing to do.
    const again = await migrateOnBoot(pool, { migrations: dir.path });
    expect(again.status().applied).toEqual([]);

    // Readiness pings this database (its answer reused for a second at most): without it, 503.
    await pool.end();
    await waitUntil(async () => (await request(app).get('/readyz')).status === 503);
    expect((await request(app).get('/livez')).status).toBe(200);
  });
});
