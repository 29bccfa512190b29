import type { Connection } from '../../dialects/connection.js';
import type { DialectName } from '../../dialects/dialect.js';

/** The migration tools whose history `strata import --from TOOL` reads. */
export type ToolName =
  | 'diesel'
  | 'sqlx'
  | 'knex'
  | 'node-pg-migrate'
  | 'prisma'
  | 'drizzle'
  | 'typeorm'
  | 'flyway'
  | 'dbmate'
  | 'golang-migrate';

/**
 * One entry of another tool's history, in terms strata can match.
 * - `applied`: the tool finished it.
 * - `failed`: started and not finished, or finished with an error (golang-migrate `dirty`, Flyway
 *   `success = false`, an unresolved Prisma row, SQLx `success = false`, a knex lock left taken):
 *   import refuses while one is there, since nobody knows what the schema holds.
 * - `ignored`: the tool itself no longer counts it (a Prisma row marked rolled back, a Flyway
 *   schema-creation or deleted row): reported, never recorded.
 */
export interface ForeignEntry {
  /** The tool's own identifier for the entry, as people know it (a file name, a version, a hash). */
  key: string;
  state: 'applied' | 'failed' | 'ignored';
  /** The strata version the entry stands for, when the tool's key carries one. */
  version?: bigint;
  /** Drizzle: SHA-256 (hex) of the migration file, its only link to a file. */
  sha256?: string;
  /** golang-migrate keeps one row, the current version: every migration up to it was applied. */
  coversOlder?: boolean;
  /** What the tool recorded about the file's content, checked against strata's file when present. */
  checksum?: { sha384?: Uint8Array; sha256?: string };
  /** Why it failed or is ignored, or why it has no version. */
  detail?: string;
}

/** A tool's history table: where it keeps it, how to recognise it, how to read it. */
export interface ForeignTool {
  readonly name: ToolName;
  /** The table's name where the tool keeps it by default. */
  readonly table: string;
  /** The schema the tool uses by default, per database (drizzle: `drizzle` on PostgreSQL); else the usual one. */
  readonly schema?: Partial<Record<DialectName, string>>;
  /** The databases the tool supports. */
  readonly dialects: readonly DialectName[];
  /** Columns the tool's table always has: a table with all of them looks like this tool's. */
  readonly columns: readonly string[];
  /**
   * Columns the tool's table never has: a bare `version` column is dbmate's only while the table
   * has none of these (golang-migrate's `dirty`, strata's own `success`, ...).
   */
  readonly notColumns?: readonly string[];
  /** How an entry finds its strata migration: by the version its key carries, or by the file's SHA-256. */
  readonly matchBy: 'version' | 'sha256';
  /** The matching rule in one sentence, for help and reports. */
  readonly rule: string;
  /** How a person resolves a failed entry with the tool itself. */
  readonly resolveHint: string;
  /** Every entry, oldest first. */
  read(on: Connection, at: ForeignTableAt): Promise<ForeignEntry[]>;
}

/** Where a tool's table was found, ready for SQL. */
export interface ForeignTableAt {
  /** The table's own name, unquoted. */
  table: string;
  /** The table quoted and qualified with its schema. */
  qualified: string;
  /** Another table in the same schema, quoted and qualified (knex's lock table). */
  sibling(table: string): string;
  /** Runs a read that may meet a missing table: undefined then. */
  ifPresent<T>(read: () => Promise<T>): Promise<T | undefined>;
}

/** The version a name starts with (`20260601000001_create_users.js`, `1717171717171_users`), if any. */
export function leadingVersion(name: string): bigint | undefined {
  const match = /^(\d{1,18})(?:[_\-.]|$)/.exec(name);
  return match ? BigInt(match[1]!) : undefined;
}

/** A whole value of digits, whatever the driver made of it (string, number, bigint), as a version. */
export function digitsVersion(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^\d{1,18}$/.test(value.trim())) return BigInt(value.trim());
  return undefined;
}

/** Diesel keeps `2026-06-01-000001`, or the digits alone: strata's version is the digits. */
export function separatedVersion(value: unknown): bigint | undefined {
  const text = String(value ?? '');
  return /^[\d\-_.]+$/.test(text) && /\d/.test(text) ? digitsVersion(text.replace(/\D/g, '').slice(0, 18)) : undefined;
}

/** Booleans as PostgreSQL (true/false) and SQLite (1/0, as number or bigint) return them. */
export function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === 1n || value === '1' || value === 't' || value === 'true';
}

export function isNull(value: unknown): boolean {
  return value === null || value === undefined;
}
