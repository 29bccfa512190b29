/**
 * `@strata/core/schema`: what the migrations make, as data, as text and against a live database.
 * A subpath of its own, so the package root stays the engine.
 */

export { IRREVERSIBLE_MARKER } from './down-intent.js';
export { type DriftReport, detectDrift } from './drift.js';
export {
  dumpSchema,
  type MigratedSchemaOptions,
  readDatabaseSchema,
  type SchemaReadOptions,
  schemaOfMigrations,
} from './dump.js';
export { renderSchema, SCHEMA_FORMATS, type SchemaFormat } from './render-schema.js';
export { checkReversible, type ReversibilityOptions, type ReversibilityProgress } from './reversibility.js';
export type * from './reversibility-report.js';
export { diffSchemas, type SchemaDifference } from './schema-diff.js';
export type * from './schema-model.js';
export { SCHEMA_MODEL_VERSION } from './schema-model.js';
export type { ShadowOptions } from './shadow-database.js';
export { type MappedType, mapColumnType, sqliteAffinity, type TypeMappingOptions } from './type-mapping.js';
export { renderTypeScript, type TypeScriptOptions } from './typescript-types.js';
