import { Inject, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { gateMiddleware, type MigrationBoot, ReadinessGate } from '@strata/core/boot';
import { type ModuleGate, readyProvider } from './migration-providers.js';
import {
  MIGRATION_BOOT,
  MIGRATIONS_GATE,
  MIGRATIONS_HEALTH_PROBES,
  MIGRATIONS_PROBE_ROUTES,
  MIGRATIONS_READY,
} from './migrations.constants.js';
import { ConfigurableMigrationsModule } from './migrations.module-definition.js';
import { MigrationsService } from './migrations.service.js';
import type { ExcludedRoute } from './migrations-options.js';

/**
 * Runs pending migrations while Nest creates the app, so `app.listen()` never opens the port on
 * an old schema.
 *
 * ```ts
 * MigrationsModule.forRoot({ connection: pool, migrations: 'migrations' })
 * MigrationsModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (config) => ({ ... }) })
 * ```
 */
@Module({
  providers: [MigrationsService, readyProvider],
  exports: [MigrationsService, MIGRATIONS_READY, MIGRATION_BOOT, MIGRATIONS_HEALTH_PROBES],
})
export class MigrationsModule extends ConfigurableMigrationsModule implements NestModule {
  readonly #boot: MigrationBoot;
  readonly #gate: ModuleGate | null;
  readonly #probeRoutes: ExcludedRoute[];

  constructor(
    @Inject(MIGRATION_BOOT) boot: MigrationBoot,
    @Inject(MIGRATIONS_GATE) gate: ModuleGate | null,
    @Inject(MIGRATIONS_PROBE_ROUTES) probeRoutes: ExcludedRoute[],
  ) {
    super();
    this.#boot = boot;
    this.#gate = gate;
    this.#probeRoutes = probeRoutes;
  }

  /**
   * Background mode: the readiness gate, on every route but the probes and `gate.exclude`. Nest
   * calls this once the options are resolved (forRootAsync included); otherwise nothing is added.
   */
  configure(consumer: MiddlewareConsumer): void {
    const gate = this.#gate;
    if (!gate) return;
    consumer
      .apply(gateMiddleware(new ReadinessGate(this.#boot, gate.retryAfter), gate.skip))
      .exclude(...this.#probeRoutes, ...gate.exclude)
      .forRoutes('{*path}');
  }
}
