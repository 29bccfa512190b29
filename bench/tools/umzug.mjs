import Database from 'better-sqlite3';
import pg from 'pg';
import { Umzug } from 'umzug';
import { readSql } from '../lib/sql-files.mjs';

/** The custom storage umzug's README describes (logMigration / unlogMigration / executed), on the app's database. */
class SqlStorage {
  constructor(db) {
    this.db = db;
  }

  async logMigration({ name }) {
    await this.db.run('INSERT INTO umzug_migrations (name) VALUES ($1)', [name]);
  }

  async unlogMigration({ name }) {
    await this.db.run('DELETE FROM umzug_migrations WHERE name = $1', [name]);
  }

  async executed() {
    await this.db.run(
      'CREATE TABLE IF NOT EXISTS umzug_migrations (name TEXT PRIMARY KEY, executed_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)',
    );
    return (await this.db.all('SELECT name FROM umzug_migrations ORDER BY name')).map((row) => row.name);
  }
}

/** The same three calls on either database. */
function pgDb(client) {
  return {
    run: (text, values) => client.query(text, values),
    all: async (text) => (await client.query(text)).rows,
    script: (text) => client.query(text),
  };
}

function sqliteDb(db) {
  return {
    run: async (text, values = []) => db.prepare(text.replace(/\$\d+/g, '?')).run(...values),
    all: async (text) => db.prepare(text).all(),
    // The README's resolver sends the file in one call; on SQLite the bench makes that call one transaction.
    script: async (text) => db.transaction(() => db.exec(text))(),
  };
}

/** umzug 3 with the README's SQL-file resolver and a custom storage on the same database. It has no lock. */
export default {
  name: 'umzug',
  dialects: ['postgres', 'sqlite'],
  format: 'plain',
  config:
    "new Umzug({ migrations: { glob: ['*.sql', { cwd: dir }], resolve: README's SQL resolver }, storage: custom SQL storage, logger: undefined }).up(); no lock; script atomic (PG: implicit transaction of a multi-statement query; SQLite: wrapped by the bench), history row logged after it",
  history: { table: 'umzug_migrations', key: 'name' },

  async open({ dialect, url, file }) {
    if (dialect === 'sqlite') {
      const handle = new Database(file);
      return { handle, db: sqliteDb(handle) };
    }
    const client = new pg.Client({ connectionString: url });
    // A database dropped under an idle client must not crash the bench.
    client.on('error', () => {});
    await client.connect();
    return { handle: client, db: pgDb(client) };
  },

  async migrate({ db }, { dir }) {
    const umzug = new Umzug({
      migrations: {
        glob: ['*.sql', { cwd: dir }],
        resolve: ({ name, path }) => ({
          name,
          up: async () => db.script(await readSql(path)),
          down: async () => {},
        }),
      },
      storage: new SqlStorage(db),
      logger: undefined,
    });
    const applied = await umzug.up();
    return { applied: applied.length };
  },

  async close({ handle }) {
    if (typeof handle.end === 'function') await handle.end();
    else handle.close();
  },
};
