import type { Database } from '../dialects/database.js';
import { StrataError } from '../errors.js';
import { resolutionsTableName } from '../history/resolutions.js';
import type { ExcludedTable } from './read-options.js';
import type { SchemaModel } from './schema-model.js';

export interface HistoryTables {
  /** The history table's name (default `_strata_migrations`). */
  table: string;
  /** Its schema; undefined: wherever it is (any schema). */
  schema: string | undefined;
}

/** strata's bookkeeping: the history table, its resolutions and its lease. */
export function historyTables({ table, schema }: HistoryTables): ExcludedTable[] {
  return [table, resolutionsTableName(table), `${table}_lease`].map((name) => ({ schema, table: name }));
}

/**
 * The schema `database` holds, read on a session of its own (handed back clean: readers roll back
 * what they set). `exclude` leaves tables out: strata's history unless the caller wants it.
 */
export async function readSchema(database: Database, exclude: readonly ExcludedTable[]): Promise<SchemaModel> {
  const { dialect } = database;
  if (!dialect.readSchema) {
    throw new StrataError('UNSUPPORTED_DATABASE', `strata cannot read the schema of a ${dialect.label} database yet`);
  }
  const session = await database.openSession();
  let dirty = true;
  try {
    const model = await dialect.readSchema(session, { exclude });
    dirty = false;
    return model;
  } finally {
    await session.close(dirty);
  }
}
