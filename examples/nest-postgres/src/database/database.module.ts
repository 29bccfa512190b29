import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Database } from './database.js';
import { parseDatabaseUrl } from './database-url.js';

/** The app's connection: a pg.Pool or a better-sqlite3 Database. MigrationsModule reuses it by this token. */
export const DB_HANDLE = Symbol('DB_HANDLE');

@Global()
@Module({
  providers: [
    {
      provide: DB_HANDLE,
      inject: [ConfigService],
      useFactory: async (config: ConfigService) => {
        const target = parseDatabaseUrl(config.get<string>('DATABASE_URL') ?? 'sqlite://data/nest-example.db');
        if (target.kind === 'postgres') {
          const { default: pg } = await import('pg');
          const pool = new pg.Pool({ connectionString: target.url, max: 10, application_name: 'nest-example' });
          // An idle client losing its server is reported here; the next query reconnects.
          pool.on('error', () => {});
          return pool;
        }
        const { default: Sqlite } = await import('better-sqlite3');
        if (target.file !== ':memory:') {
          const { mkdirSync } = await import('node:fs');
          const { dirname } = await import('node:path');
          mkdirSync(dirname(target.file), { recursive: true });
        }
        const db = new Sqlite(target.file);
        db.pragma('journal_mode = WAL');
        return db;
      },
    },
    { provide: Database, inject: [DB_HANDLE], useFactory: (handle: Database['handle']) => new Database(handle) },
  ],
  exports: [DB_HANDLE, Database],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly database: Database) {}

  /** After the HTTP server closed: nothing uses the connection any more. */
  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}
