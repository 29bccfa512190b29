import type { Database } from '../dialects/database.js';
import { type DatabaseHandle, openDatabase } from '../dialects/registry.js';
import { isStrataError, StrataError } from '../errors.js';
import { Migrator } from '../migrator.js';
import type { MigrationSource } from '../source/resolve-source.js';

export interface ShadowOptions {
  /** Use this database (empty, owned by the caller) instead of creating a temporary one. */
  shadow?: DatabaseHandle | undefined;
}

export interface Shadow {
  handle: DatabaseHandle;
  /** For messages: the temporary database's name, or `the given shadow database`. */
  name: string;
}

/**
 * Runs `work` against a shadow database: the caller's, or a temporary one of the live database's
 * kind (PostgreSQL: created on the same server with a unique name; SQLite: in memory) that is
 * dropped on every path, `work` failing included. Shared by drift detection and the reversibility
 * check, which both replay migrations where nothing real can be hurt.
 */
export async function withShadowDatabase<T>(
  live: Database,
  options: ShadowOptions,
  work: (shadow: Shadow) => Promise<T>,
): Promise<T> {
  if (options.shadow) return work({ handle: options.shadow, name: 'the given shadow database' });
  if (!live.createScratch) {
    throw new StrataError(
      'UNSUPPORTED_DATABASE',
      `strata cannot create a temporary ${live.dialect.label} database: pass a shadow database (CLI --shadow-url)`,
    );
  }
  const scratch = await live.createScratch();
  try {
    return await work({ handle: scratch.handle as DatabaseHandle, name: scratch.name });
  } catch (error) {
    // Where it failed: the temporary database (dropped below), not the live one.
    if (isStrataError(error) && error.details.shadow === undefined) error.details.shadow = scratch.name;
    throw error;
  } finally {
    await scratch.drop();
  }
}

export interface ShadowMigration {
  migrations: MigrationSource;
  table?: string | undefined;
  schema?: string | undefined;
  /** Apply up to and including this version; undefined: everything in the source. null: nothing. */
  target: bigint | null | undefined;
}

/** Applies the source to the shadow as a run would, so its history table is the same as the live one's. */
export async function migrateShadow(shadow: Shadow, options: ShadowMigration): Promise<void> {
  if (options.target === null) return;
  const migrator = new Migrator({
    db: shadow.handle,
    migrations: options.migrations,
    ...(options.table !== undefined ? { table: options.table } : {}),
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
    // The live history may hold versions the source lacks; the shadow gets what the source has.
    ignoreMissing: true,
    future: 'ignore',
  });
  await migrator.run(options.target === undefined ? {} : { target: options.target });
}

/** The shadow's Database, for reading what the migrations made. */
export function shadowDatabase(shadow: Shadow): Database {
  return openDatabase(shadow.handle, {});
}
