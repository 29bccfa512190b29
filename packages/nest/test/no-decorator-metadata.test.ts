import { join } from 'node:path';
import { Controller, type DynamicModule, Get, Inject, Module, type Type } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationsModule, MigrationsService } from '../src/index.js';
import { MigrationsHealthIndicator } from '../src/terminus/index.js';
import { get, migrationsDir, openSqlite, type SqliteTestDb, startApp } from './support/harness.js';
import { USERS_MIGRATIONS } from './support/migrations.js';

let sqlite: SqliteTestDb;
let dir: { path: string; cleanup(): Promise<void> };

beforeEach(async () => {
  sqlite = await openSqlite();
  dir = await migrationsDir(USERS_MIGRATIONS);
});

afterEach(async () => {
  await sqlite.close();
  await dir.cleanup();
});

/** What tsx, esbuild and SWC builds without decorator metadata leave behind: no design:paramtypes. */
function stripParamTypes(...classes: Type<unknown>[]): void {
  for (const cls of classes) {
    Reflect.deleteMetadata('design:paramtypes', cls);
    expect(Reflect.getMetadata('design:paramtypes', cls)).toBeUndefined();
  }
}

describe('builds that emit no decorator metadata', () => {
  it('still resolve every constructor parameter of the package (explicit @Inject everywhere)', async () => {
    const migrations = MigrationsModule.forRoot({
      connection: sqlite.db,
      migrations: join(dir.path, 'migrations'),
      logger: false,
      probes: true,
      isGlobal: true,
    }) as DynamicModule;
    stripParamTypes(
      MigrationsModule,
      MigrationsService,
      MigrationsHealthIndicator,
      ...(migrations.controllers as Type<unknown>[]),
    );

    @Controller()
    class HealthController {
      constructor(
        @Inject(HealthCheckService) private readonly health: HealthCheckService,
        @Inject(MigrationsHealthIndicator) private readonly indicator: MigrationsHealthIndicator,
      ) {}
      @Get('health')
      check() {
        return this.health.check([() => this.indicator.isReady()]);
      }
    }
    @Module({
      imports: [migrations, TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [MigrationsHealthIndicator],
    })
    class AppModule {}

    const running = await startApp(AppModule);
    try {
      expect(running.app.get(MigrationsService).lastReport?.applied).toHaveLength(2);
      expect((await get(`${running.url}/readyz`)).status).toBe(200);
      expect((await get(`${running.url}/health`)).body).toMatchObject({ status: 'ok', info: { migrations: { status: 'up' } } });
    } finally {
      await running.close();
    }
  });
});
