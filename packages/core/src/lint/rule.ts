import type { DialectName } from '../dialects/dialect.js';
import type { Fact, FactKind, FactOf } from './facts.js';
import type { LintSeverity } from './finding.js';

/** What a rule knows beyond the statement: the migration, and what earlier statements did. */
export interface RuleContext {
  readonly database: DialectName;
  /** `-- no-transaction` (or Diesel's metadata) not set: the script runs in strata's transaction. */
  readonly transactional: boolean;
  /** The table was created earlier in this migration or by an earlier migration not yet applied: no traffic reaches it. */
  isNewTable(table: string): boolean;
  isNewIndex(index: string): boolean;
  /** A `CHECK (column IS NOT NULL)` on the table was validated earlier (so SET NOT NULL skips its scan). */
  hasValidatedNotNull(table: string, column: string): boolean;
  /** The constraint was added `NOT VALID` earlier in this same migration. */
  addedNotValidHere(name: string): boolean;
  /** The script set `lock_timeout` before this statement, or the run's lock guard sets it for every step. */
  readonly lockTimeoutSet: boolean;
}

/** A rule's verdict on one statement: why it hurts and the safe rewrite. */
export interface Hit {
  message: string;
  fix: string;
}

export interface Rule<K extends FactKind = FactKind> {
  readonly id: string;
  readonly severity: LintSeverity;
  /** One line for help and the README. */
  readonly summary: string;
  /** The facts it looks at. */
  readonly kinds: readonly K[];
  check(fact: FactOf<K>, context: RuleContext): Hit | undefined;
}

/** Declares a rule with its fact kinds checked by the compiler. */
export function rule<K extends FactKind>(definition: Rule<K>): Rule {
  return definition as unknown as Rule;
}

export type { Fact };
