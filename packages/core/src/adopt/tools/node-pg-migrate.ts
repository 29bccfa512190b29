import { type ForeignTool, leadingVersion } from './tool.js';

/**
 * node-pg-migrate (src/migration.ts, runner): `pgmigrations (id SERIAL PRIMARY KEY, name
 * varchar(255) NOT NULL, run_on timestamp NOT NULL)`, PostgreSQL only. `name` is the file name
 * without its extension, `1717171717171_create-users`: its leading digits are the version. It
 * writes the row in the migration's transaction, so nothing is ever half recorded.
 */
export const nodePgMigrate: ForeignTool = {
  name: 'node-pg-migrate',
  table: 'pgmigrations',
  dialects: ['postgres'],
  columns: ['id', 'name', 'run_on'],
  matchBy: 'version',
  rule: 'name: the file name without extension (1717171717171_create-users); its leading digits are the version',
  resolveHint: 'node-pg-migrate records only committed migrations',
  async read(on, at) {
    const { rows } = await on.query(`SELECT name FROM ${at.qualified} ORDER BY run_on, id`);
    return rows.map((row) => {
      const name = String(row.name);
      const version = leadingVersion(name);
      return {
        key: name,
        state: 'applied' as const,
        ...(version === undefined ? { detail: 'the name does not start with a version' } : { version }),
      };
    });
  },
};
