import type { Column, DomainType, SchemaModel, TypeRef } from './schema-model.js';

/**
 * What a column's values are in JavaScript, as the drivers return them with their defaults: `pg`
 * with its stock type parsers (pg-types), `better-sqlite3` by the storage class SQLite's affinity
 * rules give the column. `select` is what a query returns; `helper` names the Kysely column type
 * (from TYPE_HELPERS) whose insert and update sides accept more than that, when there is one.
 *
 * The tables below are the documented mapping (README, "Types"): change them together.
 */
export interface MappedType {
  /** The TypeScript type of a non-null value: `string`, `Date`, `number[]`, `Mood`. */
  select: string;
  /** A helper from TYPE_HELPERS to use in the Kysely table instead of `select`. */
  helper: TypeHelperName | null;
  /** Named types the declaration refers to, so only those are emitted. */
  uses: TypeHelperName[];
}

export interface TypeMappingOptions {
  /** SQLite: integers as `bigint`, for an app that opens better-sqlite3 with `safeIntegers(true)`. */
  safeIntegers?: boolean | undefined;
  /** Per database type (`int8`, `timestamptz`, `mood`, SQLite's `DATETIME` in any case): a TypeScript type. */
  typeOverrides?: ReadonlyMap<string, string> | undefined;
  /** The TypeScript name given to each enum, by `schema.name`. */
  enumNames?: ReadonlyMap<string, string> | undefined;
}

/**
 * Helper types the generated file declares when used. `ColumnType` has Kysely's exact shape, so a
 * file that declares it itself type-checks against Kysely without importing it.
 */
export const TYPE_HELPERS = {
  JsonPrimitive: 'export type JsonPrimitive = boolean | number | string | null;',
  JsonArray: 'export type JsonArray = JsonValue[];',
  JsonObject: 'export type JsonObject = { [key: string]: JsonValue | undefined };',
  JsonValue: 'export type JsonValue = JsonArray | JsonObject | JsonPrimitive;',
  /** postgres-interval's fields (pg's parser for interval); only those the value has are set. */
  Interval:
    'export interface Interval {\n  years?: number;\n  months?: number;\n  days?: number;\n  hours?: number;\n  minutes?: number;\n  seconds?: number;\n  milliseconds?: number;\n}',
  Point: 'export interface Point {\n  x: number;\n  y: number;\n}',
  Circle: 'export interface Circle {\n  x: number;\n  y: number;\n  radius: number;\n}',
  // Kysely column types: read as pg returns them, written as pg accepts them.
  Int8: 'export type Int8 = ColumnType<string, bigint | number | string, bigint | number | string>;',
  Numeric: 'export type Numeric = ColumnType<string, number | string, number | string>;',
  Timestamp: 'export type Timestamp = ColumnType<Date, Date | string, Date | string>;',
  // pg sends a JS object as JSON.stringify(object), but an array as a PostgreSQL array: give arrays as text.
  Json: 'export type Json = ColumnType<JsonValue, JsonObject | string, JsonObject | string>;',
} as const;

export type TypeHelperName = keyof typeof TYPE_HELPERS;

/** Helpers a helper's own declaration refers to. */
export const HELPER_DEPENDENCIES: Partial<Record<TypeHelperName, TypeHelperName[]>> = {
  JsonValue: ['JsonArray', 'JsonObject', 'JsonPrimitive'],
  JsonArray: ['JsonValue'],
  JsonObject: ['JsonValue'],
  Json: ['JsonValue', 'JsonObject'],
};

interface PgBase {
  ts: string;
  uses?: TypeHelperName[];
  helper?: TypeHelperName;
  /** pg parses this type's array (pg-types registers its array OID); other arrays arrive as the literal text. */
  arrayParsed: boolean;
  /** The element type pg's array parser gives when it differs from the scalar's (numeric[] is parsed as floats). */
  arrayElement?: string;
}

const TEXT_ARRAY_PARSED: PgBase = { ts: 'string', arrayParsed: true };
const TEXT: PgBase = { ts: 'string', arrayParsed: false };

/** pg-types' text parsers, by pg_type.typname; a type not listed is returned as the server's text. */
export const PG_TYPES: Readonly<Record<string, PgBase>> = {
  int2: { ts: 'number', arrayParsed: true },
  int4: { ts: 'number', arrayParsed: true },
  oid: { ts: 'number', arrayParsed: true },
  int8: { ts: 'string', helper: 'Int8', arrayParsed: true },
  float4: { ts: 'number', arrayParsed: true },
  float8: { ts: 'number', arrayParsed: true },
  numeric: { ts: 'string', helper: 'Numeric', arrayParsed: true, arrayElement: 'number' },
  money: TEXT_ARRAY_PARSED,
  bool: { ts: 'boolean', arrayParsed: true },
  text: TEXT_ARRAY_PARSED,
  varchar: TEXT_ARRAY_PARSED,
  bpchar: TEXT_ARRAY_PARSED,
  uuid: TEXT_ARRAY_PARSED,
  inet: TEXT_ARRAY_PARSED,
  cidr: TEXT_ARRAY_PARSED,
  macaddr: TEXT_ARRAY_PARSED,
  time: TEXT_ARRAY_PARSED,
  timetz: TEXT_ARRAY_PARSED,
  numrange: TEXT_ARRAY_PARSED,
  date: { ts: 'Date', helper: 'Timestamp', arrayParsed: true },
  timestamp: { ts: 'Date', helper: 'Timestamp', arrayParsed: true },
  timestamptz: { ts: 'Date', helper: 'Timestamp', arrayParsed: true },
  interval: { ts: 'Interval', uses: ['Interval'], arrayParsed: true },
  bytea: { ts: 'Buffer', arrayParsed: true },
  json: { ts: 'JsonValue', uses: ['JsonValue'], helper: 'Json', arrayParsed: true },
  jsonb: { ts: 'JsonValue', uses: ['JsonValue'], helper: 'Json', arrayParsed: true },
  point: { ts: 'Point', uses: ['Point'], arrayParsed: true },
  circle: { ts: 'Circle', uses: ['Circle'], arrayParsed: false },
};

/** How a column of `model` reads in JavaScript. */
export function mapColumnType(model: SchemaModel, column: Column, options: TypeMappingOptions = {}): MappedType {
  return model.dialect === 'sqlite' ? mapSqlite(column.typeRef, options) : mapPostgres(model, column.typeRef, options);
}

function mapPostgres(model: SchemaModel, ref: TypeRef, options: TypeMappingOptions, seen = new Set<string>()): MappedType {
  const override = options.typeOverrides?.get(ref.name) ?? options.typeOverrides?.get(`${ref.schema}.${ref.name}`);
  // A type override means the app installed a parser for the type: its arrays are parsed too.
  if (override !== undefined) return { select: arrayOf(override, ref.arrayDimensions), helper: null, uses: [] };
  if (ref.arrayDimensions > 0) {
    // An array's element type is the array type's own OID on the wire: a domain or enum array is not
    // the base type's array, and pg has no parser for it.
    const base = ref.kind === 'base' ? PG_TYPES[ref.name] : undefined;
    if (!base?.arrayParsed) return { select: 'string', helper: null, uses: [] };
    return { select: arrayOf(base.arrayElement ?? base.ts, ref.arrayDimensions), helper: null, uses: base.uses ?? [] };
  }
  switch (ref.kind) {
    case 'enum':
      return { select: options.enumNames?.get(`${ref.schema}.${ref.name}`) ?? 'string', helper: null, uses: [] };
    case 'domain': {
      // PostgreSQL describes a domain's column with the domain's base type, so pg parses it as that.
      const domain = findDomain(model, ref);
      const key = `${ref.schema}.${ref.name}`;
      if (!domain || seen.has(key)) return { select: 'string', helper: null, uses: [] };
      seen.add(key);
      return mapPostgres(model, domain.typeRef, options, seen);
    }
    case 'pseudo':
      return { select: 'unknown', helper: null, uses: [] };
    case 'base': {
      const base = PG_TYPES[ref.name] ?? TEXT;
      return { select: base.ts, helper: base.helper ?? null, uses: base.uses ?? [] };
    }
    default:
      // Composite, range and multirange values arrive as the server's text.
      return { select: 'string', helper: null, uses: [] };
  }
}

/**
 * SQLite's affinity rules (https://www.sqlite.org/datatype3.html §3.1), in their order, on the
 * declared type; better-sqlite3 returns each value by its storage class, which the affinity decides
 * for every value the column converts. NUMERIC affinity is where that stops being one type: dates
 * kept as text stay text, so the usual date, time and JSON names are `string`.
 */
export function sqliteAffinity(declared: string): 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC' {
  const upper = declared.toUpperCase();
  if (upper.includes('INT')) return 'INTEGER';
  if (upper.includes('CHAR') || upper.includes('CLOB') || upper.includes('TEXT')) return 'TEXT';
  if (upper.includes('BLOB') || upper.trim() === '') return 'BLOB';
  if (upper.includes('REAL') || upper.includes('FLOA') || upper.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

const SQLITE_TEXT_NAMES = /^(DATE|DATETIME|TIME|TIMESTAMP|JSON|JSONB|UUID)\b/i;

function mapSqlite(ref: TypeRef, options: TypeMappingOptions): MappedType {
  // Declared types are free text: `datetime` overrides DATETIME and `varchar` VARCHAR(20).
  const declared = ref.name
    .replace(/\s*\(.*$/, '')
    .trim()
    .toLowerCase();
  const override = [...(options.typeOverrides ?? [])].find(([key]) => key.toLowerCase() === declared)?.[1];
  if (override !== undefined) return { select: override, helper: null, uses: [] };
  const integer = options.safeIntegers ? 'bigint' : 'number';
  if (ref.name.trim() === '' || /^ANY$/i.test(ref.name.trim())) return { select: 'unknown', helper: null, uses: [] };
  const select = {
    INTEGER: integer,
    TEXT: 'string',
    BLOB: 'Buffer',
    REAL: 'number',
    NUMERIC: SQLITE_TEXT_NAMES.test(ref.name.trim()) ? 'string' : integer === 'bigint' ? 'bigint | number' : 'number',
  }[sqliteAffinity(ref.name)];
  return { select, helper: null, uses: [] };
}

function arrayOf(element: string, dimensions: number): string {
  const wrapped = /^[\w.]+$/.test(element) ? element : `(${element})`;
  return dimensions === 0 ? element : wrapped + '[]'.repeat(dimensions);
}

function findDomain(model: SchemaModel, ref: TypeRef): DomainType | undefined {
  return model.types.find(
    (type): type is DomainType => type.kind === 'domain' && type.name === ref.name && type.schema === ref.schema,
  );
}
