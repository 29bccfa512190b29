import { digitsVersion, type ForeignTool } from './tool.js';

/**
 * dbmate (pkg/driver/<db>: CreateMigrationsTable): `schema_migrations (version varchar(128)
 * primary key)`, one row per applied file, the file's leading digits
 * (`20260601000001_create_users.sql`). It shares the name with golang-migrate's table, which
 * also has `dirty`: the columns tell them apart.
 */
export const dbmate: ForeignTool = {
  name: 'dbmate',
  table: 'schema_migrations',
  dialects: ['postgres', 'sqlite'],
  columns: ['version'],
  notColumns: ['dirty', 'run_on', 'success', 'checksum', 'description', 'id', 'name'],
  matchBy: 'version',
  rule: 'version: the file’s leading digits (20260601000001_create_users.sql), the version of its up half split into a strata .up.sql',
  resolveHint: 'dbmate records only committed migrations',
  async read(on, at) {
    const { rows } = await on.query(`SELECT version FROM ${at.qualified} ORDER BY version`);
    return rows.map((row) => {
      const version = digitsVersion(row.version);
      return {
        key: String(row.version),
        state: 'applied' as const,
        ...(version === undefined ? { detail: 'not a number' } : { version }),
      };
    });
  },
};
