import type { Connection } from '../dialects/connection.js';
import type { Dialect } from '../dialects/dialect.js';

/**
 * Every change strata makes to the history other than a run's own rows — `resolve`, `repair`,
 * `baseline`, `import` — is first written to `<table>_resolutions` beside the history table, in
 * the same transaction, with what was chosen, when and by whom, so that no change to the history
 * is ever silent. SQLx and Diesel ignore the extra table.
 */
export function resolutionsTableName(table: string): string {
  return `${table}_resolutions`;
}

/** What a row of the audit table records. `resolution` is what was done: applied, rolled-back, repaired, baseline, imported from <tool>. */
export type Resolution = 'applied' | 'rolled-back' | 'repaired' | 'baseline' | `imported from ${string}`;

/** Columns added after the table first shipped, with their types: added in place to an older table. */
const LATER_COLUMNS = ['new_checksum', 'reason'] as const;

/**
 * Creates the audit table, or brings one made by an older strata up to date. Called under the run
 * lock and outside any transaction: probing for a column fails, and a failed statement would
 * abort a PostgreSQL transaction.
 */
export async function ensureResolutionsTable(on: Connection, dialect: Dialect, qualified: string): Promise<void> {
  const { types } = dialect;
  await on.exec(`CREATE TABLE IF NOT EXISTS ${qualified} (
    version BIGINT NOT NULL,
    description TEXT NOT NULL,
    resolution TEXT NOT NULL,
    resolved_on ${types.timestamp} NOT NULL DEFAULT ${types.timestampDefault},
    resolved_by TEXT,
    started_on ${types.timestamp} NOT NULL,
    checksum ${types.bytes} NOT NULL,
    new_checksum ${types.bytes},
    reason TEXT
  )`);
  for (const column of LATER_COLUMNS) {
    const present = await on.values(`SELECT ${column} FROM ${qualified} WHERE 1 = 0`).then(
      () => true,
      (error: unknown) => {
        if (dialect.isMissingColumn(error)) return false;
        throw error;
      },
    );
    if (!present) await on.exec(`ALTER TABLE ${qualified} ADD COLUMN ${column} ${column === 'reason' ? 'TEXT' : types.bytes}`);
  }
}
