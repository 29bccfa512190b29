import { userInfo } from 'node:os';
import type { Connection } from '../dialects/connection.js';
import type { Dialect, HistoryTableName } from '../dialects/dialect.js';
import type { Migration } from '../migration.js';
import { Parameters, qualifiedTable } from './parameters.js';

/**
 * Every change strata makes to the history other than a run's own rows — `resolve`, `repair`,
 * `baseline`, `import` — is first written to `<table>_resolutions` beside the history table, in
 * the same transaction, with what was chosen, when and by whom, so that no change to the history
 * is ever silent. SQLx and Diesel ignore the extra table.
 */
export function resolutionsTableName(table: string): string {
  return `${table}_resolutions`;
}

/** What a row of the audit table records was done: applied, rolled-back, repaired, baseline, imported from <tool>. */
export type Resolution = 'applied' | 'rolled-back' | 'repaired' | 'baseline' | `imported from ${string}`;

/** Columns added after the table first shipped: added in place to an older table. */
const LATER_COLUMNS = ['new_checksum', 'reason'] as const;

/** The audit table beside one history table, and the one transaction every audited change runs in. */
export class AuditTrail {
  readonly #dialect: Dialect;
  readonly qualified: string;

  constructor(dialect: Dialect, history: HistoryTableName) {
    this.#dialect = dialect;
    this.qualified = qualifiedTable(dialect, history.schema, resolutionsTableName(history.table));
  }

  /** Runs an audited change in one transaction, after making sure the audit table exists. */
  async transaction(on: Connection, change: () => Promise<void>): Promise<void> {
    await this.#ensure(on);
    await on.begin();
    try {
      await change();
      await on.commit();
    } catch (error) {
      await on.rollback().catch(() => {});
      throw error;
    }
  }

  /** An audit row for a migration recorded without a prior history row (baseline, import). */
  async recorded(on: Connection, migration: Migration, resolution: Resolution, reason: string | undefined): Promise<void> {
    const params = new Parameters(this.#dialect);
    const row = [
      params.add(migration.version),
      params.add(migration.description),
      params.add(resolution),
      this.resolvedBy(params),
      this.#dialect.types.timestampDefault,
      params.add(migration.checksum),
      params.add(reason ?? null),
    ];
    await on.query(
      `INSERT INTO ${this.qualified} (version, description, resolution, resolved_by, started_on, checksum, reason) VALUES (${row.join(', ')})`,
      params.values,
    );
  }

  /** Who made the change: the database user where there is one; SQLite records the operating-system user. */
  resolvedBy(params: Parameters): string {
    return this.#dialect.currentUserSql ?? params.add(osUser());
  }

  /**
   * Creates the table, or brings one made by an older strata up to date. Runs under the run lock
   * and outside any transaction: probing for a column fails, and a failed statement would abort
   * a PostgreSQL transaction.
   */
  async #ensure(on: Connection): Promise<void> {
    const { types } = this.#dialect;
    await on.exec(`CREATE TABLE IF NOT EXISTS ${this.qualified} (
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
      const present = await on.values(`SELECT ${column} FROM ${this.qualified} WHERE 1 = 0`).then(
        () => true,
        (error: unknown) => {
          if (this.#dialect.isMissingColumn(error)) return false;
          throw error;
        },
      );
      if (!present)
        await on.exec(`ALTER TABLE ${this.qualified} ADD COLUMN ${column} ${column === 'reason' ? 'TEXT' : types.bytes}`);
    }
  }
}

function osUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}
