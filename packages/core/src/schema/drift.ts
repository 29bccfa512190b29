import { type DatabaseHandle, openDatabase } from '../dialects/registry.js';
import { Migrator } from '../migrator.js';
import { type MigratedSchemaOptions, readWithOptions } from './dump.js';
import { diffSchemas, type SchemaDifference } from './schema-diff.js';
import { migrateShadow, shadowDatabase, withShadowDatabase } from './shadow-database.js';

export interface DriftReport {
  /** True when the database differs from what its applied migrations make. */
  drift: boolean;
  /** The newest applied version the shadow was migrated to; null when nothing is applied. */
  appliedThrough: bigint | null;
  /** Where the replay ran: a temporary database's name, or the given shadow. */
  shadow: string;
  differences: SchemaDifference[];
}

/**
 * Prisma's drift check: the source's migrations, as far as the database's history goes, are
 * applied to a shadow database, and the shadow's schema is compared with the live one's. A
 * change made by hand (an ALTER TABLE outside the migrations) shows as extra, missing or changed.
 */
export async function detectDrift(db: DatabaseHandle, options: MigratedSchemaOptions): Promise<DriftReport> {
  const live = openDatabase(db, {});
  const statuses = await new Migrator({
    db,
    migrations: options.migrations,
    ...(options.table !== undefined ? { table: options.table } : {}),
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
  }).status();
  // Statuses come in version order: the last applied one is the newest.
  const appliedThrough = statuses.filter((line) => line.history?.success === true).at(-1)?.version ?? null;
  return withShadowDatabase(live, options, async (shadow) => {
    await migrateShadow(shadow, { ...options, target: appliedThrough });
    const expected = await readWithOptions(shadowDatabase(shadow), options);
    const actual = await readWithOptions(live, options);
    const differences = diffSchemas(expected, actual);
    return { drift: differences.length > 0, appliedThrough, shadow: shadow.name, differences };
  });
}
