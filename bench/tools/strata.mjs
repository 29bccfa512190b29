import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Migrator } from '@strata/core';
import Database from 'better-sqlite3';
import pg from 'pg';

/** strata as an application uses it: its own pg.Pool (or better-sqlite3 handle) handed to a Migrator. */
export default {
  name: 'strata',
  dialects: ['postgres', 'sqlite'],
  format: 'plain',
  config:
    'Migrator({ db: pg.Pool | better-sqlite3, migrations: dir }).run(): fast path (one history read, no lock), else the advisory lock (PG) / BEGIN IMMEDIATE (SQLite) and one transaction per migration with its history row',
  history: { table: '_strata_migrations', key: 'version' },

  async open({ dialect, url, file }) {
    if (dialect === 'sqlite') return { db: new Database(file) };
    const pool = new pg.Pool({ connectionString: url });
    pool.on('error', () => {});
    await pool.query('SELECT 1');
    return { db: pool };
  },

  async migrate(ctx, { dir }) {
    const report = await new Migrator({ db: ctx.db, migrations: dir }).run();
    return { applied: report.applied.length, lockTaken: report.lockTaken, lockWaitMs: report.lockWaitMs };
  },

  async close(ctx) {
    if (typeof ctx.db.end === 'function') await ctx.db.end();
    else ctx.db.close();
  },

  /** The `strata` bin of @strata/core, when it has been built. */
  cli({ dialect, url, file, dir }) {
    const bin = strataBin();
    if (!bin) return undefined;
    const databaseUrl = dialect === 'sqlite' ? `sqlite://${file}` : url;
    return { command: process.execPath, args: [bin, 'run', '--database-url', databaseUrl, '--source', dir], label: 'strata run' };
  },
};

function strataBin() {
  try {
    const require = createRequire(import.meta.url);
    const manifestPath = require.resolve('@strata/core/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const relative = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.strata;
    const bin = relative ? join(dirname(manifestPath), relative) : undefined;
    return bin && existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}
