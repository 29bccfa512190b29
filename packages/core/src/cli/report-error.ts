import { isStrataError } from '../errors.js';
import { EXIT_USAGE, exitCodeFor } from './exit-codes.js';
import { withPrintableNames } from './format.js';
import type { Output } from './output.js';
import { CliError } from './usage-error.js';

/** PostgreSQL SQLSTATEs whose fix is a strata command. */
const POSTGRES_HINTS: Record<string, string> = {
  '3D000': 'create it with `strata database create` (or `strata database setup` to create it and run the migrations)',
  '55006': 'pass --force to disconnect the other sessions first (PostgreSQL 13 and later)',
};

/**
 * Prints an error the way a person can act on it: the engine's message (version, file:line:column,
 * database code), a hint when there is one, the stack only with --verbose. In JSON mode the
 * document on stdout is `{"error": {...}}` as well. Returns the exit code.
 */
export function reportError(out: Output, error: unknown): number {
  const exitCode = exitCodeFor(error);
  const { code, message, hint, details } = describe(error);
  const { errStyle } = out;
  if (out.json) {
    out.document({ error: { code, message: out.redact(message), ...(details ? { details } : {}), exitCode } });
  }
  // The message may span lines on purpose; only the file names in it are made printable.
  out.note(`${errStyle.red(errStyle.bold(`error[${code}]`))}: ${withPrintableNames(message, [details?.file, details?.other])}`);
  const appliedChecksum = details?.appliedChecksum;
  const sourceChecksum = details?.sourceChecksum;
  if (typeof appliedChecksum === 'string' && typeof sourceChecksum === 'string') {
    out.note(`  applied checksum: ${appliedChecksum}`);
    out.note(`  file checksum:    ${sourceChecksum}`);
  }
  if (hint) out.note(`  ${errStyle.cyan('hint:')} ${hint}`);
  if (out.verbose) {
    for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
      if (cause.stack) out.note(errStyle.dim(cause === error ? cause.stack : `caused by: ${cause.stack}`));
    }
  } else if (!isStrataError(error) && !(error instanceof CliError) && exitCode !== EXIT_USAGE && !hasDatabaseCode(error)) {
    out.note(errStyle.dim('  (run with --verbose for the stack trace)'));
  }
  return exitCode;
}

interface Described {
  code: string;
  message: string;
  hint?: string;
  details?: Record<string, unknown>;
}

function describe(error: unknown): Described {
  if (error instanceof CliError) return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  if (isStrataError(error)) {
    const databaseCode = error.details.databaseCode;
    const hint = typeof databaseCode === 'string' ? POSTGRES_HINTS[databaseCode] : undefined;
    return { code: error.code, message: error.message, details: error.details, ...(hint ? { hint } : {}) };
  }
  if (error instanceof Error) {
    const databaseCode = (error as { code?: unknown }).code;
    if (typeof databaseCode === 'string') {
      const hint = POSTGRES_HINTS[databaseCode];
      const detail = (error as { detail?: unknown }).detail;
      return {
        code: 'DATABASE_ERROR',
        message: `${error.message} [${databaseCode}]${typeof detail === 'string' ? `\n  detail: ${detail}` : ''}`,
        details: { databaseCode },
        ...(hint ? { hint } : {}),
      };
    }
    return { code: 'INTERNAL_ERROR', message: error.message || error.name };
  }
  return { code: 'INTERNAL_ERROR', message: String(error) };
}

function hasDatabaseCode(error: unknown): boolean {
  return typeof (error as { code?: unknown } | null)?.code === 'string';
}
