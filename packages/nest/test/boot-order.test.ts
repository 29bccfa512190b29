import { connect } from 'node:net';
import { join } from 'node:path';
import { Controller, Get, Inject, Module } from '@nestjs/common';
import { isStrataError, StrataError } from '@strata/core';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test-support/tcp-proxy.js';
import { MIGRATIONS_READY, MigrationsModule, type MigrationsReady, MigrationsService } from '../src/index.js';
import {
  createApp,
  creationError,
  get,
  migrationsFolder,
  openPostgres,
  type PostgresTestDb,
  recordingLogger,
  startApp,
  within,
} from './support/harness.js';

const SLOW_MS = 1_500;

let database: PostgresTestDb;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  database = await openPostgres('nest_boot');
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await database.close();
});

const tree = (files: Record<string, string>) => migrationsFolder(files, cleanups);

/** Two migrations; the second holds its transaction open for SLOW_MS before creating `gadgets`. */
function slowTree(): Promise<string> {
  return tree({
    'migrations/0001_create_widgets.sql': 'CREATE TABLE widgets (id INT PRIMARY KEY);\nINSERT INTO widgets VALUES (1), (2);\n',
    'migrations/0002_slow_gadgets.sql': `SELECT pg_sleep(${SLOW_MS / 1000});\nCREATE TABLE gadgets (id INT PRIMARY KEY);\n`,
  });
}

function widgetsController() {
  @Controller()
  class WidgetsController {
    constructor(@Inject('POOL') private readonly pool: pg.Pool) {}
    @Get('gadgets')
    async gadgets() {
      const { rows } = await this.pool.query('SELECT count(*)::int AS n FROM gadgets');
      return rows[0];
    }
  }
  return WidgetsController;
}

describe('startup order', () => {
  it('opens the port only after every migration committed', async () => {
    const migrations = await slowTree();
    const logger = recordingLogger();
    @Module({
      imports: [MigrationsModule.forRoot({ connection: database.pool, migrations, logger })],
      controllers: [widgetsController()],
      providers: [{ provide: 'POOL', useValue: database.pool }],
    })
    class AppModule {}

    const port = await freePort();
    const started = Date.now();
    const booting = createApp(AppModule).then(async (app) => {
      cleanups.push(() => app.close());
      await app.listen(port, '127.0.0.1');
      return app;
    });

    // Knock on the port until it answers, counting refusals.
    let refused = 0;
    for (;;) {
      const accepted = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      if (accepted) break;
      refused++;
      expect(Date.now() - started).toBeLessThan(30_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const acceptedAt = Date.now();
    await within(10_000, booting, 'create + listen');

    const lastApplied = logger.lines.find((line) => /applied migration 2/.test(line.message));
    expect(lastApplied).toBeDefined();
    expect(acceptedAt).toBeGreaterThanOrEqual(lastApplied!.at);
    expect(acceptedAt - started).toBeGreaterThanOrEqual(SLOW_MS);
    // The port was knocked on (and refused) all through the slow migration.
    expect(refused).toBeGreaterThan(SLOW_MS / 100);
    // The first request already sees the migrated schema.
    const answer = await get(`http://127.0.0.1:${port}/gadgets`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ n: 0 });
  });

  it('builds providers that inject MIGRATIONS_READY after the migrations, even when the app does not wait', async () => {
    const migrations = await slowTree();
    const seen: { at: number; gadgets: number; ready: MigrationsReady }[] = [];
    const FIRST_QUERY = Symbol('FIRST_QUERY');
    // Listed before MigrationsModule, and queries the schema in its factory.
    @Module({
      providers: [
        {
          provide: FIRST_QUERY,
          inject: [MIGRATIONS_READY],
          useFactory: async (ready: MigrationsReady) => {
            const { rows } = await database.pool.query('SELECT count(*)::int AS n FROM gadgets');
            seen.push({ at: Date.now(), gadgets: rows[0].n, ready });
            return rows[0].n;
          },
        },
      ],
      exports: [FIRST_QUERY],
    })
    class ReportsModule {}
    @Module({
      imports: [
        ReportsModule,
        // `background`: nothing else holds up creation, so only the token can make the query wait.
        MigrationsModule.forRoot({ connection: database.pool, migrations, background: true, logger: false, isGlobal: true }),
      ],
    })
    class AppModule {}

    const started = Date.now();
    const app = await within(20_000, createApp(AppModule), 'create');
    cleanups.push(() => app.close());

    expect(seen).toHaveLength(1);
    expect(seen[0]!.gadgets).toBe(0);
    expect(seen[0]!.at - started).toBeGreaterThanOrEqual(SLOW_MS);
    expect(seen[0]!.ready.applied).toEqual(['1', '2']);
    expect(seen[0]!.ready.mode).toBe('run');
  });

  it('in background mode, listens before the migrations finish when nothing injects the ready token', async () => {
    const migrations = await slowTree();
    @Module({
      imports: [
        MigrationsModule.forRoot({ connection: database.pool, migrations, background: true, logger: false, probes: true }),
      ],
    })
    class AppModule {}

    const started = Date.now();
    const running = await startApp(AppModule);
    cleanups.push(() => running.close());
    const listenedAfter = Date.now() - started;

    expect(listenedAfter).toBeLessThan(SLOW_MS);
    const during = await get(`${running.url}/readyz?verbose`);
    expect(during.status).toBe(503);
    expect(during.body).toMatchObject({ status: 'fail', checks: { migrations: [{ observedValue: { state: 'migrating' } }] } });
    expect((await get(`${running.url}/livez`)).status).toBe(200);

    const deadline = Date.now() + 20_000;
    let after = during;
    while (after.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await get(`${running.url}/readyz`);
    }
    expect(after.status).toBe(200);
  });
});

describe("mode: 'wait'", () => {
  it('holds app creation until another instance has applied the migrations, without migrating itself', async () => {
    const migrations = await tree({
      'migrations/0001_create_widgets.sql': 'CREATE TABLE widgets (id INT PRIMARY KEY);\n',
      'migrations/0002_add_name.sql': 'ALTER TABLE widgets ADD COLUMN name TEXT;\n',
    });
    const waiterLog = recordingLogger();
    @Module({
      imports: [
        MigrationsModule.forRoot({ connection: database.pool, migrations, mode: 'wait', waitInterval: 100, logger: waiterLog }),
      ],
    })
    class WaitingApp {}
    @Module({ imports: [MigrationsModule.forRoot({ connection: database.pool, migrations, logger: false })] })
    class MigratingApp {}

    let created = false;
    const waiting = createApp(WaitingApp).then((app) => {
      created = true;
      cleanups.push(() => app.close());
      return app;
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(created).toBe(false);
    expect(waiterLog.count('info', /waiting for 2 migrations to be applied by another instance/)).toBeGreaterThanOrEqual(2);

    const migrating = await createApp(MigratingApp);
    cleanups.push(() => migrating.close());
    const app = await within(10_000, waiting, 'the waiting app');

    expect(app.get(MigrationsService).ready).toBe(true);
    expect(app.get(MigrationsService).lastReport).toBeUndefined();
    expect(migrating.get(MigrationsService).lastReport?.applied).toHaveLength(2);
    expect(waiterLog.count('info', /^schema up to date: all 2 migrations applied by another instance \(waited \d+ ms\)$/)).toBe(
      1,
    );
  });
});

describe('failures that waiting cannot heal', () => {
  it('rejects app creation with the file and line of a failing migration, after a single attempt', async () => {
    const migrations = await tree({
      'migrations/0001_create_widgets.sql': 'CREATE TABLE widgets (id INT PRIMARY KEY);\n',
      'migrations/0002_broken.sql':
        '-- adds a column\nALTER TABLE widgets ADD COLUMN name TEXT;\nALTER TABLE widgets ADD COLUMN nope NOSUCHTYPE;\n',
    });
    const logger = recordingLogger();
    @Module({ imports: [MigrationsModule.forRoot({ connection: database.pool, migrations, logger })] })
    class AppModule {}

    const started = performance.now();
    const error = await creationError(AppModule, 20_000);
    const elapsed = performance.now() - started;

    expect(error).toBeInstanceOf(StrataError);
    expect(isStrataError(error, 'MIGRATION_FAILED')).toBe(true);
    const strata = error as StrataError;
    expect(strata.details).toMatchObject({ version: '2', file: '0002_broken.sql', line: 3, databaseCode: '42704' });
    expect(strata.message).toContain('0002_broken.sql:3:');
    // One attempt: the engine logged the failure once, and nothing was retried.
    expect(logger.count('error')).toBe(1);
    expect(logger.count('warn', /retrying/)).toBe(0);
    // Retrying until the connect deadline (30 s by default) would take far longer than one attempt.
    expect(elapsed).toBeLessThan(5_000);
    // Migration 1 stays; nothing of migration 2 was kept.
    const versions = await database.rows<{ version: string }>('SELECT version::text AS version FROM _strata_migrations');
    expect(versions).toEqual([{ version: '1' }]);
    const columns = await database.rows(
      "SELECT 1 FROM information_schema.columns WHERE table_name = 'widgets' AND column_name = 'name'",
    );
    expect(columns).toEqual([]);
  });

  it('passes singleTransaction to the engine: a failing migration rolls back the ones before it too', async () => {
    const migrations = await tree({
      'migrations/0001_create_widgets.sql': 'CREATE TABLE widgets (id INT PRIMARY KEY);\n',
      'migrations/0002_broken.sql': 'ALTER TABLE widgets ADD COLUMN nope NOSUCHTYPE;\n',
    });
    @Module({
      imports: [MigrationsModule.forRoot({ connection: database.pool, migrations, logger: false, singleTransaction: true })],
    })
    class AppModule {}

    const error = await creationError(AppModule, 20_000);
    expect(isStrataError(error, 'MIGRATION_FAILED')).toBe(true);
    expect((error as StrataError).details).toMatchObject({ version: '2', singleTransaction: true, rolledBack: ['1', '2'] });
    expect(await database.rows('SELECT version FROM _strata_migrations')).toEqual([]);
    expect(await database.rows("SELECT 1 FROM pg_class WHERE relname = 'widgets'")).toEqual([]);
  });

  it('rejects app creation when an applied migration was modified, without retrying', async () => {
    const migrations = await tree({ 'migrations/0001_create_widgets.sql': 'CREATE TABLE widgets (id INT PRIMARY KEY);\n' });
    @Module({ imports: [MigrationsModule.forRoot({ connection: database.pool, migrations, logger: false })] })
    class FirstModule {}
    const first = await createApp(FirstModule);
    await first.close();

    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(migrations, '0001_create_widgets.sql'), 'CREATE TABLE widgets (id BIGINT PRIMARY KEY);\n');
    const logger = recordingLogger();
    @Module({ imports: [MigrationsModule.forRoot({ connection: database.pool, migrations, logger })] })
    class SecondModule {}

    const error = await createApp(SecondModule).then(
      (app) => {
        cleanups.push(() => app.close());
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(isStrataError(error, 'MIGRATION_MODIFIED')).toBe(true);
    expect((error as Error).message).toMatch(/migration 1 was previously applied but has been modified/);
    expect(logger.count('warn', /retrying/)).toBe(0);
  });
});
