import Database from 'better-sqlite3';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

/**
 * drizzle-orm 0.45's migrator, as its docs set it up for production (`migrate(db, { migrationsFolder })`
 * at start-up) on drizzle-kit's folder layout: `NNNN_name.sql` with `--> statement-breakpoint`
 * between statements, listed in `meta/_journal.json`. It has no lock and no per-migration
 * transaction: every pending migration and its history row go in one transaction.
 */
export default {
  name: 'drizzle',
  dialects: ['postgres', 'sqlite'],
  /** Where its default runs every pending migration in one transaction: everywhere. */
  batchTransaction: ['postgres', 'sqlite'],
  format: 'drizzle',
  config:
    "migrate(drizzle(pool | better-sqlite3), { migrationsFolder }) on drizzle-kit's layout (meta/_journal.json, statements split at --> statement-breakpoint): drizzle.__drizzle_migrations (PG) / __drizzle_migrations (SQLite); no lock; the whole pending batch in one transaction (its only mode), sent statement by statement",
  history: { table: 'drizzle.__drizzle_migrations', key: 'hash' },

  async open({ dialect, url, file }) {
    // The migrator reports nothing; its history inserts, seen by drizzle's query logger, are counted.
    const counter = { applied: 0 };
    const logger = {
      logQuery(query) {
        if (/^\s*insert into .*__drizzle_migrations/i.test(query)) counter.applied += 1;
      },
    };
    if (dialect === 'sqlite') {
      const client = new Database(file);
      return { dialect, client, counter, db: drizzleSqlite(client, { logger }) };
    }
    const pool = new pg.Pool({ connectionString: url });
    // The bench drops each database after its run; an idle client cut by that must not crash it.
    pool.on('error', () => {});
    await pool.query('SELECT 1');
    return { dialect, client: pool, counter, db: drizzlePg(pool, { logger }) };
  },

  async migrate({ dialect, db, counter }, { dir }) {
    counter.applied = 0;
    if (dialect === 'sqlite') migrateSqlite(db, { migrationsFolder: dir });
    else await migratePg(db, { migrationsFolder: dir });
    return { applied: counter.applied };
  },

  async close({ dialect, client }) {
    if (dialect === 'sqlite') client.close();
    else await client.end();
  },
};
