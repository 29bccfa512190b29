import { type ForeignTool, isNull, leadingVersion } from './tool.js';

/**
 * Prisma Migrate (prisma-engines, sql-schema-connector flavour `create_migrations_table`):
 * `_prisma_migrations (id, checksum, finished_at, migration_name, logs, rolled_back_at,
 * started_at, applied_steps_count)`. `migration_name` is the directory, `20260601000001_init`:
 * its leading digits are the version; `checksum` is the SHA-256 of its migration.sql. A row
 * without `finished_at` failed and is unresolved; one with `rolled_back_at` was resolved as
 * rolled back (`prisma migrate resolve --rolled-back`) and no longer counts.
 */
export const prisma: ForeignTool = {
  name: 'prisma',
  table: '_prisma_migrations',
  dialects: ['postgres', 'sqlite'],
  columns: ['id', 'checksum', 'finished_at', 'migration_name', 'rolled_back_at', 'started_at'],
  matchBy: 'version',
  rule: 'migration_name: the directory (20260601000001_init); its leading digits are the version, and Prisma’s SHA-256 of migration.sql is compared with the file',
  resolveHint: 'resolve it with `npx prisma migrate resolve --applied NAME` or `--rolled-back NAME`',
  async read(on, at) {
    const { rows } = await on.query(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM ${at.qualified} ORDER BY started_at, migration_name`,
    );
    return rows.map((row) => {
      const name = String(row.migration_name);
      const version = leadingVersion(name);
      const common = {
        key: name,
        ...(version === undefined ? {} : { version }),
        ...(typeof row.checksum === 'string' ? { checksum: { sha256: row.checksum } } : {}),
      };
      if (!isNull(row.rolled_back_at)) return { ...common, state: 'ignored' as const, detail: 'marked rolled back' };
      if (isNull(row.finished_at)) return { ...common, state: 'failed' as const, detail: 'started and not finished (failed)' };
      return {
        ...common,
        state: 'applied' as const,
        ...(version === undefined ? { detail: 'the name does not start with a version' } : {}),
      };
    });
  },
};
