import { packageJsonStrata } from '../config/package-json-strata.js';
import { SCHEMA_FORMATS, type SchemaFormat } from '../schema/render-schema.js';
import { UsageError } from './usage-error.js';

/**
 * The files strata keeps in step with the schema, as Diesel keeps `schema.rs`: read from the
 * `strata` key of the working directory's package.json.
 *
 *   "strata": {
 *     "schemaDump": { "out": "db/schema.sql", "format": "sql" },
 *     "types": { "out": "src/db/types.ts", "overrides": { "int8": "bigint" }, "safeIntegers": false,
 *                "kysely": false, "imports": ["import type { Decimal } from 'decimal.js';"] }
 *   }
 *
 * Kept in this one module so it can move into the project config file (strata.config) as the same
 * two keys. `schemaDump`, not `schema`: there `schema` already names the history table's schema.
 */
export interface GeneratedFilesConfig {
  schemaDump: { out: string; format: SchemaFormat } | undefined;
  types: TypesConfig;
}

export interface TypesConfig {
  out: string | undefined;
  overrides: Record<string, string>;
  safeIntegers: boolean;
  kysely: boolean;
  imports: string[];
}

const WHERE = 'package.json strata';

export function readGeneratedFilesConfig(cwd: string): GeneratedFilesConfig {
  const strata = packageJsonStrata(cwd);
  return { schemaDump: schemaDumpConfig(strata.schemaDump), types: typesConfig(strata.types) };
}

function schemaDumpConfig(value: unknown): GeneratedFilesConfig['schemaDump'] {
  if (value === undefined) return undefined;
  const entry = objectAt(value, 'schemaDump');
  const out = stringAt(entry.out, 'schemaDump.out');
  if (out === undefined) throw new UsageError(`${WHERE}.schemaDump needs "out": the file to write, such as "db/schema.sql"`);
  const format = stringAt(entry.format, 'schemaDump.format') ?? 'sql';
  if (!SCHEMA_FORMATS.includes(format as SchemaFormat)) {
    throw new UsageError(`${WHERE}.schemaDump.format must be one of ${SCHEMA_FORMATS.join(', ')}, not "${format}"`);
  }
  return { out, format: format as SchemaFormat };
}

function typesConfig(value: unknown): TypesConfig {
  const entry = value === undefined ? {} : objectAt(value, 'types');
  const overrides: Record<string, string> = {};
  if (entry.overrides !== undefined) {
    for (const [key, type] of Object.entries(objectAt(entry.overrides, 'types.overrides'))) {
      const text = stringAt(type, `types.overrides["${key}"]`);
      if (text !== undefined) overrides[key] = text;
    }
  }
  const imports = entry.imports === undefined ? [] : entry.imports;
  if (!Array.isArray(imports) || imports.some((line) => typeof line !== 'string')) {
    throw new UsageError(
      `${WHERE}.types.imports must be an array of lines, such as ["import type { Decimal } from 'decimal.js';"]`,
    );
  }
  return {
    out: stringAt(entry.out, 'types.out'),
    overrides,
    safeIntegers: booleanAt(entry.safeIntegers, 'types.safeIntegers'),
    kysely: booleanAt(entry.kysely, 'types.kysely'),
    imports: imports as string[],
  };
}

/**
 * `--override KEY=TYPE` (repeatable) over the configured overrides: the flag wins for a key both name.
 * The first `=` splits, so a type may hold one (`Record<string, number>` does not, `{ a: 1 }` may).
 */
export function mergeOverrides(configured: Record<string, string>, flags: readonly string[]): Record<string, string> {
  const merged = { ...configured };
  for (const flag of flags) {
    const at = flag.indexOf('=');
    if (at <= 0 || at === flag.length - 1) {
      throw new UsageError(`--override takes KEY=TYPE (int8=bigint, users.settings=Settings), not "${flag}"`);
    }
    merged[flag.slice(0, at).trim()] = flag.slice(at + 1).trim();
  }
  return merged;
}

function objectAt(value: unknown, key: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${WHERE}.${key} must be an object, not ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

function stringAt(value: unknown, key: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError(`${WHERE}.${key} must be a non-empty string, not ${JSON.stringify(value)}`);
  }
  return value;
}

function booleanAt(value: unknown, key: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new UsageError(`${WHERE}.${key} must be true or false, not ${JSON.stringify(value)}`);
  return value;
}
