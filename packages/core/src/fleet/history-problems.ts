import { futureMigrationsError } from '../future-migrations.js';
import type { MigrationStatus } from '../status.js';

/** Something wrong with one target's history, as `strata validate` reports it against a database. */
export interface HistoryProblem {
  code: 'MIGRATION_MODIFIED' | 'MIGRATION_DIRTY' | 'MIGRATION_MISSING' | 'MIGRATION_FUTURE' | 'MIGRATION_OUT_OF_ORDER';
  message: string;
  version: string;
  file?: string;
}

export interface HistoryTolerance {
  ignoreMissing?: boolean | undefined;
  allowOutOfOrder?: boolean | undefined;
  /** 'ignore' (or ignoreMissing) makes a future migration no problem. */
  future?: 'error' | 'ignore' | undefined;
}

/**
 * What would make a run refuse (modified, dirty, missing, future, out of order), found from the
 * status alone, so a fleet can be checked without taking any lock. A pending migration in order
 * is no problem: a run applies it.
 */
export function historyProblems(statuses: readonly MigrationStatus[], tolerance: HistoryTolerance): HistoryProblem[] {
  const newestInSource = statuses.reduce((newest, line) => (line.migration && line.version > newest ? line.version : newest), 0n);
  const problems: HistoryProblem[] = [];
  for (const line of statuses) {
    const version = String(line.version);
    const file = line.migration?.upFile;
    const where = file ? { file } : {};
    const at = file ? ` (${file})` : '';
    if (line.state === 'modified') {
      problems.push({
        code: 'MIGRATION_MODIFIED',
        message: `migration ${version}${at} was previously applied but has been modified`,
        version,
        ...where,
      });
    } else if (line.state === 'dirty') {
      problems.push({
        code: 'MIGRATION_DIRTY',
        message: `migration ${version}${at} is dirty (partially applied)`,
        version,
        ...where,
      });
    } else if (line.state === 'missing' && !tolerance.ignoreMissing) {
      problems.push({
        code: 'MIGRATION_MISSING',
        message: `migration ${version} was previously applied but is missing in the resolved migrations`,
        version,
      });
    } else if (line.state === 'future' && tolerance.future !== 'ignore' && !tolerance.ignoreMissing) {
      problems.push({
        code: 'MIGRATION_FUTURE',
        message: futureMigrationsError([line.version], newestInSource).message,
        version,
      });
    } else if (line.state === 'pending' && line.outOfOrder && !tolerance.allowOutOfOrder) {
      problems.push({
        code: 'MIGRATION_OUT_OF_ORDER',
        message: `migration ${version}${at} is pending but older than the newest applied migration (out of order)`,
        version,
        ...where,
      });
    }
  }
  return problems;
}
