import type { SchemaModel } from './schema-model.js';

/** A table a reader leaves out, with everything attached to it (indexes, triggers, owned sequences). */
export interface ExcludedTable {
  /** undefined: in any schema. */
  schema: string | undefined;
  table: string;
}

export interface ReadSchemaOptions {
  /** strata's own bookkeeping (the history table, its resolutions and lease tables) unless asked for. */
  exclude: readonly ExcludedTable[];
}

/** True when `schema.table` is one of `exclude`. */
export function isExcluded(exclude: readonly ExcludedTable[], schema: string, table: string): boolean {
  return exclude.some((entry) => entry.table === table && (entry.schema === undefined || entry.schema === schema));
}

/**
 * Drops the excluded tables and whatever hangs off them. Readers read everything and filter here,
 * so each database's queries stay free of option-dependent text.
 */
export function withoutExcluded(model: SchemaModel, exclude: readonly ExcludedTable[]): SchemaModel {
  if (exclude.length === 0) return model;
  const kept = (item: { schema: string; table: string }) => !isExcluded(exclude, item.schema, item.table);
  return {
    ...model,
    tables: model.tables.filter((table) => !isExcluded(exclude, table.schema, table.name)),
    indexes: model.indexes.filter(kept),
    triggers: model.triggers.filter(kept),
    sequences: model.sequences.filter((sequence) => !sequence.ownedBy || kept(sequence.ownedBy)),
  };
}

/** Sorts by schema, then name, with a plain code-unit comparison: the same order on every machine and locale. */
export function bySchemaAndName<T extends { schema: string; name: string }>(items: T[]): T[] {
  return items.sort((a, b) => compareText(a.schema, b.schema) || compareText(a.name, b.name));
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
