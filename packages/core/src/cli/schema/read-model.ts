import { readDatabaseSchema, schemaOfMigrations } from '../../schema/dump.js';
import type { SchemaModel } from '../../schema/schema-model.js';
import type { CommandContext } from '../context.js';
import { migrationsSource } from './migrations-source.js';
import { openShadowUrl, shadowOption } from './shadow-handle.js';

/**
 * The schema `schema dump` and `types` describe: what the database holds, or with
 * `--from-migrations` what the migrations make on a temporary database (or `--shadow-url`).
 */
export async function readSchemaModel(context: CommandContext): Promise<SchemaModel> {
  const options = {
    table: context.config.table,
    schema: context.config.schema,
    includeHistory: context.flag('include-history'),
  };
  const db = await context.database();
  if (!context.flag('from-migrations')) return readDatabaseSchema(db.handle, options);
  const shadow = await openShadowUrl(context);
  try {
    return await schemaOfMigrations(db.handle, {
      ...options,
      migrations: await migrationsSource(context),
      ...shadowOption(shadow),
    });
  } finally {
    await shadow?.close();
  }
}
