/**
 * Issue 14, "Deadlines everywhere", the Express part: `migrateOnBoot(pool, { connectDeadline })`
 * with the pool built as the README shows (no connectionTimeoutMillis) against a server that
 * accepts connections and never answers. Before, the boot hung forever: pg waits for such a
 * server as long as the socket lives, and the retry loop only looked at the deadline between
 * attempts. Now every attempt is bounded, the boot gives up at connectDeadline with
 * CONNECTION_FAILED naming the server without its password, and in background mode the probes
 * answer meanwhile (/livez 200, /readyz 503).
 */
import { migrateOnBoot } from '@strata/express';
import express from 'express';
import pg from 'pg';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEAKABLE_PASSWORD } from '../../../test-support/password-role.js';
import { type SilentServer, startSilentServer } from '../../../test-support/silent-server.js';
import { migrationsDir, waitUntil } from './support/helpers.js';

const SLACK_MS = 5_000;

let server: SilentServer;
let pool: pg.Pool;
let dir: Awaited<ReturnType<typeof migrationsDir>>;

beforeEach(async () => {
  server = await startSilentServer();
  // Exactly the README's pool: no timeout of its own.
  pool = new pg.Pool({ connectionString: server.url('app', LEAKABLE_PASSWORD) });
  pool.on('error', () => {});
  dir = await migrationsDir({ '0001_create_items.sql': 'CREATE TABLE items (id int);\n' });
});

afterEach(async () => {
  await server.close();
  await pool.end();
  await dir.cleanup();
});

function expectNamesServer(error: unknown): void {
  expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
  const message = (error as Error).message;
  expect(message).toContain(`cannot reach the database at postgres://postgres:***@127.0.0.1:${server.port}/app`);
  expect(message).not.toContain(LEAKABLE_PASSWORD);
}

describe('migrateOnBoot against a server that never answers', () => {
  it('gives up at connectDeadline (3 s) with CONNECTION_FAILED naming the server, with a pool without timeouts', async () => {
    const started = performance.now();
    const error = await migrateOnBoot(pool, { migrations: dir.path, connectDeadline: 3_000 }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;

    expectNamesServer(error);
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
    expect(elapsed).toBeLessThan(3_000 + SLACK_MS);
    expect(server.connections).toBeGreaterThan(0);
  });

  it('bounds each attempt by connectTimeout and retries until the deadline', async () => {
    const warnings: string[] = [];
    const logger = { info() {}, error() {}, warn: (message: string) => void warnings.push(message) };
    const started = performance.now();
    const error = await migrateOnBoot(pool, {
      migrations: dir.path,
      connectDeadline: 4_000,
      connectTimeout: 1_000,
      logger,
    }).catch((e: unknown) => e);
    const elapsed = performance.now() - started;

    expectNamesServer(error);
    expect(warnings.filter((line) => /database not reachable \(attempt \d+\)/.test(line)).length).toBeGreaterThanOrEqual(2);
    expect(server.connections).toBeGreaterThanOrEqual(2);
    expect(elapsed).toBeGreaterThanOrEqual(3_900);
    expect(elapsed).toBeLessThan(4_000 + SLACK_MS);
  });

  it('in background mode: /livez 200 and /readyz 503 while it waits, then CONNECTION_FAILED by the deadline', async () => {
    let failure: unknown;
    const started = performance.now();
    const router = await migrateOnBoot(pool, {
      migrations: dir.path,
      background: true,
      connectDeadline: 3_000,
      pingTimeout: 500,
      onError: (error) => {
        failure = error;
      },
    });
    const app = express();
    app.use(router);

    expect((await request(app).get('/livez')).status).toBe(200);
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.text).not.toContain(LEAKABLE_PASSWORD);
    expect(router.state).toBe('migrating');

    await waitUntil(() => router.state === 'failed', 3_000 + SLACK_MS);
    expect(performance.now() - started).toBeLessThan(3_000 + SLACK_MS);
    expectNamesServer(failure);
    expect(router.status().error?.code).toBe('CONNECTION_FAILED');
    expect((await request(app).get('/livez')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(503);
  });
});
