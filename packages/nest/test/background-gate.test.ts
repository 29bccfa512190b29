/**
 * The readiness gate of background mode: while migrations run, the app's own routes answer 503
 * with Retry-After and the problem body of @strata/express's gate, the probes keep answering, and
 * once migrated the same routes serve. Real Nest apps on real ports, real PostgreSQL and SQLite.
 *
 * The boot is held deterministically, never by timing: on PostgreSQL the second migration blocks
 * on a table the test keeps locked (so the schema is really half-migrated meanwhile); on SQLite
 * the test holds the run lock file the engine waits for.
 */
import { Controller, type DynamicModule, Get, type INestApplication, Module, Post, RequestMethod } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationsModule, type MigrationsModuleExtras, type MigrationsModuleOptions, MigrationsService } from '../src/index.js';
import {
  type AppModuleClass,
  createApp,
  get,
  migrationsFolder,
  openPostgres,
  openSqlite,
  type PostgresTestDb,
  type RunningApp,
  type SqliteTestDb,
  startApp,
} from './support/harness.js';

const CREATE_ITEMS = 'CREATE TABLE items (id INT PRIMARY KEY, name TEXT NOT NULL);\n';
const ADD_NOTE = 'ALTER TABLE items ADD COLUMN note TEXT;\n';
const PG_MIGRATIONS: Record<string, string> = {
  'migrations/0001_create_items.sql': CREATE_ITEMS,
  // Blocks while the test holds migration_hold, after 0001 was applied: a half-migrated schema.
  'migrations/0002_add_note.sql': `LOCK TABLE migration_hold IN SHARE MODE;\n${ADD_NOTE}`,
};
const PLAIN_MIGRATIONS: Record<string, string> = {
  'migrations/0001_create_items.sql': CREATE_ITEMS,
  'migrations/0002_add_note.sql': ADD_NOTE,
};
const BROKEN_MIGRATIONS: Record<string, string> = {
  'migrations/0001_create_items.sql': CREATE_ITEMS,
  'migrations/0002_broken.sql': 'ALTER TABLE items\n  ADD COLUMN oops no_such_type;\n',
};

const MIGRATING_BODY = {
  title: 'Service Unavailable',
  status: 503,
  detail: 'database migrations are in progress; retry shortly',
  state: 'migrating',
};

let database: PostgresTestDb;
const cleanups: (() => Promise<unknown>)[] = [];
/** Locks the test holds; released before anything else, so a failed test never leaves a boot blocked. */
const holds: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  database = await openPostgres('nest_gate');
});

afterEach(async () => {
  for (const release of holds.splice(0)) await release();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await database.close();
});

const tree = (files: Record<string, string>) => migrationsFolder(files, cleanups);

/** The app's routes: `/items` needs the migrated schema (the `note` column); the others need none. */
function appControllers(countNotes: () => Promise<number>) {
  @Controller('items')
  class ItemsController {
    @Get()
    async list() {
      return { notes: await countNotes() };
    }
    @Post()
    create() {
      return { created: true };
    }
  }
  @Controller()
  class OtherController {
    @Get('hello')
    hello() {
      return { hello: 'world' };
    }
    @Get('static')
    static() {
      return { served: true };
    }
    @Get('health/ready')
    ready() {
      return { health: 'own' };
    }
  }
  return [ItemsController, OtherController];
}

function pgControllers() {
  return appControllers(async () => {
    const { rows } = await database.pool.query('SELECT count(note)::int AS n FROM items');
    return rows[0].n;
  });
}

type Options = Omit<MigrationsModuleOptions, 'connection'> & Pick<MigrationsModuleExtras, 'probes'>;

function appModule(migrations: DynamicModule, controllers: unknown[]): AppModuleClass {
  @Module({ imports: [migrations], controllers: controllers as [] })
  class AppModule {}
  return AppModule;
}

function pgModule(options: Options): AppModuleClass {
  return appModule(
    MigrationsModule.forRoot({ connection: database.pool, logger: false, probes: true, ...options }),
    pgControllers(),
  );
}

async function start(module: AppModuleClass, configure?: (app: INestApplication) => void): Promise<RunningApp> {
  let running: RunningApp;
  if (configure) {
    const app = await createApp(module);
    configure(app);
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    running = { app, url, close: () => app.close() };
  } else {
    running = await startApp(module);
  }
  cleanups.push(async () => {
    // A failed test may leave the background boot running; let it settle before the app closes.
    await running.app
      .get(MigrationsService, { strict: false })
      .whenReady()
      .catch(() => {});
    await running.close();
  });
  return running;
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Creates `migration_hold` and locks it in another session, so migration 0002 blocks on it. */
async function holdSecondMigration(): Promise<{ blocked(): Promise<void>; release(): Promise<void> }> {
  await database.pool.query('CREATE TABLE migration_hold (id INT)');
  const holder = new pg.Client({ connectionString: database.url });
  await holder.connect();
  await holder.query('BEGIN');
  await holder.query('LOCK TABLE migration_hold IN ACCESS EXCLUSIVE MODE');
  let released: Promise<void> | undefined;
  const release = () => {
    released ??= holder
      .query('COMMIT')
      .then(() => holder.end())
      .catch(() => {});
    return released;
  };
  holds.push(release);
  return {
    release,
    blocked: () =>
      waitFor('migration 0002 to block on migration_hold', async () => {
        const { rows } = await database.pool.query(
          `SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
           WHERE l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND c.relname = 'migration_hold' AND NOT l.granted`,
        );
        return rows.length > 0;
      }),
  };
}

async function appliedVersions(): Promise<string[]> {
  const rows = await database.rows<{ v: string }>('SELECT version::text AS v FROM _strata_migrations ORDER BY version');
  return rows.map((row) => row.v);
}

/** What the gate answers while the boot is in progress (the same status, headers and body as @strata/express's). */
async function expectGated(url: string, retryAfter = '5', init?: RequestInit): Promise<void> {
  const response = await fetch(url, init);
  const text = await response.text();
  expect(response.status, url).toBe(503);
  expect(response.headers.get('retry-after'), url).toBe(retryAfter);
  expect(response.headers.get('content-type'), url).toBe('application/problem+json; charset=utf-8');
  expect(response.headers.get('cache-control'), url).toBe('no-store');
  expect(JSON.parse(text), url).toEqual(MIGRATING_BODY);
}

describe('the background gate (PostgreSQL)', () => {
  it('holds the app’s routes at 503 + Retry-After on a half-migrated schema while the probes answer, then serves them', async () => {
    const hold = await holdSecondMigration();
    const migrations = await tree(PG_MIGRATIONS);
    const { app, url } = await start(pgModule({ migrations, background: true, health: { pingCacheTtl: 0 } }));
    const service = app.get(MigrationsService);

    await hold.blocked();
    // Migration 0001 is in, 0002 is not: /items would fail on the missing column if it ran.
    expect(await appliedVersions()).toEqual(['1']);
    expect(service.state).toBe('migrating');

    await expectGated(`${url}/items`);
    await expectGated(`${url}/items`, '5', { method: 'POST' });
    await expectGated(`${url}/hello?x=1`);
    // Like @strata/express's gate, it also stands in front of paths no route serves.
    await expectGated(`${url}/no/such/route`);

    const live = await get(`${url}/livez`);
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'pass' });
    const notReady = await get(`${url}/readyz?verbose`);
    expect(notReady.status).toBe(503);
    expect(notReady.contentType).toMatch(/^application\/health\+json/);
    expect(notReady.body).toMatchObject({
      status: 'fail',
      checks: {
        migrations: [{ status: 'fail', observedValue: { state: 'migrating' } }],
        'database:responseTime': [{ status: 'pass' }],
      },
    });
    const health = await get(`${url}/healthz`);
    expect(health.status).toBe(503);
    expect(health.contentType).toMatch(/^application\/health\+json/);

    await hold.release();
    await service.whenReady();

    const items = await fetch(`${url}/items`);
    expect(items.status).toBe(200);
    expect(await items.json()).toEqual({ notes: 0 });
    expect(items.headers.get('retry-after')).toBeNull();
    expect(await (await fetch(`${url}/items`, { method: 'POST' })).json()).toEqual({ created: true });
    expect((await get(`${url}/hello`)).body).toEqual({ hello: 'world' });
    expect((await get(`${url}/no/such/route`)).status).toBe(404);
    expect((await get(`${url}/readyz`)).status).toBe(200);
  });

  it('serves the routes of gate.exclude, and those gate.skip lets through, while migrating; takes retryAfter', async () => {
    const hold = await holdSecondMigration();
    const migrations = await tree(PG_MIGRATIONS);
    const { app, url } = await start(
      pgModule({
        migrations,
        background: true,
        gate: {
          retryAfter: 2,
          exclude: ['static', { path: 'health/{*path}', method: RequestMethod.GET }],
          skip: (request) => request.headers['x-canary'] === 'yes',
        },
      }),
    );
    await hold.blocked();

    expect(await get(`${url}/static`)).toMatchObject({ status: 200, body: { served: true } });
    expect(await get(`${url}/health/ready`)).toMatchObject({ status: 200, body: { health: 'own' } });
    const canary = await fetch(`${url}/hello`, { headers: { 'x-canary': 'yes' } });
    expect(canary.status).toBe(200);
    expect(await canary.json()).toEqual({ hello: 'world' });
    await expectGated(`${url}/hello`, '2');
    await expectGated(`${url}/items`, '2');
    // An exclusion for GET leaves the other methods of the path gated.
    await expectGated(`${url}/health/ready`, '2', { method: 'POST' });
    expect((await get(`${url}/livez`)).status).toBe(200);

    await hold.release();
    await app.get(MigrationsService).whenReady();
    expect(await get(`${url}/items`)).toMatchObject({ status: 200, body: { notes: 0 } });
  });

  it('keeps answering 503 (without Retry-After) after a background migration failed; readiness stays 503', async () => {
    const migrations = await tree(BROKEN_MIGRATIONS);
    const probes = { paths: { livez: '/_/live', readyz: '/_/ready', healthz: false as const } };
    const { app, url } = await start(pgModule({ migrations, background: true, probes }));
    const service = app.get(MigrationsService);
    await waitFor('the background migration to fail', () => service.state === 'failed');

    const gated = await fetch(`${url}/hello`);
    expect(gated.status).toBe(503);
    // Waiting cannot heal a failed migration: no invitation to retry (as @strata/express).
    expect(gated.headers.get('retry-after')).toBeNull();
    expect(gated.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(await gated.json()).toEqual({
      title: 'Service Unavailable',
      status: 503,
      detail: 'database migrations failed; this instance cannot serve requests',
      state: 'failed',
    });
    expect((await get(`${url}/items`)).status).toBe(503);
    // The probes are left out wherever they are served; the default paths are then ordinary routes.
    const ready = await get(`${url}/_/ready`);
    expect(ready.status).toBe(503);
    expect(ready.contentType).toMatch(/^application\/health\+json/);
    expect((await get(`${url}/_/live`)).status).toBe(200);
    expect((await get(`${url}/livez`)).contentType).toMatch(/^application\/problem\+json/);
  });

  it('lets every route through while migrating with gate: false', async () => {
    const hold = await holdSecondMigration();
    const migrations = await tree(PG_MIGRATIONS);
    const { app, url } = await start(pgModule({ migrations, background: true, gate: false }));
    await hold.blocked();

    expect(await get(`${url}/hello`)).toMatchObject({ status: 200, body: { hello: 'world' } });
    // Ungated, the route runs on the half-migrated schema: what the gate exists to prevent.
    expect((await get(`${url}/items`)).status).toBe(500);
    expect((await get(`${url}/readyz`)).status).toBe(503);

    await hold.release();
    await app.get(MigrationsService).whenReady();
    expect((await get(`${url}/items`)).status).toBe(200);
  });

  it('registers nothing in the default (foreground) mode: routes serve as soon as create() resolves', async () => {
    const migrations = await tree(PLAIN_MIGRATIONS);
    // A gate option is read in background mode only, as @strata/express does.
    const { app, url } = await start(pgModule({ migrations, gate: { retryAfter: 1.5 } }));
    expect(app.get(MigrationsService).state).toBe('ready');
    expect(await get(`${url}/items`)).toMatchObject({ status: 200, body: { notes: 0 } });
    expect((await get(`${url}/no/such/route`)).status).toBe(404);

    // Draining for shutdown fails readiness, never the app's routes.
    app.get(MigrationsService).drain();
    expect((await get(`${url}/readyz`)).status).toBe(503);
    expect((await get(`${url}/hello`)).status).toBe(200);
  });

  it('rejects a bad gate option with INVALID_OPTIONS before touching the database', async () => {
    const migrations = await tree(PLAIN_MIGRATIONS);
    const cases: unknown[] = [
      'yes',
      { retryAfter: 1.5 },
      { retryAfter: -1 },
      { skip: 'no' },
      { exclude: 'health' },
      { exclude: [42] },
    ];
    for (const gate of cases) {
      const creating = createApp(pgModule({ migrations, background: true, gate: gate as never }));
      await expect(creating, JSON.stringify(gate)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    }
    const { rows } = await database.pool.query("SELECT to_regclass('_strata_migrations') AS history");
    expect(rows[0].history).toBeNull();
  });

  it('follows a global prefix: the probes under it still answer, the app’s routes under it are gated', async () => {
    const hold = await holdSecondMigration();
    const migrations = await tree(PG_MIGRATIONS);
    const { app, url } = await start(pgModule({ migrations, background: true }), (created) => created.setGlobalPrefix('api'));
    await hold.blocked();

    expect((await get(`${url}/api/livez`)).status).toBe(200);
    expect((await get(`${url}/api/readyz`)).status).toBe(503);
    await expectGated(`${url}/api/items`);
    await expectGated(`${url}/api/hello`);

    await hold.release();
    await app.get(MigrationsService).whenReady();
    expect(await get(`${url}/api/items`)).toMatchObject({ status: 200, body: { notes: 0 } });
  });

  it('works with forRootAsync and isGlobal: options (gate included) from an async factory', async () => {
    const hold = await holdSecondMigration();
    const migrations = await tree(PG_MIGRATIONS);
    const migrationsModule = MigrationsModule.forRootAsync({
      isGlobal: true,
      probes: true,
      imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ MIGRATIONS_BACKGROUND: true })] })],
      inject: [ConfigService],
      useFactory: async (config: ConfigService): Promise<MigrationsModuleOptions> => {
        await new Promise((resolve) => setImmediate(resolve));
        return {
          connection: database.pool,
          migrations,
          logger: false,
          background: config.get<boolean>('MIGRATIONS_BACKGROUND'),
          gate: { retryAfter: 7, exclude: ['static'] },
        };
      },
    });
    const { app, url } = await start(appModule(migrationsModule, pgControllers()));
    await hold.blocked();

    await expectGated(`${url}/items`, '7');
    expect(await get(`${url}/static`)).toMatchObject({ status: 200, body: { served: true } });
    expect((await get(`${url}/livez`)).status).toBe(200);
    expect((await get(`${url}/readyz`)).status).toBe(503);

    await hold.release();
    await app.get(MigrationsService).whenReady();
    expect(await get(`${url}/items`)).toMatchObject({ status: 200, body: { notes: 0 } });
  });
});

describe('the background gate (SQLite)', () => {
  let sqlite: SqliteTestDb;

  beforeEach(async () => {
    sqlite = await openSqlite();
    cleanups.push(() => sqlite.close());
  });

  /** Takes the engine's run lock (`<db>.strata-lock`) on another connection, so the boot waits for it. */
  function holdRunLock(): () => void {
    const lock = new Database(`${sqlite.path}.strata-lock`, { timeout: 0 });
    lock.exec('BEGIN EXCLUSIVE');
    const release = () => {
      if (lock.open) lock.close();
    };
    holds.push(async () => release());
    return release;
  }

  it('holds the app’s routes at 503 while the boot waits for the run lock, then serves them', async () => {
    const release = holdRunLock();
    const migrations = await tree(PLAIN_MIGRATIONS);
    const controllers = appControllers(async () => {
      const row = sqlite.db.prepare('SELECT count(note) AS n FROM items').get() as { n: number };
      return row.n;
    });
    const { app, url } = await start(
      appModule(
        MigrationsModule.forRoot({ connection: sqlite.db, migrations, logger: false, probes: true, background: true }),
        controllers,
      ),
    );
    const service = app.get(MigrationsService);
    expect(service.state).toBe('migrating');

    await expectGated(`${url}/items`);
    await expectGated(`${url}/hello`);
    expect((await get(`${url}/livez`)).status).toBe(200);
    expect((await get(`${url}/readyz`)).status).toBe(503);
    expect(service.state).toBe('migrating');

    release();
    await service.whenReady();
    expect(await get(`${url}/items`)).toMatchObject({ status: 200, body: { notes: 0 } });
    expect((await get(`${url}/readyz`)).status).toBe(200);
  });
});
