import { splitGenerated } from '../lib/migrations.mjs';
import { listSqlFiles, readSql } from '../lib/sql-files.mjs';

/**
 * A knex migrationSource (the documented extension point) serving `.sql` files. knex.raw sends a
 * whole script to pg in one simple query; better-sqlite3 prepares one statement at a time, so on
 * SQLite the script is run statement by statement.
 */
export class SqlFileMigrationSource {
  constructor(dir, dialect) {
    this.dir = dir;
    this.dialect = dialect;
  }

  getMigrations() {
    return listSqlFiles(this.dir);
  }

  getMigrationName(migration) {
    return migration.file;
  }

  getMigration(migration) {
    const dialect = this.dialect;
    return {
      async up(knex) {
        const sql = await readSql(migration.path);
        if (dialect !== 'sqlite') return knex.raw(sql);
        for (const statement of splitGenerated(sql)) await knex.raw(statement);
      },
      async down() {},
    };
  }
}

export function knexConfig({ dialect, url, file, dir }) {
  const base =
    dialect === 'sqlite'
      ? { client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true }
      : { client: 'pg', connection: url };
  return { ...base, migrations: { migrationSource: new SqlFileMigrationSource(dir, dialect) } };
}
