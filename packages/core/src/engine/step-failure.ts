import type { DatabaseFailure, SettingOutsideTransaction } from '../dialects/dialect.js';
import { StrataError } from '../errors.js';
import { redactText } from '../redact.js';
import { positionAt } from '../sql/text-position.js';
import type { Step } from './step.js';

export interface SqlFailure {
  step: Step;
  cause: unknown;
  /** UTF-16 offset inside the step's script where the database located the error, if it did. */
  offset: number | undefined;
  /** The database's reading of the error: its code, detail, hint and what the code means here. */
  database: DatabaseFailure;
  /** True when the failure left a dirty history row (a non-transactional script stopped half-way). */
  leftDirty: boolean;
  history: HistoryNaming;
  /** Set when the step was part of a single-transaction run, which the failure rolled back as a whole. */
  batch?: { ranBefore: readonly Step[] };
  /** Statement by statement: where each statement that ran before the failing one starts in the script. */
  ran?: readonly number[];
  /** The database, for messages: "MySQL". */
  label?: string;
}

/** Builds the error a person can act on: version, file:line:column, the database's message and code. */
export function migrationFailed(failure: SqlFailure): StrataError {
  const { step, cause, offset } = failure;
  const databaseCode = failure.database.code;
  const version = String(step.migration.version);
  const position = offset === undefined ? undefined : positionAt(step.script, offset);
  const file = step.file ?? `migration ${version} (${step.direction})`;
  const where = position ? `${file}:${position.line}:${position.column}` : file;
  const reason = redactText(cause instanceof Error ? cause.message : String(cause));
  const code = databaseCode ? ` [${databaseCode}]` : '';
  const verb = step.direction === 'up' ? 'migration' : 'revert of migration';
  let message = `${verb} ${version} failed at ${where}: ${reason}${code}`;
  const { detail, hint, explanation } = failure.database;
  if (detail) message += `\n  detail: ${redactText(detail)}`;
  if (hint) message += `\n  hint: ${redactText(hint)}`;
  if (explanation) message += `\n  ${explanation}`;
  if (failure.batch && failure.database.batchExplanation) message += `\n  ${failure.database.batchExplanation}`;
  if (failure.leftDirty && step.implicitCommit) {
    message += `\n  ${committedImplicitly(step, failure, version)}`;
  } else if (failure.leftDirty) {
    message += `\n  ${partWay(version, failure.history, `fix the database by hand, then record the outcome with ${resolveHint(version)}.`)}`;
  } else if (failure.batch) {
    message += `\n  ${batchRolledBack(step, failure.batch.ranBefore)}`;
  } else {
    message += '\n  nothing from this migration was kept: its transaction was rolled back.';
  }
  return new StrataError(
    'MIGRATION_FAILED',
    message,
    {
      version,
      file: step.file,
      direction: step.direction,
      ...(position ? { line: position.line, column: position.column } : {}),
      ...(databaseCode ? { databaseCode } : {}),
      dirty: failure.leftDirty && failure.history.keepsDirtyRows,
      ...(failure.batch ? batchDetails(step, failure.batch.ranBefore) : {}),
    },
    { cause },
  );
}

/**
 * A migration holding DDL the database commits implicitly ran statement by statement: exactly
 * what is committed, by line, and the dirty row that keeps the next run from passing it.
 */
function committedImplicitly(step: Step, failure: SqlFailure, version: string): string {
  const commit = step.implicitCommit!;
  const line = (offset: number) => positionAt(step.script, offset).line;
  const ran = failure.ran ?? [];
  const lines = ran.map(line);
  const before =
    ran.length === 0
      ? 'no statement before the failing one ran, so nothing of it is committed'
      : `the ${ran.length === 1 ? 'statement' : `${ran.length} statements`} before the failing one ${ran.length === 1 ? 'is' : 'are'} committed (line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}), and the failing one is not`;
  const state = failure.history.keepsDirtyRows
    ? `it is marked dirty in ${failure.history.displayName}; complete or undo that by hand, then record the outcome with ${resolveHint(version)}.`
    : `${failure.history.displayName} cannot mark a migration dirty, so nothing records it and the next run starts it again from its first statement: complete or undo that by hand first.`;
  return (
    `${commit.statement} (line ${line(commit.offset)}) is committed implicitly by ${failure.label ?? 'the database'}, so ${version} could not be one transaction: ` +
    `it ran statement by statement, each committed as it ran; ${before}. ${state}`
  );
}

/** What a failed single-transaction run lost, for the message: everything it had done. */
export function batchRolledBack(step: Step, ranBefore: readonly Step[]): string {
  // A redo's batch holds down steps, then up steps: it is undone back to where it started.
  if (ranBefore.some((before) => before.direction !== step.direction)) {
    const down = ranBefore.filter((before) => before.direction === 'down');
    const up = ranBefore.filter((before) => before.direction === 'up');
    const reapplied = up.length > 0 ? ` and re-applied ${listVersions(up)}` : '';
    return (
      `the redo was a single transaction and it was rolled back as a whole: nothing of it was kept (it had reverted ${listVersions(down)}${reapplied}). ` +
      'Every migration it was redoing is still applied, as before.'
    );
  }
  const up = step.direction === 'up';
  const verb = up ? 'applied' : 'reverted';
  const before =
    ranBefore.length === 0
      ? ''
      : ` nor from the ${ranBefore.length === 1 ? 'migration' : `${ranBefore.length} migrations`} ${verb} before it in this run (${listVersions(ranBefore)})`;
  return (
    `the run was a single transaction (singleTransaction) and it was rolled back as a whole: nothing from this migration${before} was kept. ` +
    (up ? 'Every migration of the run is still pending.' : 'Every migration the revert was undoing is still applied.')
  );
}

/** The versions for a message: all of them up to a dozen, else the first and last few (details carry the whole list). */
function listVersions(steps: readonly Step[]): string {
  const versions = steps.map((s) => String(s.migration.version));
  if (versions.length <= 12) return versions.join(', ');
  return `${versions.slice(0, 5).join(', ')}, … ${versions.length - 10} more …, ${versions.slice(-5).join(', ')}`;
}

/** `rolledBack`: every version whose work the rollback undid, in the order they ran (the failing one last). */
export function batchDetails(step: Step, ranBefore: readonly Step[]): { singleTransaction: true; rolledBack: string[] } {
  return {
    singleTransaction: true,
    rolledBack: [...ranBefore, step].map((s) => String(s.migration.version)),
  };
}

/** What the messages need of the history table: its name, and whether it can mark a migration dirty. */
export interface HistoryNaming {
  displayName: string;
  keepsDirtyRows: boolean;
}

/**
 * The state a non-transactional migration that stopped part-way leaves: a dirty row, or — in a
 * table that cannot mark one (Diesel's) — no row at all, so the next run would start it again.
 */
function partWay(version: string, history: HistoryNaming, then: string): string {
  if (history.keepsDirtyRows) {
    return `${version} ran outside a transaction and stopped part-way, so it is marked dirty in ${history.displayName}; ${then}`;
  }
  return (
    `${version} ran outside a transaction and stopped part-way; ${history.displayName} cannot mark a migration dirty, so nothing records it: ` +
    'what its statements before the failing one did is in place, and the next run starts it again from its first statement. Undo or complete that by hand before running again'
  );
}

const resolveHint = (version: string) => `\`strata resolve ${version} --applied\` or \`--rolled-back\``;

function named(step: Step): { version: string; where: string } {
  const version = String(step.migration.version);
  return { version, where: step.file ? `${version} (${step.file})` : version };
}

/**
 * The connection died (CONNECTION_FAILED) or another connection held the database off
 * (LOCK_TIMEOUT) under a step: the same code, with the step named and the state it left.
 */
export function interrupted(
  step: Step,
  error: StrataError,
  context: { leftDirty: boolean; batch: readonly Step[] | undefined; history: HistoryNaming },
): StrataError {
  const { version, where } = named(step);
  const { leftDirty, batch, history } = context;
  const lost = error.code === 'CONNECTION_FAILED';
  const state = leftDirty
    ? partWay(version, history, `check the database, then run ${resolveHint(version)}`)
    : batch
      ? `${lost ? 'the server rolled its transaction back: ' : ''}${batchRolledBack(step, batch)}`
      : lost
        ? 'its transaction was rolled back by the server, so nothing from it was kept'
        : 'nothing from this migration was kept: its transaction was rolled back.';
  const lead = lost
    ? `lost the connection to the database while applying migration ${where}`
    : `migration ${where} could not finish`;
  return new StrataError(
    error.code,
    `${lead}: ${error.message}\n  ${state}`,
    {
      ...error.details,
      version,
      file: step.file,
      direction: step.direction,
      dirty: leftDirty && history.keepsDirtyRows,
      ...(batch ? batchDetails(step, batch) : {}),
    },
    { cause: error.cause ?? error },
  );
}

/** LOCK_LOST naming the migration during which the lock went away, and what state it left. */
export function lockLostDuring(step: Step, error: StrataError, leftDirty: boolean, history: HistoryNaming): StrataError {
  const { version, where } = named(step);
  return new StrataError(
    'LOCK_LOST',
    `${error.message}. It was lost while migration ${where} ran: a statement in it may have released it` +
      ' (DISCARD ALL, pg_advisory_unlock_all(), deleting the lock file)' +
      (leftDirty
        ? `; the migration's statements are committed: ${partWay(version, history, `check the database, then ${resolveHint(version)}`)}`
        : '; its transaction was rolled back and nothing of it was recorded'),
    { version, file: step.file, dirty: leftDirty && history.keepsDirtyRows },
    { cause: error },
  );
}

/**
 * A transactional script ended the transaction strata opened (a COMMIT or ROLLBACK the lexer
 * could not see): nothing of it is recorded, and the message says what may be committed.
 */
export function transactionEndedEarly(step: Step, state: string, ranBefore: readonly Step[], historyTable: string): StrataError {
  const { version, where } = named(step);
  const before = ranBefore.length
    ? `; the single transaction of this run ended with it, so what the migrations before it did (${ranBefore.map((s) => s.migration.version).join(', ')}) may be committed too`
    : '';
  return new StrataError(
    'TRANSACTION_ENDED_EARLY',
    `migration ${where} ended the transaction strata ran it in (the session is ${state} after its script): what it did up to that point may be committed, and nothing of it was recorded in ${historyTable}${before}. ` +
      'Check the database, then remove the transaction control (a COMMIT or ROLLBACK, perhaps inside a procedure it calls), or add `-- no-transaction` to manage transactions yourself',
    {
      version,
      file: step.file,
      state,
      ...(ranBefore.length ? { ranBefore: ranBefore.map((s) => String(s.migration.version)) } : {}),
    },
  );
}

/** A `-- no-transaction` script left open a transaction the statement at `offset` began. */
export function transactionLeftOpen(step: Step, offset: number, history: HistoryNaming): StrataError {
  const version = String(step.migration.version);
  const { line, column } = positionAt(step.script, offset);
  const where = `${step.file ?? `migration ${version}`}:${line}:${column}`;
  return new StrataError(
    'TRANSACTION_LEFT_OPEN',
    `${where}: this statement opened a transaction the script never closed (a BEGIN without COMMIT?); strata rolled back what was still open. ` +
      `The statements before it are committed: ${partWay(version, history, `fix the script, check the database, then ${resolveHint(version)}`)}`,
    { version, file: step.file, line, column, dirty: history.keepsDirtyRows },
  );
}

/** A step's own row, re-read under the write lock, is dirty: another runner stopped part-way through it. */
export function dirtyElsewhere(step: Step): StrataError {
  const version = String(step.migration.version);
  return new StrataError(
    'MIGRATION_DIRTY',
    `migration ${version} is partially applied (another runner stopped part-way through it); fix the database by hand, then run ${resolveHint(version)}`,
    { version, file: step.file },
  );
}

/** The check a setting applied outside the transaction calls for (PRAGMA foreign_key_check) found rows. */
export function settingCheckFailed(step: Step, setting: SettingOutsideTransaction, rows: readonly unknown[][]): StrataError {
  const version = String(step.migration.version);
  const shown = rows.slice(0, 5).map((row) => row.map(String).join(' '));
  return new StrataError(
    'MIGRATION_FAILED',
    `migration ${version} failed at ${step.file ?? `migration ${version} (${step.direction})`}: ${setting.check.replace(/^PRAGMA /, '')} found ${rows.length} row(s) that break a constraint once ${setting.name} is back on (${shown.join('; ')}${rows.length > 5 ? '; …' : ''})` +
      '\n  nothing from this migration was kept: its transaction was rolled back.',
    { version, file: step.file, direction: step.direction, dirty: false, violations: rows.length },
  );
}
