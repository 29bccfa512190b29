import { createHash } from 'node:crypto';
import { matchChecksum } from '../checksum.js';
import { StrataError } from '../errors.js';
import type { HistoryEntry } from '../history/history-entry.js';
import type { Migration } from '../migration.js';
import type { AdoptionReport, RecordedMigration } from './adoption.js';
import type { ForeignEntry, ForeignTool, ToolName } from './tools/tool.js';

export interface ImportOptions {
  /** The tool whose history to read. */
  from: ToolName;
  /** Only say what would be recorded. */
  dryRun?: boolean;
  /** The tool's table, when not where the tool keeps it by default. */
  table?: string;
  /** The schema (PostgreSQL) or attached database (SQLite) of the tool's table. */
  schema?: string;
}

/** A foreign entry and the strata migration it stands for. */
export interface ImportMatch extends RecordedMigration {
  /** The tool's key; for migrations a golang-migrate version or Flyway baseline covers, that entry's. */
  key: string;
}

export interface ForeignNote {
  key: string;
  reason: string;
}

/** What `importHistory` read, matched and recorded (or, with `dryRun`, would record). */
export interface ImportReport extends AdoptionReport {
  from: ToolName;
  /** The foreign table as read, `schema.table`. */
  table: string;
  /** Every strata migration the foreign history holds, in version order. */
  matched: ImportMatch[];
  /** Applied foreign entries with no strata migration: they stay unknown to strata. */
  unmatchedForeign: ForeignNote[];
  /** strata migrations older than the newest matched one that the foreign history lacks: left pending. */
  unmatchedSource: RecordedMigration[];
  /** Matched, but the tool's checksum of the file differs from strata's file (SQLx, Prisma): recorded with strata's. */
  modified: ForeignNote[];
  /** Entries the tool itself no longer counts (rolled back, repeatable, bookkeeping). */
  ignored: ForeignNote[];
}

export interface ImportPlan {
  record: Migration[];
  alreadyApplied: bigint[];
  matched: ImportMatch[];
  unmatchedForeign: ForeignNote[];
  unmatchedSource: Migration[];
  modified: ForeignNote[];
  ignored: ForeignNote[];
}

/**
 * Matches a tool's entries to strata's migrations by the tool's rule, and picks what to record:
 * every matched migration strata's history lacks. Refuses an entry the tool left failed or
 * unfinished (nobody knows what the schema holds), and a dirty row in strata's own history.
 */
export function planImport(
  tool: ForeignTool,
  foreignTable: string,
  entries: readonly ForeignEntry[],
  migrations: readonly Migration[],
  history: readonly HistoryEntry[],
  historyTable: string,
): ImportPlan {
  const failed = entries.filter((entry) => entry.state === 'failed');
  if (failed.length > 0) {
    const listed = failed.map((entry) => `${entry.key}${entry.detail ? ` (${entry.detail})` : ''}`).join('; ');
    throw new StrataError(
      'FOREIGN_HISTORY_DIRTY',
      `${foreignTable} holds ${failed.length} unfinished or failed ${tool.name} migration(s): ${listed}. ` +
        `What the schema holds of ${failed.length === 1 ? 'it' : 'them'} is unknown, so nothing was imported. ` +
        `Resolve ${failed.length === 1 ? 'it' : 'them'} with ${tool.name} first: ${tool.resolveHint}; then run the import again`,
      { table: foreignTable, tool: tool.name, failed: failed.map((entry) => entry.key) },
    );
  }
  const dirty = history.find((entry) => !entry.success);
  if (dirty) {
    throw new StrataError(
      'MIGRATION_DIRTY',
      `migration ${dirty.version} is partially applied in ${historyTable}; resolve it first (\`strata resolve ${dirty.version} --applied\` or \`--rolled-back\`), then import`,
      { version: String(dirty.version), table: historyTable },
    );
  }

  const byVersion = new Map(migrations.map((migration) => [migration.version, migration]));
  const bySha256 = tool.matchBy === 'sha256' ? new Map(migrations.map((m) => [sha256(m.up), m])) : undefined;
  const matched = new Map<bigint, { key: string; migration: Migration }>();
  const unmatchedForeign: ForeignNote[] = [];
  const modified: ForeignNote[] = [];
  const ignored: ForeignNote[] = [];

  for (const entry of entries) {
    if (entry.state === 'ignored') {
      ignored.push({ key: entry.key, reason: entry.detail ?? 'not counted by the tool' });
      continue;
    }
    const migration = bySha256
      ? entry.sha256 === undefined
        ? undefined
        : bySha256.get(entry.sha256)
      : entry.version === undefined
        ? undefined
        : byVersion.get(entry.version);
    if (!migration) {
      unmatchedForeign.push({ key: entry.key, reason: entry.detail ?? noMigrationReason(tool, entry) });
      continue;
    }
    matched.set(migration.version, { key: entry.key, migration });
    if (entry.coversOlder) {
      for (const older of migrations) {
        if (older.version < migration.version && !matched.has(older.version)) {
          matched.set(older.version, { key: entry.key, migration: older });
        }
      }
    }
    const differs = checksumDiffers(entry, migration);
    if (differs) modified.push({ key: entry.key, reason: differs });
  }

  const chosen = [...matched.values()].sort((a, b) => compare(a.migration.version, b.migration.version));
  const newest = chosen.at(-1)?.migration.version;
  const applied = new Set(history.map((entry) => entry.version));
  return {
    record: chosen.map(({ migration }) => migration).filter((migration) => !applied.has(migration.version)),
    alreadyApplied: chosen.map(({ migration }) => migration.version).filter((version) => applied.has(version)),
    matched: chosen.map(({ key, migration }) => ({ key, version: migration.version, description: migration.description })),
    unmatchedForeign,
    unmatchedSource:
      newest === undefined ? [] : migrations.filter((migration) => migration.version < newest && !matched.has(migration.version)),
    modified,
    ignored,
  };
}

function noMigrationReason(tool: ForeignTool, entry: ForeignEntry): string {
  if (tool.matchBy === 'sha256')
    return 'no strata migration file has this SHA-256 (the file was changed, or is not among the migrations)';
  return `no strata migration has version ${entry.version}`;
}

/** The tool's own record of the file, where it keeps one, against strata's file. */
function checksumDiffers(entry: ForeignEntry, migration: Migration): string | undefined {
  const { sha384, sha256: recorded } = entry.checksum ?? {};
  if (sha384 && matchChecksum(sha384, migration.up, migration.checksum) === 'different') {
    return `the file differs from what was applied (SHA-384 ${Buffer.from(sha384).toString('hex').slice(0, 16)}…)`;
  }
  if (recorded && recorded !== sha256(migration.up) && recorded !== sha256(migration.up.replace(/\r\n/g, '\n'))) {
    return `the file differs from what was applied (SHA-256 ${recorded.slice(0, 16)}…)`;
  }
  return undefined;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
