import type { SchemaDifference } from './schema-diff.js';

/**
 * What the reversibility check can find about one migration. Errors make the migration `broken`
 * (and `strata validate --reversible` exit 1); warnings are said and counted but pass.
 */
export type ReversibilityFindingKind =
  /** error: the up itself fails on the shadow; the migrations after it are not checked. */
  | 'up-failed'
  /** warning (error with `requireDown`): no down script, so the migration cannot be reverted at all. */
  | 'no-down'
  /** error: the down script is empty or only comments, so it undoes nothing. */
  | 'down-empty'
  /** error: the down script fails (the database's error, file:line:column). */
  | 'down-failed'
  /** error: the down runs, but the schema differs from the one before the up. */
  | 'schema-differs'
  /** warning: the down restores every object, but a table's columns come back in another order. */
  | 'column-order'
  /** error: the up fails when applied again after its down (Diesel's redo). */
  | 'redo-failed'
  /** warning: the down drops a table or column that its up did not create: reverting loses its rows. */
  | 'data-loss';

export interface ReversibilityFinding {
  kind: ReversibilityFindingKind;
  severity: 'error' | 'warning';
  /** One line a person can act on (a database error keeps its `detail:` / `hint:` lines below it). */
  message: string;
  /** The file the finding is about: the down script, or the up for `up-failed` / `redo-failed`. */
  file?: string;
  /** 1-based, in `file`: where the database located an error, or the statement that drops data. */
  line?: number;
  column?: number;
  /** The database's own error code (SQLSTATE, SQLITE_*). */
  databaseCode?: string;
  /** The StrataError's code behind a failure (`MIGRATION_FAILED`, `STATEMENT_NOT_ALLOWED_IN_TRANSACTION`, ...). */
  errorCode?: string;
  /**
   * `schema-differs` / `column-order`: the objects, as `diffSchemas(beforeUp, afterDown)` lists
   * them: `extra` is what the down left behind, `missing` what it dropped that existed before.
   */
  differences?: SchemaDifference[];
}

export type ReversibilityStatus =
  /** Down ran, the schema came back, the up ran again. */
  | 'reversible'
  /** Irreversible by intent: marked `-- strata:irreversible`, or without a down script (unless `requireDown`). */
  | 'irreversible'
  /** At least one error finding. */
  | 'broken'
  /** Not checked: an earlier migration left the shadow in a state later ones cannot start from. */
  | 'unchecked';

export interface MigrationReversibility {
  version: bigint;
  description: string;
  upFile?: string;
  downFile?: string;
  status: ReversibilityStatus;
  findings: ReversibilityFinding[];
  /** Time spent on this migration: its up, down, redo and the two schema reads. */
  durationMs: number;
}

export interface ReversibilitySummary {
  reversible: number;
  irreversible: number;
  broken: number;
  unchecked: number;
  /** Warning findings, over every migration. */
  warnings: number;
}

export interface ReversibilityReport {
  /** True when no migration is broken. */
  ok: boolean;
  /** Where the check ran: a temporary database's name, or `the given shadow database`. */
  shadow: string;
  /** `onlyPending`: the live history's newest applied version, which the shadow was migrated to first (null: none). */
  baseline: bigint | null;
  migrations: MigrationReversibility[];
  summary: ReversibilitySummary;
  durationMs: number;
}

export function summarize(migrations: readonly MigrationReversibility[]): ReversibilitySummary {
  const count = (status: ReversibilityStatus) => migrations.filter((migration) => migration.status === status).length;
  return {
    reversible: count('reversible'),
    irreversible: count('irreversible'),
    broken: count('broken'),
    unchecked: count('unchecked'),
    warnings: migrations.reduce((sum, m) => sum + m.findings.filter((f) => f.severity === 'warning').length, 0),
  };
}

/**
 * Splits `diffSchemas(beforeUp, afterDown)` into what matters and what cannot: a column dropped
 * and added again comes back at the end of its table (PostgreSQL and SQLite have no other way to
 * add one), which no query by column name notices. Such a table is a warning; every other detail
 * of the same table stays an error.
 */
export function splitOrderOnly(differences: readonly SchemaDifference[]): {
  errors: SchemaDifference[];
  orderOnly: SchemaDifference[];
} {
  const errors: SchemaDifference[] = [];
  const orderOnly: SchemaDifference[] = [];
  // A table left behind (or dropped) takes its indexes and triggers with it: naming them too is noise.
  const wholeTables = new Set(differences.filter((d) => d.kind === 'table' && d.change !== 'changed').map((d) => `${d.name}.`));
  for (const difference of differences) {
    const onWholeTable = (difference.kind === 'index' || difference.kind === 'trigger') && difference.change !== 'changed';
    if (onWholeTable && [...wholeTables].some((table) => difference.name.startsWith(table))) continue;
    const order = difference.details.filter((detail) => /^columns: order /.test(detail));
    const rest = difference.details.filter((detail) => !/^columns: order /.test(detail));
    if (difference.change === 'changed' && order.length > 0) orderOnly.push({ ...difference, details: order });
    if (difference.change !== 'changed' || rest.length > 0) errors.push({ ...difference, details: rest });
  }
  return { errors, orderOnly };
}

/**
 * A difference said from the down's side: `column public.users.bio still exists after the down`,
 * `index public.posts.posts_user is missing after the down`.
 */
export function describeDifference(difference: SchemaDifference): string[] {
  if (difference.change === 'extra') return [`${difference.kind} ${difference.name} still exists after the down`];
  if (difference.change === 'missing') return [`${difference.kind} ${difference.name} is missing after the down`];
  return difference.details.map((detail) => {
    const member = /^(columns|values|checks|uniques|foreignKeys|otherConstraints)\[(.+?)\]: (extra|missing)$/.exec(detail);
    if (member) {
      const noun = MEMBER_NOUNS[member[1] as keyof typeof MEMBER_NOUNS];
      const state = member[3] === 'extra' ? 'still exists after the down' : 'is missing after the down';
      return `${noun} ${difference.name}.${member[2]} ${state}`;
    }
    return `${difference.kind} ${difference.name} differs from before the up (before -> after the down): ${detail}`;
  });
}

const MEMBER_NOUNS = {
  columns: 'column',
  values: 'value',
  checks: 'check',
  uniques: 'unique constraint',
  foreignKeys: 'foreign key',
  otherConstraints: 'constraint',
} as const;
