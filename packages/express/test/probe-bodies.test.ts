import { type MigrationRouter, migrateOnBoot } from '@strata/express';
import express from 'express';
import pg from 'pg';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../test-support/databases.js';
import { pgServerAddress, startTcpProxy, type TcpProxy, throughPort } from '../../../test-support/tcp-proxy.js';
import { migrationsDir, waitUntil } from './support/helpers.js';

const PROBES = ['/livez', '/livez?verbose', '/readyz', '/readyz?verbose', '/healthz', '/healthz?verbose'];

let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
let dir: Awaited<ReturnType<typeof migrationsDir>>;
let proxy: TcpProxy;
let url: string;
let pool: pg.Pool;
const routers: MigrationRouter[] = [];

beforeEach(async () => {
  db = await createPostgresDatabase('express_bodies');
  dir = await migrationsDir({
    '0001_create_items.sql': 'CREATE TABLE items (id int);\n',
    '0002_break_things.sql': '-- touches a column that is not there\nSELECT secret_column_xyz\n  FROM items;\n',
  });
  proxy = await startTcpProxy(pgServerAddress());
  // A password in the URL, so a leak would be visible (trust auth ignores it; password auth needs the real one).
  const parsed = new URL(throughPort(db.url, proxy.port));
  if (!parsed.password) parsed.password = 'Sup3rSecretPw';
  url = parsed.toString();
  pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 1_000 });
  pool.on('error', () => {});
});

afterEach(async () => {
  for (const router of routers.splice(0)) await router.whenReady().catch(() => {});
  await proxy.close();
  await pool.end();
  await db.drop();
  await dir.cleanup();
});

/** Everything a probe answered, in every state the test drives the router through. */
async function collectBodies(router: MigrationRouter, into: string[]): Promise<void> {
  const app = express();
  app.use(router);
  app.get('/items', (_req, res) => {
    res.json([]);
  });
  for (const path of [...PROBES, '/items']) {
    const response = await request(app).get(path);
    into.push(response.text);
    for (const value of Object.values(response.headers)) into.push(String(value));
  }
}

function expectNothingSensitive(bodies: string[]): void {
  const secret = new URL(url).password;
  const forbidden: (string | RegExp)[] = [
    url,
    secret,
    'postgres://',
    '127.0.0.1',
    `:${proxy.port}`,
    db.name,
    dir.root,
    '.sql',
    'secret_column_xyz',
    /\bSELECT\b/i,
    /\bCREATE\b/i,
    'does not exist',
    /\bat \S+ \(/,
    /node:internal/,
    /\.[cm]?[jt]s:\d+/,
  ];
  const everything = bodies.join('\n');
  for (const needle of forbidden) {
    if (typeof needle === 'string') expect(everything).not.toContain(needle);
    else expect(everything).not.toMatch(needle);
  }
}

describe('probe bodies', () => {
  it('never carry SQL text, a stack, a file path or a connection string, in any state', async () => {
    const bodies: string[] = [];

    // A SQL error in a background migration, then the database going away on top of it.
    const failed = await migrateOnBoot(pool, { migrations: dir.path, background: true, pingCacheTtl: 0, onError: () => {} });
    routers.push(failed);
    await waitUntil(() => failed.state === 'failed');
    expect(String((failed.boot.error as Error).message)).toContain('secret_column_xyz');
    await collectBodies(failed, bodies);
    await proxy.close();
    await collectBodies(failed, bodies);

    // The database refusing connections at boot, until connectDeadline gives up.
    const unreachable = await migrateOnBoot(pool, {
      migrations: dir.path,
      background: true,
      connectDeadline: 300,
      onError: () => {},
    });
    routers.push(unreachable);
    await collectBodies(unreachable, bodies);
    await waitUntil(() => unreachable.state === 'failed');
    expect(unreachable.status().error?.code).toBe('CONNECTION_FAILED');
    expect(String((unreachable.boot.error as Error).message)).toContain('127.0.0.1');
    await collectBodies(unreachable, bodies);
    await proxy.open();

    // A migrations directory that is not there: the error names the path, the probes must not.
    const missing = await migrateOnBoot(pool, { migrations: `${dir.root}/nowhere`, background: true, onError: () => {} });
    routers.push(missing);
    await waitUntil(() => missing.state === 'failed');
    expect(missing.status().error?.code).toBe('SOURCE_NOT_FOUND');
    await collectBodies(missing, bodies);

    // Healthy, then draining.
    await dir.cleanup();
    dir = await migrationsDir({ '0001_create_items.sql': 'CREATE TABLE items (id int);\n' });
    const healthy = await migrateOnBoot(pool, { migrations: dir.path, pingCacheTtl: 0 });
    await collectBodies(healthy, bodies);
    await healthy.shutdown();
    await collectBodies(healthy, bodies);

    expect(bodies.length).toBeGreaterThan(40);
    expectNothingSensitive(bodies);
  });
});
