import { fileURLToPath } from 'node:url';
import { StrataError } from '../errors.js';
import type { Migration, MigrationInput } from '../migration.js';
import { readMigrationsDirectory } from './directory-source.js';
import type { NearMiss } from './near-misses.js';
import { migrationsFromValues } from './value-source.js';

/** What `strata embed` and the bundler plugin produce: the migrations plus a digest of the set. */
export interface EmbeddedMigrations {
  readonly migrations: readonly MigrationInput[];
  readonly digest?: string;
  /**
   * The history table's summary digest once every one of `migrations` is applied (see
   * HistorySummary). Given, a boot's no-op check compares it and builds no migrations; a value
   * that does not match the history just sends the run down the full path, which checks everything.
   */
  readonly historyDigest?: string;
}

/** Where migrations come from: a directory read at run time, values, or an embedded manifest. */
export type MigrationSource = string | URL | readonly MigrationInput[] | EmbeddedMigrations;

export interface ResolvedSource {
  migrations: Migration[];
  /** Entries of a directory that were skipped, for a warning. */
  ignored: string[];
  /** Of those, the ones named like a migration (see DirectorySource): each deserves a warning. */
  nearMisses: NearMiss[];
  description: string;
}

/** The count and history digest an embedded module states, so the no-op check needs nothing else. */
export function statedSummary(source: MigrationSource): { count: number; digest: string } | undefined {
  if (typeof source !== 'object' || source === null || Array.isArray(source) || source instanceof URL) return undefined;
  const { migrations, historyDigest } = source as EmbeddedMigrations;
  return Array.isArray(migrations) && typeof historyDigest === 'string'
    ? { count: migrations.length, digest: historyDigest }
    : undefined;
}

export async function resolveSource(source: MigrationSource): Promise<ResolvedSource> {
  if (typeof source === 'string' || source instanceof URL) {
    const directory = typeof source === 'string' ? source : fileURLToPath(source);
    const read = await readMigrationsDirectory(directory);
    const { migrations, ignored, nearMisses } = read;
    return { migrations, ignored, nearMisses, description: `directory ${directory}` };
  }
  if (Array.isArray(source))
    return { migrations: migrationsFromValues(source), ignored: [], nearMisses: [], description: 'values' };
  const embedded = source as EmbeddedMigrations;
  if (embedded && Array.isArray(embedded.migrations)) {
    return {
      migrations: migrationsFromValues(embedded.migrations),
      ignored: [],
      nearMisses: [],
      description: 'embedded migrations',
    };
  }
  throw new StrataError(
    'INVALID_OPTIONS',
    'migrations must be a directory path, an array of migrations, or the module `strata embed` generates',
  );
}
