import { findNearMisses } from '../source/directory-source.js';
import { describeNearMiss, type NearMiss } from '../source/near-misses.js';
import type { CommandContext } from './context.js';
import { printable } from './format.js';

/** The skipped entries that are not near misses, for the plain "ignored" warning. */
export function plainIgnored(ignored: readonly string[], nearMisses: readonly NearMiss[]): string[] {
  const named = new Set(nearMisses.map((miss) => miss.entry));
  return ignored.filter((entry) => !named.has(entry));
}

/**
 * Before a command works from the migrations directory, a warning on stderr for each entry named
 * like a migration that it will not read (`0001_a.SQL`): such a migration would otherwise never
 * run, without a word. The engine reads the directory itself; this only lists it.
 */
export function warnAboutNearMisses(context: CommandContext): void {
  let misses: NearMiss[];
  try {
    misses = findNearMisses(context.config.sourcePath);
  } catch {
    // The command's own read of the directory reports what is wrong with it, as an error.
    return;
  }
  for (const miss of misses) context.out.warn(printable(describeNearMiss(miss, context.config.source)));
}
