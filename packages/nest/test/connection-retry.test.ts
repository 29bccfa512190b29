import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { isStrataError } from '@strata/core';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pgServerAddress, startTcpProxy, type TcpProxy, throughPort } from '../../../test-support/tcp-proxy.js';
import { MigrationsModule, MigrationsService } from '../src/index.js';
import {
  createApp,
  creationError,
  migrationsDir,
  openPostgres,
  type PostgresTestDb,
  recordingLogger,
  within,
} from './support/harness.js';
import { USERS_MIGRATIONS } from './support/migrations.js';

const REFUSE_MS = 1_200;

let database: PostgresTestDb;
let proxy: TcpProxy;
let pool: pg.Pool;
let migrations: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  database = await openPostgres('nest_retry');
  // The app's pool points at the proxy, which refuses connections until the test opens it.
  proxy = await startTcpProxy(pgServerAddress(), { listening: false });
  pool = new pg.Pool({ connectionString: throughPort(database.url, proxy.port), max: 2 });
  pool.on('error', () => {});
  const dir = await migrationsDir(USERS_MIGRATIONS);
  cleanups.push(() => dir.cleanup());
  migrations = join(dir.path, 'migrations');
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await pool.end().catch(() => {});
  await proxy.close();
  await database.close();
});

describe('a database that refuses connections at boot', () => {
  it('is retried with backoff until it accepts, then migrated', async () => {
    const logger = recordingLogger();
    @Module({ imports: [MigrationsModule.forRoot({ connection: pool, migrations, logger, connectDeadline: 20_000 })] })
    class AppModule {}

    const isRetry = (line: (typeof logger.lines)[number]) =>
      line.level === 'warn' && /database not reachable \(attempt \d+\)/.test(line.message);
    const started = Date.now();
    const creating = createApp(AppModule);
    // The database comes up once the outage has lasted REFUSE_MS and the app has retried twice: on a
    // loaded machine the app may take most of REFUSE_MS just to reach its first attempt.
    const opening = (async () => {
      while ((Date.now() - started < REFUSE_MS || logger.lines.filter(isRetry).length < 2) && Date.now() - started < 25_000) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await proxy.open();
    })();
    const app = await within(25_000, creating, 'create');
    await opening;
    cleanups.push(() => app.close());
    const elapsed = Date.now() - started;

    const retries = logger.lines.filter(isRetry);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries[0]!.context).toMatchObject({ code: 'CONNECTION_FAILED' });
    // Backoff, not a busy loop: the pauses grow (250 ms doubling, with jitter), so a 1.2 s outage takes a handful.
    expect(retries.length).toBeLessThanOrEqual(6);
    const pauses = retries.map((line) => Number(/retrying in (\d+) ms/.exec(line.message)?.[1]));
    expect(pauses.at(-1)!).toBeGreaterThan(pauses[0]!);
    expect(elapsed).toBeGreaterThanOrEqual(REFUSE_MS);
    expect(proxy.connections).toBeGreaterThan(0);

    expect(app.get(MigrationsService).lastReport?.applied).toHaveLength(2);
    const versions = await database.rows<{ version: string }>(
      'SELECT version::text AS version FROM _strata_migrations ORDER BY 1',
    );
    expect(versions.map((row) => row.version)).toEqual(['1', '2']);
  });

  it('gives up at the deadline with CONNECTION_FAILED, and the app is never created', async () => {
    const logger = recordingLogger();
    @Module({ imports: [MigrationsModule.forRoot({ connection: pool, migrations, logger, connectDeadline: 1_000 })] })
    class AppModule {}

    const started = Date.now();
    const error = await creationError(AppModule, 15_000);
    const elapsed = Date.now() - started;

    expect(isStrataError(error, 'CONNECTION_FAILED')).toBe(true);
    expect(logger.count('warn', /database not reachable/)).toBeGreaterThanOrEqual(1);
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(6_000);
    // No password in what the app would print.
    expect((error as Error).message).not.toMatch(/postgres:[^@/]+@/);
  });
});
