import { isStrataError, StrataError } from '../errors.js';
import type { HistoryEntry } from '../history/history-entry.js';
import type { Migration } from '../migration.js';

export interface BaselineOptions {
  /** The newest migration the database already holds: it and every older one are recorded as applied. */
  version: bigint | string | number;
  /** Only say what would be recorded. */
  dryRun?: boolean;
  /**
   * Where strata's history already has rows, record only the migrations up to `version` it lacks
   * and leave the rows there alone. Default false: a history with any row is refused, since
   * baselining is for a database strata has not migrated yet.
   */
  skipApplied?: boolean;
}

/**
 * The migrations a baseline records: every one of the source up to `version` that the history
 * does not hold. Refuses a version the source does not have (a typo would record the wrong set),
 * a dirty row (its state is unknown), and a history that is not empty unless `skipApplied`.
 */
export function planBaseline(
  migrations: readonly Migration[],
  history: readonly HistoryEntry[],
  version: bigint,
  skipApplied: boolean,
  historyTable: string,
): { record: Migration[]; alreadyApplied: bigint[] } {
  if (!migrations.some((migration) => migration.version === version)) {
    throw new StrataError(
      'TARGET_NOT_FOUND',
      `migration ${version} is not in the migration source; baseline takes the version of the newest migration the database already holds (see \`strata info\`)`,
      { version: String(version) },
    );
  }
  const dirty = history.find((entry) => !entry.success);
  if (dirty) {
    throw new StrataError(
      'MIGRATION_DIRTY',
      `migration ${dirty.version} is partially applied in ${historyTable}; resolve it first (\`strata resolve ${dirty.version} --applied\` or \`--rolled-back\`), then baseline`,
      { version: String(dirty.version), table: historyTable },
    );
  }
  if (history.length > 0 && !skipApplied) {
    const shown = history.slice(0, 5).map((entry) => String(entry.version));
    throw new StrataError(
      'HISTORY_NOT_EMPTY',
      `${historyTable} already records ${history.length} applied migration(s) (${shown.join(', ')}${history.length > 5 ? ', …' : ''}): ` +
        'baseline is for a database strata has not migrated yet. To record only the migrations up to ' +
        `${version} that it lacks, pass skipApplied / --skip-applied`,
      { table: historyTable, applied: history.length },
    );
  }
  const applied = new Set(history.map((entry) => entry.version));
  const upTo = migrations.filter((migration) => migration.version <= version);
  return {
    record: upTo.filter((migration) => !applied.has(migration.version)),
    alreadyApplied: upTo.filter((migration) => applied.has(migration.version)).map((migration) => migration.version),
  };
}

/**
 * The first migration of a run on an empty history failed because what it creates already
 * exists: the database was built before strata. Say how to adopt it instead of leaving the
 * database's raw "already exists".
 */
export function withAdoptionHint(error: unknown): unknown {
  if (!isStrataError(error, 'MIGRATION_FAILED')) return error;
  // Where DDL commits itself (MySQL) the step's row was written first and is left dirty: baseline refuses a dirty row.
  const clearFirst =
    error.details.dirty === true
      ? `Clear the row this attempt left dirty with \`strata resolve ${error.details.version} --rolled-back\`, then record`
      : 'Record';
  return new StrataError(
    error.code,
    `${error.message}\n  strata's history is empty, but the database already holds what this migration creates: it was built by hand or by another tool. ` +
      `${clearFirst} the migrations it already holds with \`strata baseline --version V\` (V: the newest of them), ` +
      "or read another tool's history with `strata import --from TOOL`; then `strata run` applies only the newer ones.",
    { ...error.details, adopt: 'baseline' },
    { cause: error.cause },
  );
}
