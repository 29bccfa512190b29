import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { listSqlFiles, readSql } from '../lib/sql-files.mjs';

/** The SQLite floor: better-sqlite3, per pending migration BEGIN; <sql>; INSERT history row; COMMIT. */
export default {
  name: 'raw-sqlite',
  floor: true,
  dialects: ['sqlite'],
  format: 'plain',
  config: 'one better-sqlite3 handle; per migration BEGIN; exec(<file>); INSERT history row (version, name, SHA-384); COMMIT',
  history: { table: 'raw_migrations', key: 'version' },

  async open({ file }) {
    return { db: new Database(file) };
  },

  async migrate({ db }, { dir }) {
    const files = await listSqlFiles(dir);
    db.exec(
      'CREATE TABLE IF NOT EXISTS raw_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum BLOB NOT NULL, installed_on TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)',
    );
    const done = new Set(db.prepare('SELECT version FROM raw_migrations').pluck().all());
    const insert = db.prepare('INSERT INTO raw_migrations (version, name, checksum) VALUES (?, ?, ?)');
    let applied = 0;
    for (const file of files) {
      const version = Number.parseInt(file.name, 10);
      if (done.has(version)) continue;
      const sql = await readSql(file.path);
      db.exec('BEGIN');
      try {
        db.exec(sql);
        insert.run(version, file.name, createHash('sha384').update(sql).digest());
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
      applied += 1;
    }
    return { applied };
  },

  async close({ db }) {
    db.close();
  },
};
