/**
 * Issue 14, "Deadlines everywhere", the Migrator's part: a caller's pg.Pool built without any
 * timeout (`new pg.Pool({ connectionString })`, as the README shows) against a server that accepts
 * the TCP connection and never answers. pg alone waits for as long as the socket lives; the
 * Migrator gives up after `connectTimeout` (default 10 s) with CONNECTION_FAILED naming the server
 * without its password, destroys the connection it gave up on, and leaves the pool usable.
 *
 * Timing bounds are generous (the deadline + 5 s): the point is "gives up", not "to the millisecond".
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../../test-support/databases.js';
import { LEAKABLE_PASSWORD } from '../../../../test-support/password-role.js';
import { type SilentServer, startSilentServer } from '../../../../test-support/silent-server.js';
import { isStrataError, Migrator } from '../../src/index.js';
import { catchError, useCleanups } from './support/fault-helpers.js';

const cleanups = useCleanups();
const MIGRATIONS = [{ version: 1, description: 'create items', up: 'CREATE TABLE items (id int);' }];
const SLACK_MS = 5_000;

async function silentServer(): Promise<SilentServer> {
  const server = await startSilentServer();
  cleanups.push(() => server.close());
  return server;
}

/** A pool exactly as the README builds it: no connectionTimeoutMillis, nothing else. */
function plainPool(url: string, extra: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, ...extra });
  pool.on('error', () => {});
  cleanups.push(() => pool.end());
  return pool;
}

async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - started };
}

async function settles(check: () => boolean, ms = 5_000): Promise<void> {
  const until = performance.now() + ms;
  while (!check()) {
    if (performance.now() > until) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Migrator against a server that accepts and never answers, with a pool without timeouts', () => {
  it.each(['run', 'status', 'plan'] as const)(
    '%s() gives up after connectTimeout with CONNECTION_FAILED naming the server, password redacted',
    async (method) => {
      const server = await silentServer();
      const pool = plainPool(server.url('app', LEAKABLE_PASSWORD));
      const migrator = new Migrator({ db: pool, migrations: MIGRATIONS, connectTimeout: 1_500 });

      const { value: error, ms } = await timed(catchError(migrator[method]()));

      expect(isStrataError(error, 'CONNECTION_FAILED'), String(error)).toBe(true);
      expect(error.message).toBe(
        `cannot reach the database at postgres://postgres:***@127.0.0.1:${server.port}/app: no connection within 1500 ms (connect timeout)`,
      );
      expect(error.details).toMatchObject({ transient: true, timeoutMs: 1_500 });
      expect(JSON.stringify(error)).not.toContain(LEAKABLE_PASSWORD);
      expect(ms).toBeGreaterThanOrEqual(1_400);
      expect(ms).toBeLessThan(1_500 + SLACK_MS);
      expect(server.connections).toBeGreaterThan(0);
      // The attempt it gave up on is closed, not left holding a socket and a slot of the pool.
      await settles(() => server.open === 0 && pool.totalCount === 0);
    },
  );

  it('waits 10 s by default, then gives up the same way', async () => {
    const server = await silentServer();
    const pool = plainPool(server.url());

    const { value: error, ms } = await timed(catchError(new Migrator({ db: pool, migrations: MIGRATIONS }).run()));

    expect(isStrataError(error, 'CONNECTION_FAILED'), String(error)).toBe(true);
    expect(error.message).toContain(`postgres://postgres:***@127.0.0.1:${server.port}/app: no connection within 10 s`);
    expect(ms).toBeGreaterThanOrEqual(9_900);
    expect(ms).toBeLessThan(10_000 + SLACK_MS);
  });

  it('a pool with its own connectionTimeoutMillis gives up at that bound, said the same way', async () => {
    const server = await silentServer();
    const pool = plainPool(server.url(), { connectionTimeoutMillis: 1_000 });

    const { value: error, ms } = await timed(catchError(new Migrator({ db: pool, migrations: MIGRATIONS }).status()));

    expect(isStrataError(error, 'CONNECTION_FAILED'), String(error)).toBe(true);
    expect(error.message).toContain(`127.0.0.1:${server.port}/app: no connection within 1 s (connect timeout)`);
    expect(ms).toBeLessThan(1_000 + SLACK_MS);
  });

  it('connectTimeout: 0 keeps waiting (the caller asked for it); other values are refused up front', async () => {
    const server = await silentServer();
    const pool = plainPool(server.url());
    const waiting = new Migrator({ db: pool, migrations: MIGRATIONS, connectTimeout: 0 }).status();
    const outcome = await Promise.race([
      waiting.then(
        () => 'resolved',
        () => 'rejected',
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1_500)),
    ]);
    expect(outcome).toBe('still waiting');
    // Closing the server ends the wait, as it always did.
    await server.close();
    expect(isStrataError(await catchError(waiting), 'CONNECTION_FAILED')).toBe(true);

    for (const connectTimeout of [-1, Number.NaN, '10' as unknown as number, 2 ** 31]) {
      expect(() => new Migrator({ db: pool, migrations: MIGRATIONS, connectTimeout })).toThrow(/connectTimeout must be/);
    }
  });
});

describe('Migrator waiting for a connection of a busy pool', () => {
  it('gives up after connectTimeout saying the pool is in use, and destroys the client that arrives late', async () => {
    const database = await createPostgresDatabase('connect_timeout');
    cleanups.push(database.drop);
    const pool = plainPool(database.url, { max: 1 });
    // The app holds the pool's only connection.
    const held = await pool.connect();
    const ended = new Promise<void>((resolve) => held.once('end', () => resolve()));

    const { value: error, ms } = await timed(
      catchError(new Migrator({ db: pool, migrations: MIGRATIONS, connectTimeout: 800 }).run()),
    );
    expect(isStrataError(error, 'CONNECTION_FAILED'), String(error)).toBe(true);
    expect(error.message).toMatch(/within 800 ms \(connect timeout\): all 1 connections of the pool are in use$/);
    expect(ms).toBeLessThan(800 + SLACK_MS);

    // The app gives its connection back: pg hands it to the abandoned wait, which destroys it
    // rather than keep or leak it; the pool then opens a fresh one for the app.
    held.release();
    await ended;
    await settles(() => pool.totalCount === 0);
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect((await new Migrator({ db: pool, migrations: MIGRATIONS }).run()).applied).toHaveLength(1);
  });
});
