import Database from 'better-sqlite3';
import pg from 'pg';
import Postgrator from 'postgrator';

/**
 * postgrator 8 as its README sets it up: the caller's client behind execQuery, checksums validated.
 * It has no lock and no transaction of its own; on PostgreSQL a multi-statement script sent in
 * one query runs as one implicit transaction (the README's advice), on SQLite the bench wraps each
 * script in a transaction, as the README recommends. The history row is written after, apart.
 */
export default {
  name: 'postgrator',
  dialects: ['postgres', 'sqlite'],
  format: 'postgrator',
  config:
    "new Postgrator({ migrationPattern: 'dir/*', driver, execQuery, validateChecksums: true (default) }).migrate(); no lock; script atomic (PG: implicit transaction of a multi-statement query; SQLite: wrapped by the bench), history row inserted after it",
  history: { table: 'schemaversion', key: 'version', where: 'version > 0' },

  async open({ dialect, url, file }) {
    if (dialect === 'sqlite') return { dialect, db: new Database(file) };
    const client = new pg.Client({ connectionString: url });
    // A database dropped under an idle client must not crash the bench.
    client.on('error', () => {});
    await client.connect();
    return { dialect, client, database: new URL(url).pathname.slice(1) };
  },

  async migrate(ctx, { dir }) {
    const common = { migrationPattern: `${dir}/*`, schemaTable: 'schemaversion' };
    const postgrator =
      ctx.dialect === 'sqlite'
        ? new Postgrator({
            ...common,
            driver: 'sqlite3',
            execQuery: async (query) => {
              const statement = ctx.db.prepare(query);
              if (statement.reader) return { rows: statement.all() };
              statement.run();
              return { rows: [] };
            },
            execSqlScript: async (script) => ctx.db.transaction(() => ctx.db.exec(script))(),
          })
        : new Postgrator({
            ...common,
            driver: 'pg',
            database: ctx.database,
            execQuery: (query) => ctx.client.query(query),
          });
    const applied = await postgrator.migrate();
    return { applied: applied.length };
  },

  async close(ctx) {
    if (ctx.client) await ctx.client.end();
    else ctx.db.close();
  },
};
