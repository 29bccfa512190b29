import { fileURLToPath } from 'node:url';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import type { BootMode } from '@strata/core/boot';
import { MigrationsModule } from '@strata/nest';
import { DatabaseModule, DB_HANDLE } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { UsersModule } from './users/users.module.js';

/** The SQL files ship next to dist/, in examples/nest-postgres/migrations. */
const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    DatabaseModule,
    MigrationsModule.forRootAsync({
      isGlobal: true,
      // The app's own connection provider, reused: strata opens no pool of its own.
      connection: DB_HANDLE,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        migrations: config.get<string>('MIGRATIONS_DIR') ?? MIGRATIONS_DIR,
        mode: config.get<BootMode>('MIGRATIONS_MODE') ?? 'run',
        connectDeadline: Number(config.get('MIGRATIONS_CONNECT_DEADLINE_MS') ?? 30_000),
      }),
    }),
    UsersModule,
    HealthModule,
  ],
})
export class AppModule {}
