import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runner } from 'node-pg-migrate';
import pg from 'pg';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** node-pg-migrate 9 with .sql migration files, one transaction per migration, its advisory lock waiting. */
export default {
  name: 'node-pg-migrate',
  dialects: ['postgres'],
  format: 'plain',
  config:
    "runner({ dir, direction: 'up', singleTransaction: false, advisoryLockMode: 'wait' }) with .sql files: per-migration transactions (its default is one transaction for the whole batch), advisory lock on, 'wait' so replicas booting together queue instead of failing",
  history: { table: 'pgmigrations', key: 'name' },

  async open({ url }) {
    const client = new pg.Client({ connectionString: url });
    // A database dropped under an idle client must not crash the bench.
    client.on('error', () => {});
    await client.connect();
    return { client };
  },

  async migrate({ client }, { dir }) {
    const applied = await runner({
      dbClient: client,
      dir,
      direction: 'up',
      migrationsTable: 'pgmigrations',
      singleTransaction: false,
      advisoryLockMode: 'wait',
      logger: quiet,
    });
    return { applied: applied.length };
  },

  async close({ client }) {
    await client.end();
  },

  cli({ url, dir }) {
    const require = createRequire(import.meta.url);
    const bin = join(dirname(require.resolve('node-pg-migrate/package.json')), 'bin', 'node-pg-migrate.js');
    return {
      command: process.execPath,
      args: [bin, 'up', '-m', dir, '--no-single-transaction', '--advisory-lock-mode', 'wait'],
      env: { DATABASE_URL: url },
      label: 'node-pg-migrate up',
    };
  },
};
