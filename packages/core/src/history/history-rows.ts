import type { Connection } from '../dialects/connection.js';
import type { Dialect, HistoryTableName } from '../dialects/dialect.js';
import { isStrataError, StrataError } from '../errors.js';
import type { HistoryEntry, HistoryRow } from './history-entry.js';

const CHECKSUM_BYTES = 48;

/**
 * Turns a raw history row into a typed one, refusing what strata cannot trust: a history edited
 * by hand or by another tool must stop the run with HISTORY_CORRUPT naming the row, not crash
 * with a TypeError or pass as a "modified" migration.
 */
export function toHistoryEntry(raw: { version: unknown; success: unknown; checksum: unknown }, table: string): HistoryEntry {
  const version = toBigInt(raw.version);
  if (version === undefined) {
    throw corrupt(table, `a row has version ${JSON.stringify(String(raw.version))}, which is not an integer`, undefined);
  }
  const success = toBoolean(raw.success);
  if (success === undefined) {
    throw corrupt(table, `the row of version ${version} has success = ${String(raw.success)}, which is not a boolean`, version);
  }
  const checksum = raw.checksum;
  if (!(checksum instanceof Uint8Array) || checksum.byteLength !== CHECKSUM_BYTES) {
    const size = checksum instanceof Uint8Array ? `${checksum.byteLength} bytes` : String(checksum);
    throw corrupt(
      table,
      `the row of version ${version} has a checksum of ${size}; a SHA-384 checksum is ${CHECKSUM_BYTES} bytes`,
      version,
    );
  }
  return { version, success, checksum };
}

export function toHistoryRow(
  raw: {
    version: unknown;
    success: unknown;
    checksum: unknown;
    description: unknown;
    installed_on: unknown;
    execution_time: unknown;
  },
  table: string,
): HistoryRow {
  const entry = toHistoryEntry(raw, table);
  return {
    ...entry,
    description: raw.description === null || raw.description === undefined ? '' : String(raw.description),
    installedOn: toDate(raw.installed_on),
    executionTimeNs: toBigInt(raw.execution_time) ?? 0n,
  };
}

/** Wraps a failure to read or write the history table itself (a column missing, a type changed). */
export function historyUnusable(table: string, cause: unknown): StrataError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | null)?.code;
  return new StrataError(
    'HISTORY_CORRUPT',
    `the history table ${table} cannot be used: ${reason}. It must have SQLx's columns (version, description, installed_on, success, checksum, execution_time)`,
    { table, ...(typeof code === 'string' ? { databaseCode: code } : {}) },
    { cause },
  );
}

export function corrupt(table: string, what: string, version: bigint | undefined): StrataError {
  return new StrataError(
    'HISTORY_CORRUPT',
    `the history table ${table} holds a row strata cannot trust: ${what}. Repair or remove that row by hand`,
    { table, ...(version !== undefined ? { version: String(version) } : {}) },
  );
}

function toBigInt(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}

function toBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 1n || value === 1) return true;
  if (value === false || value === 0n || value === 0) return false;
  return undefined;
}

export function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value);
  // SQLite's CURRENT_TIMESTAMP is UTC without a zone marker.
  return new Date(/[zZ+]|-\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

/** Creates a history table, turning a refusal (no privilege, a read-only connection) into HISTORY_UNWRITABLE. */
export async function ensureOrExplain(dialect: Dialect, table: string, create: () => Promise<void>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (isStrataError(error) || dialect.isTransient(error)) throw error;
    const { code } = dialect.describeFailure(error);
    throw new StrataError(
      'HISTORY_UNWRITABLE',
      `the history table ${table} cannot be created: ${error instanceof Error ? error.message : String(error)}${code ? ` [${code}]` : ''}. ` +
        'Migrate as a role that may create it, on a writable connection (not a read-only replica or transaction)',
      { table, ...(code ? { databaseCode: code } : {}) },
      { cause: error },
    );
  }
}

/**
 * A read of the history table: undefined while the table does not exist, HISTORY_CORRUPT when a
 * column is missing — or FOREIGN_HISTORY when the table is another tool's (knex_migrations,
 * flyway_schema_history, ...), which is not corrupt but someone else's.
 */
export async function readIfPresent<T>(
  on: Connection,
  table: { dialect: Dialect; name: HistoryTableName; displayName: string },
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (table.dialect.isMissingTable(error)) return undefined;
    const unusable = table.dialect.isMissingColumn(error) ? historyUnusable(table.displayName, error) : error;
    // Rows that are not strata's (a checksum that is an integer) may be another tool's too.
    if (isStrataError(unusable, 'HISTORY_CORRUPT')) {
      // The other tools' table shapes load only on this error path, not with every run.
      const { foreignHistoryOr } = await import('../adopt/foreign-history.js');
      throw await foreignHistoryOr(on, table.dialect, table.name, unusable);
    }
    throw unusable;
  }
}
