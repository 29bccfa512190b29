import { Module } from '@nestjs/common';
import { readyProvider } from './migration-providers.js';
import { MIGRATION_BOOT, MIGRATIONS_HEALTH_PROBES, MIGRATIONS_READY } from './migrations.constants.js';
import { ConfigurableMigrationsModule } from './migrations.module-definition.js';
import { MigrationsService } from './migrations.service.js';

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
export class MigrationsModule extends ConfigurableMigrationsModule {}
