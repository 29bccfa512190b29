import { checksumOf, sameBytes, toHex } from './checksum.js';
import type { Dialect } from './dialects/dialect.js';
import type { Direction, Step } from './engine/step.js';
import { StrataError } from './errors.js';
import { type FuturePolicy, futureMigrationsError, futureRevertError } from './future-migrations.js';
import type { HistoryEntry } from './history/history-entry.js';
import type { Migration } from './migration.js';
import { positionAt } from './sql/text-position.js';
import { findTransactionControl } from './sql/transaction-control.js';
import {
  findImplicitCommit,
  findStatementsNotAllowedInTransaction,
  type RestrictedStatement,
} from './sql/transaction-restrictions.js';

/** The first statement that keeps a script from running inside strata's transaction. */
type FoundStatement = RestrictedStatement & { kind: 'not-in-transaction' | 'transaction-control' };

import { computeStatus, type MigrationStatus } from './status.js';

export interface ValidationOptions {
  /** Applied migrations absent from the source are tolerated instead of refused. */
  ignoreMissing: boolean;
  /** Pending migrations older than the newest applied one are applied instead of refused. */
  allowOutOfOrder: boolean;
  /** Applied migrations newer than every migration in the source: refused, or left alone. */
  future: FuturePolicy;
  historyTable: string;
}

export interface RunTarget {
  /** Apply up to and including this version. */
  target?: bigint;
}

export type RevertTarget = { target: bigint } | { steps: number } | { all: true };

export interface Plan {
  direction: Direction;
  steps: Step[];
  /** Pending migrations left out because they are newer than the target. */
  beyondTarget: bigint[];
  /** Applied migrations newer than every migration in the source, left alone. */
  future: bigint[];
}

/** Refuses the states no run may pass: dirty, modified, missing and future (unless tolerated). */
export function validateHistory(statuses: readonly MigrationStatus<HistoryEntry>[], options: ValidationOptions): void {
  const future: bigint[] = [];
  let newestKnown: bigint | undefined;
  for (const line of statuses) {
    if (line.state === 'future') future.push(line.version);
    else if (line.migration) newestKnown = line.version;
    const version = String(line.version);
    if (line.state === 'dirty') {
      throw new StrataError(
        'MIGRATION_DIRTY',
        `migration ${version} is partially applied: it ran outside a transaction and did not finish. ` +
          `Fix the database by hand, then run \`strata resolve ${version} --applied\` (if its changes are in place) or \`strata resolve ${version} --rolled-back\` (if they are not)`,
        { version, file: line.migration?.upFile, table: options.historyTable },
      );
    }
    if (line.state === 'modified') {
      throw new StrataError(
        'MIGRATION_MODIFIED',
        `migration ${version} was previously applied but has been modified. ` +
          `If the edit does not change what it does (a comment, formatting), record the file's checksum with \`strata repair --version ${version}\`; ` +
          'if it does, restore the file and write a new migration',
        {
          version,
          file: line.migration?.upFile,
          appliedChecksum: line.history?.checksum ? toHex(line.history.checksum) : undefined,
          sourceChecksum: line.migration ? toHex(line.migration.checksum) : undefined,
        },
      );
    }
    if (line.state === 'missing' && !options.ignoreMissing) {
      throw new StrataError(
        'MIGRATION_MISSING',
        `migration ${version} was previously applied but is missing in the resolved migrations ` +
          '(restore its file, or pass ignoreMissing / --ignore-missing to run anyway)',
        { version },
      );
    }
  }
  // ignoreMissing tolerates every applied migration absent from the source, future ones included.
  if (future.length > 0 && options.future === 'error' && !options.ignoreMissing) {
    throw futureMigrationsError(future, newestKnown!);
  }
}

/** The future versions a plan leaves alone (validateHistory has refused them unless tolerated). */
function futureVersions(statuses: readonly MigrationStatus<HistoryEntry>[]): bigint[] {
  return statuses.filter((line) => line.state === 'future').map((line) => line.version);
}

export function planRun(
  migrations: readonly Migration[],
  history: readonly HistoryEntry[],
  target: RunTarget,
  options: ValidationOptions,
  dialect: Dialect,
): Plan {
  if (migrations.length === 0 && history.length > 0) {
    throw new StrataError(
      'MIGRATIONS_NOT_BUNDLED',
      `the migration source is empty but ${options.historyTable} records ${history.length} applied migration(s): ` +
        'the migrations were probably not bundled or copied with the app (check the migrations path, or embed them with `strata embed`)',
      { applied: history.length },
    );
  }
  const statuses = computeStatus(migrations, history);
  validateHistory(statuses, options);
  if (target.target !== undefined) requireKnown(migrations, target.target);
  const pending = statuses.filter((line) => line.state === 'pending');
  const outOfOrder = pending.filter((line) => line.outOfOrder);
  if (outOfOrder.length > 0 && !options.allowOutOfOrder) {
    const list = outOfOrder.map((line) => String(line.version)).join(', ');
    throw new StrataError(
      'MIGRATION_OUT_OF_ORDER',
      `migration(s) ${list} are pending but older than the newest applied migration; ` +
        'apply them anyway with allowOutOfOrder / --allow-out-of-order, or give them newer versions',
      { versions: outOfOrder.map((line) => String(line.version)) },
    );
  }
  const included = pending.filter((line) => target.target === undefined || line.version <= target.target);
  const steps = included.map((line) => stepFor(line.migration!, 'up', dialect));
  return {
    direction: 'up',
    steps,
    beyondTarget: pending.filter((line) => !included.includes(line)).map((line) => line.version),
    future: futureVersions(statuses),
  };
}

export function planRevert(
  migrations: readonly Migration[],
  history: readonly HistoryEntry[],
  target: RevertTarget,
  options: ValidationOptions,
  dialect: Dialect,
): Plan {
  const statuses = computeStatus(migrations, history);
  validateHistory(statuses, { ...options, ignoreMissing: true });
  // ignoreMissing (sqlx-cli's --ignore-missing): a migration missing from the middle of the source is
  // passed over, so the newest ones that can be reverted are; otherwise reaching one is refused below.
  // A future one is refused either way: reverting under it would break the newest-first order.
  const revertible = (line: MigrationStatus<HistoryEntry>) =>
    line.state === 'applied' || line.state === 'future' || (line.state === 'missing' && !options.ignoreMissing);
  const applied = statuses.filter(revertible).reverse();
  let chosen: MigrationStatus<HistoryEntry>[];
  if ('all' in target) chosen = applied;
  else if ('steps' in target) {
    if (!Number.isInteger(target.steps) || target.steps < 0) {
      throw new StrataError('INVALID_OPTIONS', `steps must be a non-negative integer, not ${target.steps}`);
    }
    chosen = applied.slice(0, target.steps);
  } else {
    if (target.target !== 0n) requireKnown(migrations, target.target);
    chosen = applied.filter((line) => line.version > target.target);
  }
  // Future migrations are the newest, so any revert would start with one: refused under either policy.
  const future = chosen.filter((line) => line.state === 'future').map((line) => line.version);
  if (future.length > 0) throw futureRevertError(future.reverse());
  const steps = chosen.map((line) => {
    if (!line.migration) {
      throw new StrataError(
        'MIGRATION_MISSING',
        `cannot revert migration ${line.version}: it was applied but is missing in the resolved migrations, so its down script is unknown ` +
          '(ignoreMissing, `strata revert --ignore-missing`, passes over it)',
        { version: String(line.version) },
      );
    }
    if (line.migration.down === undefined) {
      throw new StrataError(
        'NOT_REVERSIBLE',
        `cannot revert migration ${line.version} (${line.migration.upFile ?? line.description}): it has no down script`,
        { version: String(line.version), file: line.migration.upFile },
      );
    }
    return stepFor(line.migration, 'down', dialect);
  });
  return { direction: 'down', steps, beyondTarget: [], future: [] };
}

/**
 * Diesel's redo: a revert plan's down steps, newest first, then the same migrations' up steps, oldest
 * first. One plan, so the whole redo runs under one lock (and, where it can, in one transaction).
 */
export function planRedo(revert: Plan, dialect: Dialect): Plan {
  const up = [...revert.steps].reverse().map((step) => stepFor(step.migration, 'up', dialect));
  return { ...revert, steps: [...revert.steps, ...up] };
}

/**
 * singleTransaction: a step that must run outside a transaction cannot be part of the run's one
 * transaction, and running the others around it would not be all or nothing. Refused before
 * anything runs, naming each such migration and a way to split the deploy.
 */
export function requireSingleTransactionPossible(steps: readonly Step[]): void {
  const outside = steps.filter((step) => !step.transactional);
  const first = outside[0];
  if (!first) return;
  const up = first.direction === 'up';
  const named = outside.map((step) => `${step.migration.version} (${step.file ?? step.migration.description})`).join(', ');
  const index = steps.indexOf(first);
  let split = '';
  if (index > 0) {
    // Up: apply what comes before it; down (newest first): revert what is newer, keeping it.
    const target = up ? steps[index - 1]!.migration.version : first.migration.version;
    split = `, or split the deploy: ${up ? 'apply with singleTransaction up to' : 'revert with singleTransaction down to'} target ${target} (--target-version ${target}) first, then the rest without it`;
  } else if (steps.length > 1) {
    const target = up ? first.migration.version : steps[1]!.migration.version;
    split = `, or split the deploy: ${up ? 'apply' : 'revert'} ${first.migration.version} alone without singleTransaction (target ${target}, --target-version ${target}) first, then the rest with it`;
  }
  throw new StrataError(
    'SINGLE_TRANSACTION_NOT_POSSIBLE',
    `singleTransaction: migration${outside.length > 1 ? 's' : ''} ${named} must run outside a transaction (\`-- no-transaction\` or \`run_in_transaction = false\`), ` +
      `so this ${up ? 'run' : 'revert'} cannot be one transaction; nothing was run. Drop singleTransaction (--single-transaction)${split}`,
    {
      version: String(first.migration.version),
      file: first.file,
      direction: first.direction,
      versions: outside.map((step) => String(step.migration.version)),
    },
  );
}

/**
 * singleTransaction where DDL commits itself (MySQL): the run's one transaction would be
 * committed by the first CREATE or ALTER, and all-or-nothing would be a promise strata cannot keep.
 */
export function singleTransactionRefused(dialect: Dialect): StrataError {
  return new StrataError(
    'SINGLE_TRANSACTION_NOT_POSSIBLE',
    `singleTransaction: ${dialect.label} commits DDL implicitly (CREATE, ALTER, DROP, RENAME, TRUNCATE…), so a run cannot be one transaction: ` +
      'the first such statement would commit everything before it. Run without singleTransaction (--single-transaction); each migration is then applied on its own',
    { dialect: dialect.name },
  );
}

function requireKnown(migrations: readonly Migration[], version: bigint): void {
  if (!migrations.some((migration) => migration.version === version)) {
    throw new StrataError('TARGET_NOT_FOUND', `target version ${version} is not one of the migrations in the source`, {
      version: String(version),
    });
  }
}

/**
 * What stepFor learnt about a migration, remembered per Migration object: a run plans twice
 * (without and then under the lock) and a long-lived Migrator plans at every run, and hashing and
 * lexing every pending script each time is measurable at hundreds of migrations. Each entry keeps
 * the inputs it was computed from and is used only while they are unchanged.
 */
interface Verified {
  up: string;
  checksum: Uint8Array;
}
const verifiedChecksums = new WeakMap<Migration, Verified>();
const knownRestrictions = new WeakMap<Migration, Map<string, { script: string; found: FoundStatement | undefined }>>();

/**
 * The migration with its checksum taken another way (SQLx's ignored-chars), still known to carry its
 * own script: one whose carried checksum does not match is returned as it is, for stepFor to refuse.
 */
export function withChecksum(migration: Migration, checksum: Uint8Array): Migration {
  if (!checksumMatches(migration)) return migration;
  const next = { ...migration, checksum };
  verifiedChecksums.set(next, { up: next.up, checksum: Uint8Array.from(checksum) });
  return next;
}

function checksumMatches(migration: Migration): boolean {
  const known = verifiedChecksums.get(migration);
  if (known && known.up === migration.up && sameBytes(known.checksum, migration.checksum)) return true;
  if (!sameBytes(checksumOf(migration.up), migration.checksum)) return false;
  verifiedChecksums.set(migration, { up: migration.up, checksum: Uint8Array.from(migration.checksum) });
  return true;
}

function firstRestriction(migration: Migration, direction: Direction, script: string, dialect: Dialect) {
  let known = knownRestrictions.get(migration);
  if (!known) {
    known = new Map();
    knownRestrictions.set(migration, known);
  }
  const key = `${direction}:${dialect.name}`;
  const entry = known.get(key);
  if (entry && entry.script === script) return entry.found;
  const restricted = findStatementsNotAllowedInTransaction(script, dialect)[0];
  const control = findTransactionControl(script, dialect.lexer)[0];
  const found: FoundStatement | undefined =
    control && !(restricted && restricted.offset < control.offset)
      ? { ...control, kind: 'transaction-control' }
      : restricted && { ...restricted, kind: 'not-in-transaction' };
  known.set(key, { script, found });
  return found;
}

/** Builds a step and refuses, before anything runs, a transactional script the database would refuse. */
export function stepFor(migration: Migration, direction: Direction, dialect: Dialect): Step {
  const script = direction === 'up' ? migration.up : (migration.down ?? '');
  const file = direction === 'up' ? migration.upFile : migration.downFile;
  const transactional = direction === 'up' ? !migration.noTransaction : !migration.downNoTransaction;
  if (direction === 'up' && !checksumMatches(migration)) {
    // Only values can disagree (a directory's checksum is computed from the same bytes): an edited
    // generated module must not run SQL other than the one its checksum records.
    throw new StrataError(
      'INVALID_MIGRATION',
      `migration ${migration.version} (${file ?? migration.description}): the checksum it carries does not match its up script; regenerate it with \`strata embed\``,
      { version: String(migration.version), file },
    );
  }
  if (transactional) {
    const refused = firstRestriction(migration, direction, script, dialect);
    if (refused) {
      const { line, column } = positionAt(script, refused.offset);
      const where = `${file ?? `migration ${migration.version}`}:${line}:${column}`;
      if (refused.kind === 'transaction-control') {
        throw new StrataError(
          'TRANSACTION_CONTROL_IN_MIGRATION',
          `${where}: ${refused.statement} would end the transaction strata runs this migration in, so its history row could say applied for work that was not committed (or committed only in part); remove it, or add \`-- no-transaction\` as the first line of the file to manage transactions yourself`,
          { version: String(migration.version), file, line, column, statement: refused.statement },
        );
      }
      throw new StrataError(
        'STATEMENT_NOT_ALLOWED_IN_TRANSACTION',
        `${where}: ${refused.statement} cannot run inside a transaction; add \`-- no-transaction\` as the first line of the file` +
          ' (or `run_in_transaction = false` in metadata.toml for a Diesel migration)',
        { version: String(migration.version), file, line, column },
      );
    }
  }
  // DDL the database commits implicitly cannot share a transaction: the step runs as a
  // non-transactional one (its row dirty first), and says so.
  const implicitCommit = transactional ? findImplicitCommit(script, dialect) : undefined;
  if (implicitCommit) return { direction, migration, script, file, transactional: false, implicitCommit };
  return { direction, migration, script, file, transactional };
}
