import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import knex from 'knex';
import { knexConfig } from './knex-source.mjs';

/** knex 3 migrations with its defaults: the pending batch in one transaction, its lock table on. */
export default {
  name: 'knex',
  dialects: ['postgres', 'sqlite'],
  /** Where its default runs every pending migration in one transaction. */
  batchTransaction: ['postgres', 'sqlite'],
  format: 'plain',
  config:
    'knex.migrate.latest() with a migrationSource serving the .sql files; defaults: knex_migrations + knex_migrations_lock (lock row taken in the transaction), the whole pending batch in one transaction (knex has no per-migration transaction short of disabling transactions)',
  history: { table: 'knex_migrations', key: 'name' },

  async open({ dialect, url, file }) {
    // The migrations directory is given per call; the knex instance (and its pool) lives across calls.
    const db = knex(knexConfig({ dialect, url, file, dir: undefined }));
    await db.raw('SELECT 1');
    return { db, dialect };
  },

  async migrate({ db, dialect }, { dir }) {
    const { migrations } = knexConfig({ dialect, dir });
    const [, log] = await db.migrate.latest(migrations);
    return { applied: log.length };
  },

  async close({ db }) {
    await db.destroy();
  },

  cli({ dialect, url, file, dir }) {
    const require = createRequire(import.meta.url);
    const bin = join(dirname(require.resolve('knex/package.json')), 'bin', 'cli.js');
    return {
      command: process.execPath,
      args: [bin, 'migrate:latest', '--knexfile', join(dirname(fileURLToPath(import.meta.url)), 'knexfile.mjs')],
      env: { BENCH_DIALECT: dialect, BENCH_URL: url ?? '', BENCH_FILE: file ?? '', BENCH_DIR: dir },
      label: 'knex migrate:latest',
    };
  },
};
