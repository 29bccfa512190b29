import type { Migration } from '../migration.js';
import { type LexerOptions, splitStatements } from '../sql/split-statements.js';

/**
 * The line that says a migration is irreversible on purpose, so the reversibility check accepts
 * its empty (or missing) down instead of calling it broken. Written as a comment so that every
 * tool that runs the file, SQLx and Diesel included, ignores it.
 */
export const IRREVERSIBLE_MARKER = '-- strata:irreversible';

const MARKER_LINE = /^[ \t]*--[ \t]*strata:irreversible\b/im;

/** What the down script says about itself before anything runs. */
export type DownIntent =
  /** No down script at all (a simple migration, or an up without its down file). */
  | 'none'
  /** `-- strata:irreversible` in the up or down script: not checked, counted as irreversible by intent. */
  | 'irreversible'
  /** A down file with nothing but whitespace and comments: it undoes nothing. */
  | 'empty'
  | 'script';

export function downIntent(migration: Migration, lexer: LexerOptions): DownIntent {
  if (MARKER_LINE.test(migration.up) || (migration.down !== undefined && MARKER_LINE.test(migration.down))) {
    return 'irreversible';
  }
  if (migration.down === undefined) return 'none';
  return splitStatements(migration.down, lexer).every((piece) => piece.empty) ? 'empty' : 'script';
}
