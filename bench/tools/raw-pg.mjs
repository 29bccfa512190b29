import { createHash } from 'node:crypto';
import pg from 'pg';
import { listSqlFiles, readSql } from '../lib/sql-files.mjs';

/**
 * The PostgreSQL floor: one connection, the files read in order, and per pending migration
 * BEGIN; <sql>; INSERT history row; COMMIT. No lock, no validation: the least a migrator can do.
 */
export default {
  name: 'raw-pg',
  floor: true,
  dialects: ['postgres'],
  format: 'plain',
  config: 'one pg.Client; per migration BEGIN; <file>; INSERT history row (version, name, SHA-384); COMMIT',
  history: { table: 'raw_migrations', key: 'version' },

  async open({ url }) {
    const client = new pg.Client({ connectionString: url });
    // A database dropped under an idle client must not crash the bench.
    client.on('error', () => {});
    await client.connect();
    return { client };
  },

  async migrate({ client }, { dir }) {
    const files = await listSqlFiles(dir);
    await client.query(
      'CREATE TABLE IF NOT EXISTS raw_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum BYTEA NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query('SELECT version FROM raw_migrations')).rows.map((row) => String(row.version)));
    let applied = 0;
    for (const file of files) {
      const version = String(Number.parseInt(file.name, 10));
      if (done.has(version)) continue;
      const sql = await readSql(file.path);
      await client.query('BEGIN');
      await client.query(sql);
      await client.query('INSERT INTO raw_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        version,
        file.name,
        createHash('sha384').update(sql).digest(),
      ]);
      await client.query('COMMIT');
      applied += 1;
    }
    return { applied };
  },

  async close({ client }) {
    await client.end();
  },
};
