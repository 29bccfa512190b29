import { digitsVersion, type ForeignTool, truthy } from './tool.js';

/**
 * SQLx (sqlx-core migrate): `_sqlx_migrations`, the very columns strata's own history has. The
 * version is the file's, as strata reads the same files; SQLx's SHA-384 checksum is strata's, so
 * a file changed since SQLx applied it is reported. `success = false`: a migration SQLx started
 * outside a transaction and never finished.
 */
export const sqlx: ForeignTool = {
  name: 'sqlx',
  table: '_sqlx_migrations',
  dialects: ['postgres', 'sqlite', 'mysql'],
  columns: ['version', 'description', 'installed_on', 'success', 'checksum', 'execution_time'],
  matchBy: 'version',
  rule: 'version: the same number strata reads from the same file; SQLx’s SHA-384 checksum is compared with the file',
  resolveHint:
    'repair the schema by hand, then delete that row from _sqlx_migrations (or set success = true) with sqlx or psql; sqlx-cli has no command for it',
  async read(on, at) {
    const { rows } = await on.query(`SELECT version, description, success, checksum FROM ${at.qualified} ORDER BY version`);
    return rows.map((row) => {
      const version = digitsVersion(row.version);
      const applied = truthy(row.success);
      return {
        key: String(row.version),
        state: applied ? ('applied' as const) : ('failed' as const),
        ...(version === undefined ? {} : { version }),
        ...(row.checksum instanceof Uint8Array ? { checksum: { sha384: row.checksum } } : {}),
        ...(applied ? {} : { detail: 'success = false: started outside a transaction and not finished' }),
      };
    });
  },
};
