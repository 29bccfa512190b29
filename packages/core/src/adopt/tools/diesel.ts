import { type ForeignTool, separatedVersion } from './tool.js';

/**
 * Diesel (diesel_migrations, setup_migration_table.sql): `__diesel_schema_migrations (version
 * VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`. The
 * version is the migration directory's prefix without separators, which is strata's version for
 * the same directory. Diesel records a row only once a migration committed: nothing is dirty.
 */
export const diesel: ForeignTool = {
  name: 'diesel',
  table: '__diesel_schema_migrations',
  dialects: ['postgres', 'sqlite'],
  columns: ['version', 'run_on'],
  matchBy: 'version',
  rule: 'version: the directory prefix without separators (2026-06-01-000001_x → 20260601000001), the version strata reads from the same directory',
  resolveHint: 'Diesel records only committed migrations',
  async read(on, at) {
    const { rows } = await on.query(`SELECT version FROM ${at.qualified} ORDER BY version`);
    return rows.map((row) => {
      const version = separatedVersion(row.version);
      return {
        key: String(row.version),
        state: 'applied' as const,
        ...(version === undefined ? { detail: 'not a Diesel version (digits and separators)' } : { version }),
      };
    });
  },
};
