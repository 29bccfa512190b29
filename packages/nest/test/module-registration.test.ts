import { join } from 'node:path';
import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { isStrataError } from '@strata/core';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MIGRATIONS_READY,
  MigrationsModule,
  type MigrationsModuleOptions,
  type MigrationsReady,
  MigrationsService,
} from '../src/index.js';
import {
  type AppModuleClass,
  createApp,
  creationError,
  migrationsDir,
  openPostgres,
  openSqlite,
  type PostgresTestDb,
  recordingLogger,
} from './support/harness.js';
import { USERS_MIGRATIONS } from './support/migrations.js';

const PG_POOL = Symbol('PG_POOL');

let database: PostgresTestDb;
let dir: { path: string; cleanup(): Promise<void> };
let migrations: string;
const closers: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  database = await openPostgres('nest_module');
  dir = await migrationsDir(USERS_MIGRATIONS);
  migrations = join(dir.path, 'migrations');
});

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await database.close();
  await dir.cleanup();
});

async function appliedVersions(table = '_strata_migrations'): Promise<string[]> {
  const rows = await database.rows<{ version: string }>(`SELECT version::text AS version FROM ${table} ORDER BY version`);
  return rows.map((row) => row.version);
}

async function userColumns(): Promise<string[]> {
  const rows = await database.rows<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position",
  );
  return rows.map((row) => row.column_name);
}

/** Boots `module`, keeps it for afterEach, and hands back its MigrationsService. */
async function boot(module: AppModuleClass): Promise<MigrationsService> {
  const app = await createApp(module);
  closers.push(() => app.close());
  return app.get(MigrationsService, { strict: false });
}

/** Connections each app pool opened: strata closes a pooled connection a migration ran on, so the pool's current size proves nothing. */
const connectionsOpened = new WeakMap<pg.Pool, number>();

/** The app's own pool provider, the way apps usually register one. */
function databaseModule(url: () => string, global: boolean) {
  @Module({
    providers: [
      {
        provide: PG_POOL,
        useFactory: () => {
          const pool = new pg.Pool({ connectionString: url(), max: 2 });
          pool.on('error', () => {});
          pool.on('connect', () => connectionsOpened.set(pool, (connectionsOpened.get(pool) ?? 0) + 1));
          return pool;
        },
      },
    ],
    exports: [PG_POOL],
  })
  class DatabaseModule {}
  if (global) Global()(DatabaseModule);
  return DatabaseModule;
}

describe('MigrationsModule.forRoot', () => {
  it('migrates through a pg.Pool handle while the app is created, and reports through MigrationsService', async () => {
    const logger = recordingLogger();
    @Module({ imports: [MigrationsModule.forRoot({ connection: database.pool, migrations, logger })] })
    class AppModule {}

    const service = await boot(AppModule);

    expect(await appliedVersions()).toEqual(['1', '2']);
    expect(await userColumns()).toEqual(['id', 'email', 'name']);
    expect(service.ready).toBe(true);
    expect(service.state).toBe('ready');
    expect(service.lastReport?.applied.map((step) => String(step.version))).toEqual(['1', '2']);
    expect(logger.count('info', /applied migration 1 create users/)).toBe(1);
    expect(logger.count('info', /applied migration 2 add user name/)).toBe(1);

    // The service drives the engine at run time too.
    expect((await service.plan()).steps).toEqual([]);
    expect((await service.status()).map((line) => line.state)).toEqual(['applied', 'applied']);
    const reverted = await service.revert();
    expect(reverted.applied.map((step) => String(step.version))).toEqual(['2']);
    expect(service.lastReport).toBe(reverted);
    expect(await userColumns()).toEqual(['id', 'email']);
    expect((await service.plan()).steps.map((step) => String(step.version))).toEqual(['2']);
    const rerun = await service.run();
    expect(rerun.applied.map((step) => String(step.version))).toEqual(['2']);
    expect(await appliedVersions()).toEqual(['1', '2']);
  });

  it('migrates a better-sqlite3 Database given as a handle', async () => {
    const sqlite = await openSqlite();
    closers.push(() => sqlite.close());
    @Module({ imports: [MigrationsModule.forRoot({ connection: sqlite.db, migrations, logger: false })] })
    class AppModule {}

    const service = await boot(AppModule);

    expect(service.lastReport?.applied).toHaveLength(2);
    const columns = (sqlite.db.prepare('PRAGMA table_info(users)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(['id', 'email', 'name']);
  });

  it('reuses the app’s pool provider when `connection` is its token (global module)', async () => {
    const DatabaseModule = databaseModule(() => database.url, true);
    @Module({ imports: [DatabaseModule, MigrationsModule.forRoot({ connection: PG_POOL, migrations, logger: false })] })
    class AppModule {}

    const app = await createApp(AppModule);
    closers.push(() => app.close().then(() => app.get<pg.Pool>(PG_POOL).end()));

    expect(await appliedVersions()).toEqual(['1', '2']);
    // The very pool the app registered did the work: strata opened no pool of its own.
    const appPool = app.get<pg.Pool>(PG_POOL);
    expect(connectionsOpened.get(appPool) ?? 0).toBeGreaterThan(0);
  });

  it('reuses a pool provider exported by a module listed in `imports`', async () => {
    const DatabaseModule = databaseModule(() => database.url, false);
    @Module({
      imports: [MigrationsModule.forRoot({ connection: PG_POOL, imports: [DatabaseModule], migrations, logger: false })],
    })
    class AppModule {}

    const app = await createApp(AppModule);
    closers.push(() => app.close().then(() => app.get<pg.Pool>(PG_POOL, { strict: false }).end()));

    expect(await appliedVersions()).toEqual(['1', '2']);
  });
});

describe('MigrationsModule.forRootAsync', () => {
  function configModule() {
    return ConfigModule.forRoot({
      ignoreEnvFile: true,
      load: [() => ({ DATABASE_URL: database.url, MIGRATIONS_DIR: migrations, MIGRATIONS_TABLE: 'app_schema_history' })],
    });
  }

  it('useFactory with inject: ConfigService and the app’s pool supply the options', async () => {
    const DatabaseModule = databaseModule(() => database.url, false);
    @Module({
      imports: [
        MigrationsModule.forRootAsync({
          imports: [configModule(), DatabaseModule],
          inject: [ConfigService, PG_POOL],
          useFactory: (config: ConfigService, pool: pg.Pool): MigrationsModuleOptions => ({
            connection: pool,
            migrations: config.getOrThrow<string>('MIGRATIONS_DIR'),
            table: config.getOrThrow<string>('MIGRATIONS_TABLE'),
            logger: false,
          }),
        }),
      ],
    })
    class AppModule {}

    const app = await createApp(AppModule);
    closers.push(() => app.close().then(() => app.get<pg.Pool>(PG_POOL, { strict: false }).end()));

    expect(await appliedVersions('app_schema_history')).toEqual(['1', '2']);
    expect(await database.rows("SELECT to_regclass('_strata_migrations') AS t")).toEqual([{ t: null }]);
  });

  it('useClass: an options factory class with its own injected ConfigService', async () => {
    @Injectable()
    class MigrationsConfig {
      constructor(@Inject(ConfigService) private readonly config: ConfigService) {}
      create(): MigrationsModuleOptions {
        const pool = new pg.Pool({ connectionString: this.config.getOrThrow<string>('DATABASE_URL'), max: 2 });
        closers.push(() => pool.end());
        return { connection: pool, migrations: this.config.getOrThrow<string>('MIGRATIONS_DIR'), logger: false };
      }
    }
    @Module({ imports: [MigrationsModule.forRootAsync({ imports: [configModule()], useClass: MigrationsConfig })] })
    class AppModule {}

    const service = await boot(AppModule);

    expect(await appliedVersions()).toEqual(['1', '2']);
    expect(service.lastReport?.applied).toHaveLength(2);
  });

  it('useExisting: reuses an options factory another module already provides', async () => {
    @Injectable()
    class SharedMigrationsConfig {
      constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}
      create(): MigrationsModuleOptions {
        return { connection: this.pool, migrations, table: 'shared_history', logger: false };
      }
    }
    const DatabaseModule = databaseModule(() => database.url, false);
    @Module({ imports: [DatabaseModule], providers: [SharedMigrationsConfig], exports: [SharedMigrationsConfig] })
    class SettingsModule {}
    @Module({ imports: [MigrationsModule.forRootAsync({ imports: [SettingsModule], useExisting: SharedMigrationsConfig })] })
    class AppModule {}

    const app = await createApp(AppModule);
    closers.push(() => app.close().then(() => app.get<pg.Pool>(PG_POOL, { strict: false }).end()));

    expect(await appliedVersions('shared_history')).toEqual(['1', '2']);
  });

  it('takes `connection` as a provider token at the top level, next to the factory', async () => {
    const DatabaseModule = databaseModule(() => database.url, false);
    @Module({
      imports: [
        MigrationsModule.forRootAsync({
          connection: PG_POOL,
          imports: [configModule(), DatabaseModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({ migrations: config.getOrThrow<string>('MIGRATIONS_DIR'), logger: false }),
        }),
      ],
    })
    class AppModule {}

    const app = await createApp(AppModule);
    closers.push(() => app.close().then(() => app.get<pg.Pool>(PG_POOL, { strict: false }).end()));

    expect(await appliedVersions()).toEqual(['1', '2']);
  });

  it('refuses a token returned by the factory as `connection`, saying how to pass it instead', async () => {
    @Module({
      imports: [MigrationsModule.forRootAsync({ useFactory: () => ({ connection: PG_POOL, migrations, logger: false }) })],
    })
    class AppModule {}

    const error = await creationError(AppModule);
    expect(isStrataError(error, 'INVALID_OPTIONS')).toBe(true);
    expect((error as Error).message).toMatch(/top level of forRootAsync/);
    expect(await database.rows("SELECT to_regclass('_strata_migrations') AS t")).toEqual([{ t: null }]);
  });
});

describe('isGlobal', () => {
  @Injectable()
  class UsersRepository {
    constructor(
      @Inject(MIGRATIONS_READY) readonly ready: MigrationsReady,
      @Inject(MigrationsService) readonly migrations: MigrationsService,
    ) {}
  }
  // A feature module that does not import MigrationsModule.
  @Module({ providers: [UsersRepository], exports: [UsersRepository] })
  class UsersModule {}

  it('lets feature modules inject the ready token and the service without importing the module', async () => {
    @Module({
      imports: [
        UsersModule,
        MigrationsModule.forRootAsync({
          isGlobal: true,
          useFactory: () => ({ connection: database.pool, migrations, logger: false }),
        }),
      ],
    })
    class AppModule {}

    const app = await createApp(AppModule);
    closers.push(() => app.close());
    const repository = app.get(UsersRepository);

    expect(repository.ready.applied).toEqual(['1', '2']);
    expect(repository.ready.report?.applied).toHaveLength(2);
    expect(repository.migrations.ready).toBe(true);
    // Transient (built per consumer, only when injected): resolve() it outside the graph, not get().
    expect((await app.resolve<MigrationsReady>(MIGRATIONS_READY)).applied).toEqual(['1', '2']);
  });

  it('keeps the module scoped when isGlobal is not set: the feature module cannot resolve it', async () => {
    @Module({ imports: [UsersModule, MigrationsModule.forRoot({ connection: database.pool, migrations, logger: false })] })
    class AppModule {}

    const error = (await creationError(AppModule)) as Error | undefined;
    expect(error?.message).toMatch(/UsersRepository/);
    expect(error?.message).toMatch(/resolve dependencies/);
  });
});
