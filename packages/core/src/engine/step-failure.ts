import type { DatabaseFailure } from '../dialects/dialect.js';
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
  historyTable: string;
  /** Set when the step was part of a single-transaction run, which the failure rolled back as a whole. */
  batch?: { ranBefore: readonly Step[] };
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
  if (failure.leftDirty) {
    message +=
      `\n  ${version} ran outside a transaction and stopped part-way, so it is marked dirty in ${failure.historyTable}.` +
      ` Fix the database by hand, then record the outcome with \`strata resolve ${version} --applied\` or \`strata resolve ${version} --rolled-back\`.`;
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
      dirty: failure.leftDirty,
      ...(failure.batch ? batchDetails(step, failure.batch.ranBefore) : {}),
    },
    { cause },
  );
}

/** What a failed single-transaction run lost, for the message: everything it had done. */
export function batchRolledBack(step: Step, ranBefore: readonly Step[]): string {
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
