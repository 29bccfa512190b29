import { digitsVersion, type ForeignTool, truthy } from './tool.js';

/**
 * golang-migrate (database/postgres/postgres.go and database/sqlite3/sqlite3.go,
 * ensureVersionTable): `schema_migrations (version bigint not null primary key, dirty boolean
 * not null)`. It keeps ONE row, the current version: every migration up to it was applied, in
 * order. `dirty` = the migration at that version failed part-way.
 */
export const golangMigrate: ForeignTool = {
  name: 'golang-migrate',
  table: 'schema_migrations',
  dialects: ['postgres', 'sqlite'],
  columns: ['version', 'dirty'],
  notColumns: ['success', 'checksum', 'description'],
  matchBy: 'version',
  rule: 'version: its one row is the current version; the strata migration with that version and every older one count as applied (the same N_name.up.sql files)',
  resolveHint: 'repair the schema by hand, then `migrate -path DIR -database URL force V` (V: the last version fully applied)',
  async read(on, at) {
    const { rows } = await on.query(`SELECT version, dirty FROM ${at.qualified}`);
    return rows.map((row) => {
      const version = digitsVersion(row.version);
      const dirty = truthy(row.dirty);
      return {
        key: String(row.version),
        state: dirty ? ('failed' as const) : ('applied' as const),
        coversOlder: true,
        ...(version === undefined ? {} : { version }),
        ...(dirty ? { detail: 'dirty: this migration failed part-way' } : {}),
      };
    });
  },
};
