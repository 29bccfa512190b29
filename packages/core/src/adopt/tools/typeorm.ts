import { digitsVersion, type ForeignTool } from './tool.js';

/**
 * TypeORM (MigrationExecutor.createMigrationsTableIfNotExist): `migrations (id, timestamp bigint
 * NOT NULL, name varchar NOT NULL)`. `timestamp` is the 13 digits that end the migration class's
 * name (`CreateUsers1717171717171`): the version of the SQL file that re-expresses it.
 */
export const typeorm: ForeignTool = {
  name: 'typeorm',
  table: 'migrations',
  dialects: ['postgres', 'sqlite'],
  columns: ['id', 'timestamp', 'name'],
  matchBy: 'version',
  rule: 'timestamp: the digits ending the class name (CreateUsers1717171717171 → 1717171717171) are the version',
  resolveHint: 'TypeORM records only committed migrations',
  async read(on, at) {
    const { rows } = await on.query(`SELECT id, timestamp, name FROM ${at.qualified} ORDER BY id`);
    return rows.map((row) => {
      const version = digitsVersion(row.timestamp);
      return {
        key: String(row.name),
        state: 'applied' as const,
        ...(version === undefined ? { detail: 'timestamp is not a number' } : { version }),
      };
    });
  },
};
