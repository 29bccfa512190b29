import type { Connection } from '../dialects/connection.js';
import type { Step } from '../engine/step.js';
import { StrataError } from '../errors.js';
import type { Migration } from '../migration.js';
import type { HistoryEntry, HistoryRow, HistorySummary } from './history-entry.js';
import { corrupt, ensureOrExplain, readIfPresent, toDate } from './history-rows.js';
import type { BookkeepingStatement, HistoryStore } from './history-store.js';
import { HistoryTable } from './history-table.js';
import { Parameters } from './parameters.js';
import type { Resolution } from './resolutions.js';

/** Where Diesel keeps its history. */
export const DIESEL_TABLE = '__diesel_schema_migrations';

/**
 * Diesel's history table, shared with a Rust service using Diesel: one row per applied migration,
 * its version as text and when it ran — no description, no checksum, no duration, no success flag.
 * So under it strata cannot detect an edited migration file, and a non-transactional migration
 * that stops part-way leaves no row (the next run starts it again from its first statement), as
 * with Diesel itself. Diesel takes no lock: strata's advisory lock excludes other strata runners
 * only, and two tools migrating at the same moment must be avoided by deployment order.
 */
export class DieselHistoryStore extends HistoryTable implements HistoryStore {
  readonly keepsChecksums = false;
  readonly keepsDirtyRows = false;

  async ensure(on: Connection): Promise<void> {
    // Exactly the table Diesel creates (diesel_migrations, setup_migration_table.sql), so whichever tool runs first makes it.
    const ddl = `CREATE TABLE IF NOT EXISTS ${this.qualified} (
       version VARCHAR(50) PRIMARY KEY NOT NULL,
       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
     )`;
    await ensureOrExplain(this.dialect, this.displayName, () => this.dialect.ensureHistoryTable(on, this.name, ddl));
  }

  async rows(on: Connection): Promise<HistoryRow[] | undefined> {
    const result = await readIfPresent(on, this, () => on.query(`SELECT version, run_on FROM ${this.qualified}`));
    return result?.rows
      .map((row) => ({
        version: this.#version(row.version),
        success: true,
        checksum: undefined,
        description: '',
        installedOn: toDate(row.run_on),
        executionTimeNs: undefined,
      }))
      .sort(byVersion);
  }

  async entries(on: Connection): Promise<HistoryEntry[] | undefined> {
    const rows = await readIfPresent(on, this, () => on.values(`SELECT version FROM ${this.qualified}`));
    return rows?.map(([version]) => ({ version: this.#version(version), success: true, checksum: undefined })).sort(byVersion);
  }

  /** Nothing to fold without checksums: the no-op check reads the versions instead (one more small query). */
  async summary(): Promise<HistorySummary | undefined> {
    return undefined;
  }

  stepRow(migration: Migration): BookkeepingStatement {
    return {
      sql: `SELECT 1 FROM ${this.qualified} WHERE version = ${this.dialect.placeholder(1)}`,
      params: [dieselVersion(migration)],
    };
  }

  /** Diesel's table has no dirty rows: a row means applied. */
  stepRowState(rows: readonly unknown[][]): 'applied' | 'dirty' | undefined {
    return rows.length > 0 ? 'applied' : undefined;
  }

  finished(step: Step): BookkeepingStatement {
    const p = this.dialect.placeholder(1);
    const sql =
      step.direction === 'down'
        ? `DELETE FROM ${this.qualified} WHERE version = ${p}`
        : `INSERT INTO ${this.qualified} (version) VALUES (${p})`;
    return { sql, params: [dieselVersion(step.migration)] };
  }

  finishedLiteral(step: Step): string {
    const version = this.dialect.textLiteral(dieselVersion(step.migration));
    return step.direction === 'down'
      ? `DELETE FROM ${this.qualified} WHERE version = ${version}`
      : `INSERT INTO ${this.qualified} (version) VALUES (${version})`;
  }

  /** The table has no way to say "started": the row is written only once the step finished, as Diesel does. */
  async markStarted(): Promise<void> {}

  async markFinished(on: Connection, step: Step): Promise<void> {
    const { sql, params } = this.finished(step);
    await on.query(sql, params);
  }

  async resolve(_on: Connection, version: bigint): Promise<void> {
    throw new StrataError(
      'NOT_FOUND',
      `${this.displayName} (Diesel's table) keeps no dirty rows, so migration ${version} has nothing to resolve`,
      { version: String(version), table: this.displayName },
    );
  }

  async repair(_on: Connection, migration: Migration): Promise<void> {
    throw new StrataError(
      'NOT_SUPPORTED',
      `${this.displayName} (Diesel's table) keeps no checksums, so migration ${migration.version} has nothing to repair`,
      { version: String(migration.version), table: this.displayName },
    );
  }

  async recordApplied(on: Connection, migrations: readonly Migration[], resolution: Resolution, reason?: string): Promise<void> {
    await this.audit.transaction(on, async () => {
      for (const migration of migrations) {
        const params = new Parameters(this.dialect);
        await on.query(`INSERT INTO ${this.qualified} (version) VALUES (${params.add(dieselVersion(migration))})`, params.values);
        await this.audit.recorded(on, migration, resolution, reason);
      }
    });
  }

  #version(raw: unknown): bigint {
    const text = String(raw);
    if (!/^\d{1,19}$/.test(text)) {
      throw corrupt(
        this.displayName,
        `a row has version ${JSON.stringify(text)}, which is not a migration version strata can read`,
        undefined,
      );
    }
    return BigInt(text);
  }
}

/**
 * The version Diesel records for a migration: its directory name up to the first `_`, with `-`
 * removed (`2026-06-01-000001_create_users` → `20260601000001`; Diesel's own
 * `00000000000000_diesel_initial_setup` keeps its zeros). Without a file name, the number.
 */
export function dieselVersion(migration: Migration): string {
  const name = migration.upFile?.split(/[\\/]/)[0];
  const prefix = name?.split('_')[0]?.replace(/-/g, '');
  return prefix && /^\d+$/.test(prefix) && BigInt(prefix) === migration.version ? prefix : String(migration.version);
}

function byVersion(a: { version: bigint }, b: { version: bigint }): number {
  return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
}
