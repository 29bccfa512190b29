import { matchChecksum } from './checksum.js';
import type { HistoryEntry, HistoryRow } from './history/history-entry.js';
import type { Migration } from './migration.js';
import { compareVersions } from './version.js';

/**
 * `missing`: applied, absent from the source, and older than its newest migration (a gap).
 * `future`: applied, absent from the source, and newer than every migration in it: a newer
 * release applied it (see the `future` option). A dirty row is `dirty` either way.
 */
export type MigrationState = 'applied' | 'pending' | 'modified' | 'missing' | 'future' | 'dirty';

/**
 * One line of `status()`: a migration from the source, the history, or both. `history` is the
 * whole row from `status()`; the run path works from the three columns it needs.
 */
export interface MigrationStatus<H extends HistoryEntry = HistoryRow> {
  version: bigint;
  description: string;
  state: MigrationState;
  /** The migration as the source has it; absent for `missing` and `future`. */
  migration?: Migration;
  /** The history row; absent for `pending`. */
  history?: H;
  /** Applied, and the file differs from what was applied only in CRLF vs LF line endings. */
  lineEndingsOnly: boolean;
  /** Pending, yet older than the newest applied migration. */
  outOfOrder: boolean;
}

/** Joins the source with the history: the one place that decides each migration's state. */
export function computeStatus<H extends HistoryEntry>(
  migrations: readonly Migration[],
  history: readonly H[],
): MigrationStatus<H>[] {
  const applied = new Map(history.map((row) => [row.version, row]));
  const newestApplied = history.reduce<bigint | undefined>(
    (max, row) => (max === undefined || row.version > max ? row.version : max),
    undefined,
  );
  const lines: MigrationStatus<H>[] = [];
  const known = new Set<bigint>();
  let newestKnown: bigint | undefined;
  for (const migration of migrations) {
    known.add(migration.version);
    if (newestKnown === undefined || migration.version > newestKnown) newestKnown = migration.version;
    const row = applied.get(migration.version);
    if (!row) {
      lines.push({
        version: migration.version,
        description: migration.description,
        state: 'pending',
        migration,
        lineEndingsOnly: false,
        outOfOrder: newestApplied !== undefined && migration.version < newestApplied,
      });
      continue;
    }
    // A history without checksums (Diesel's table) cannot tell an edited file: it counts as applied.
    const match = row.checksum ? matchChecksum(row.checksum, migration.up, migration.checksum) : undefined;
    lines.push({
      version: migration.version,
      description: migration.description,
      state: !row.success ? 'dirty' : match === 'different' ? 'modified' : 'applied',
      migration,
      history: row,
      lineEndingsOnly: match === 'line-endings',
      outOfOrder: false,
    });
  }
  for (const row of history) {
    if (known.has(row.version)) continue;
    lines.push({
      version: row.version,
      description: 'description' in row ? String(row.description) : '',
      // An empty source makes nothing future: that is a packaging mistake (MIGRATIONS_NOT_BUNDLED).
      state: !row.success ? 'dirty' : newestKnown !== undefined && row.version > newestKnown ? 'future' : 'missing',
      history: row,
      lineEndingsOnly: false,
      outOfOrder: false,
    });
  }
  return lines.sort((a, b) => compareVersions(a.version, b.version));
}
