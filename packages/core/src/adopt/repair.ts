import { matchChecksum, toHex } from '../checksum.js';
import { StrataError } from '../errors.js';
import type { HistoryEntry } from '../history/history-entry.js';
import type { Migration } from '../migration.js';

export interface RepairOptions {
  /** The applied migration whose file was changed on purpose. */
  version: bigint | string | number;
  /** Why, kept in the audit table beside the old and new checksums. */
  reason?: string;
  /** Only say what would change. */
  dryRun?: boolean;
}

export interface RepairReport {
  version: bigint;
  dryRun: boolean;
  /** False when the recorded checksum already matches the file: nothing was (or would be) written. */
  changed: boolean;
  /** Hex SHA-384 checksums: as recorded before, and as the file is now. */
  previousChecksum: string;
  checksum: string;
}

/** The repair of one migration: it must be in the source and applied cleanly. */
export function planRepair(
  migrations: readonly Migration[],
  history: readonly HistoryEntry[],
  version: bigint,
  historyTable: string,
): { migration: Migration; entry: HistoryEntry; changed: boolean } {
  const migration = migrations.find((candidate) => candidate.version === version);
  if (!migration) {
    throw new StrataError(
      'TARGET_NOT_FOUND',
      `migration ${version} is not in the migration source; repair re-records the checksum of a migration file that exists`,
      { version: String(version) },
    );
  }
  const entry = history.find((candidate) => candidate.version === version);
  if (!entry) {
    throw new StrataError(
      'NOT_FOUND',
      `migration ${version} is not applied in ${historyTable}; there is nothing to repair (\`strata run\` applies it)`,
      { version: String(version), table: historyTable },
    );
  }
  if (!entry.success) {
    throw new StrataError(
      'MIGRATION_DIRTY',
      `migration ${version} is partially applied in ${historyTable}; repair is for an applied migration whose file changed. Use \`strata resolve ${version} --applied\` or \`--rolled-back\``,
      { version: String(version), table: historyTable },
    );
  }
  return { migration, entry, changed: matchChecksum(entry.checksum, migration.up, migration.checksum) === 'different' };
}

export function repairReport(plan: ReturnType<typeof planRepair>, dryRun: boolean): RepairReport {
  return {
    version: plan.migration.version,
    dryRun,
    changed: plan.changed,
    previousChecksum: toHex(plan.entry.checksum),
    checksum: toHex(plan.migration.checksum),
  };
}
