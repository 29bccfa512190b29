import { StrataError } from '../errors.js';
import { redactText } from '../redact.js';
import { positionAt } from '../sql/text-position.js';
import type { Step } from './driver.js';

export interface SqlFailure {
  step: Step;
  cause: unknown;
  /** UTF-16 offset inside the step's script where the database located the error, if it did. */
  offset: number | undefined;
  databaseCode: string | undefined;
  /** True when the failure left a dirty history row (a non-transactional script stopped half-way). */
  leftDirty: boolean;
  historyTable: string;
}

/** Builds the error a person can act on: version, file:line:column, the database's message and code. */
export function migrationFailed(failure: SqlFailure): StrataError {
  const { step, cause, offset, databaseCode } = failure;
  const version = String(step.migration.version);
  const position = offset === undefined ? undefined : positionAt(step.script, offset);
  const file = step.file ?? `migration ${version} (${step.direction})`;
  const where = position ? `${file}:${position.line}:${position.column}` : file;
  const reason = redactText(cause instanceof Error ? cause.message : String(cause));
  const code = databaseCode ? ` [${databaseCode}]` : '';
  const verb = step.direction === 'up' ? 'migration' : 'revert of migration';
  let message = `${verb} ${version} failed at ${where}: ${reason}${code}`;
  const extra = cause as { detail?: string; hint?: string } | null;
  if (extra?.detail) message += `\n  detail: ${redactText(extra.detail)}`;
  if (extra?.hint) message += `\n  hint: ${redactText(extra.hint)}`;
  if (databaseCode === '57014')
    message += '\n  the statement ran longer than statement_timeout (the statementTimeout option, or a SET in the migration)';
  if (databaseCode === '55P03') message += '\n  the statement waited longer than lock_timeout for a lock another session holds';
  if (failure.leftDirty) {
    message +=
      `\n  ${version} ran outside a transaction and stopped part-way, so it is marked dirty in ${failure.historyTable}.` +
      ` Fix the database by hand, then record the outcome with \`strata resolve ${version} --applied\` or \`strata resolve ${version} --rolled-back\`.`;
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
    },
    { cause },
  );
}
