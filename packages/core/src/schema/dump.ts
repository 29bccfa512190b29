import type { Database } from '../dialects/database.js';
import { type DatabaseHandle, openDatabase } from '../dialects/registry.js';
import { DEFAULT_TABLE } from '../migrator.js';
import type { MigrationSource } from '../source/resolve-source.js';
import { historyTables, readSchema } from './read-schema.js';
import { renderSchema, type SchemaFormat } from './render-schema.js';
import type { SchemaModel } from './schema-model.js';
import { migrateShadow, type ShadowOptions, shadowDatabase, withShadowDatabase } from './shadow-database.js';

export interface SchemaReadOptions {
  /** The history table, as given to the Migrator (default `_strata_migrations`): left out with its companions. */
  table?: string | undefined;
  /** The history table's schema, as given to the Migrator. */
  schema?: string | undefined;
  /** Keep strata's history, resolutions and lease tables in the picture. */
  includeHistory?: boolean | undefined;
}

/** The schema `db` (a pg.Pool or pg.Client, a better-sqlite3 Database) holds, as data. */
export async function readDatabaseSchema(db: DatabaseHandle, options: SchemaReadOptions = {}): Promise<SchemaModel> {
  return readWithOptions(openDatabase(db, {}), options);
}

/** The schema `db` holds, rendered: SQL (default), JSON or a Mermaid ER diagram. */
export async function dumpSchema(
  db: DatabaseHandle,
  options: SchemaReadOptions & { format?: SchemaFormat | undefined } = {},
): Promise<string> {
  return renderSchema(await readDatabaseSchema(db, options), options.format ?? 'sql');
}

export interface MigratedSchemaOptions extends SchemaReadOptions, ShadowOptions {
  migrations: MigrationSource;
}

/**
 * The schema the migrations make, whatever `db` holds: they are applied to a temporary database
 * beside it (same server, or in memory) which is read and dropped. What `--check` compares in CI,
 * from a directory or an embedded module alike.
 */
export async function schemaOfMigrations(db: DatabaseHandle, options: MigratedSchemaOptions): Promise<SchemaModel> {
  return withShadowDatabase(openDatabase(db, {}), options, async (shadow) => {
    await migrateShadow(shadow, { ...options, target: undefined });
    return readWithOptions(shadowDatabase(shadow), options);
  });
}

export function readWithOptions(database: Database, options: SchemaReadOptions): Promise<SchemaModel> {
  const exclude = options.includeHistory
    ? []
    : historyTables({ table: options.table ?? DEFAULT_TABLE, schema: options.schema ?? database.dialect.defaultSchema });
  return readSchema(database, exclude);
}
