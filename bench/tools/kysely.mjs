import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import pg from 'pg';
import { splitGenerated } from '../lib/migrations.mjs';
import { listSqlFiles, readSql } from '../lib/sql-files.mjs';

/**
 * A MigrationProvider (Kysely's documented extension point) serving `.sql` files. On PostgreSQL
 * sql.raw sends the whole script in one simple query; better-sqlite3 takes one statement at a time.
 */
class SqlFileMigrationProvider {
  constructor(dir, dialect) {
    this.dir = dir;
    this.dialect = dialect;
  }

  async getMigrations() {
    const migrations = {};
    for (const file of await listSqlFiles(this.dir)) {
      migrations[file.name] = {
        up: async (db) => {
          const text = await readSql(file.path);
          if (this.dialect !== 'sqlite') {
            await sql.raw(text).execute(db);
            return;
          }
          for (const statement of splitGenerated(text)) await sql.raw(statement).execute(db);
        },
      };
    }
    return migrations;
  }
}

/** Kysely 0.29's Migrator with its defaults: its lock on; PostgreSQL runs the pending batch in one transaction. */
export default {
  name: 'kysely',
  dialects: ['postgres', 'sqlite'],
  /** Where its default runs every pending migration in one transaction. */
  batchTransaction: ['postgres'],
  format: 'plain',
  config:
    'new Migrator({ db, provider }).migrateToLatest() with a MigrationProvider serving the .sql files; defaults: kysely_migration + kysely_migration_lock, advisory lock (PG), on PG the whole pending batch in one transaction (no per-migration option), on SQLite no transaction (Kysely declares no transactional DDL there)',
  history: { table: 'kysely_migration', key: 'name' },

  async open({ dialect, url, file }) {
    const db = new Kysely({
      dialect:
        dialect === 'sqlite'
          ? new SqliteDialect({ database: new Database(file) })
          : new PostgresDialect({ pool: quietPool(url) }),
    });
    await sql`SELECT 1`.execute(db);
    return { db, dialect };
  },

  async migrate({ db, dialect }, { dir }) {
    const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider(dir, dialect) });
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error;
    return { applied: results?.length ?? 0 };
  },

  async close({ db }) {
    await db.destroy();
  },
};

/** The bench drops each database after its run; an idle client cut by that must not crash the bench. */
function quietPool(url) {
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', () => {});
  return pool;
}
