import type { Dialect } from './driver.js';
import { qualifiedName } from './identifiers.js';

/**
 * `strata resolve` changes a dirty history row (marks it successful, or deletes it so the next run
 * applies it again). So that this never erases what happened, the dirty row is first copied into
 * `<table>_resolutions` beside the history table, in the same transaction, with the outcome
 * chosen and when and by whom it was chosen. SQLx ignores the extra table.
 */
export function resolutionsTableName(table: string): string {
  return `${table}_resolutions`;
}

export function createResolutionsTableSql(dialect: Dialect, schema: string | undefined, table: string): string {
  const name = qualifiedName(schema, resolutionsTableName(table));
  const timestamp =
    dialect === 'postgres' ? 'TIMESTAMPTZ NOT NULL DEFAULT now()' : 'TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP';
  return `CREATE TABLE IF NOT EXISTS ${name} (
    version BIGINT NOT NULL,
    description TEXT NOT NULL,
    resolution TEXT NOT NULL,
    resolved_on ${timestamp},
    resolved_by TEXT,
    started_on ${dialect === 'postgres' ? 'TIMESTAMPTZ' : 'TIMESTAMP'} NOT NULL,
    checksum ${dialect === 'postgres' ? 'BYTEA' : 'BLOB'} NOT NULL
  )`;
}

/** Copies the dirty row; `resolvedBy` is an SQL expression (PostgreSQL's `current_user`) or a parameter. */
export function copyDirtyRowSql(
  schema: string | undefined,
  table: string,
  placeholders: { version: string; resolution: string; resolvedBy: string },
): string {
  return `INSERT INTO ${qualifiedName(schema, resolutionsTableName(table))}
      (version, description, resolution, resolved_by, started_on, checksum)
    SELECT version, description, ${placeholders.resolution}, ${placeholders.resolvedBy}, installed_on, checksum
      FROM ${qualifiedName(schema, table)} WHERE version = ${placeholders.version} AND success = FALSE`;
}
