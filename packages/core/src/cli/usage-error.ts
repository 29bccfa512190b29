/**
 * An error the CLI itself raises, with the exit code it means. `hint` is a follow-up line telling
 * the person what to type instead.
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly code: string;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, options: { code?: string; hint?: string; exitCode?: number } = {}) {
    super(message);
    this.code = options.code ?? 'CLI_ERROR';
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A mistake in the command line or the configuration: exit code 2, nothing was attempted. */
export class UsageError extends CliError {
  override readonly name: string = 'UsageError';

  constructor(message: string, options: { code?: string; hint?: string } = {}) {
    super(message, { code: options.code ?? 'USAGE', ...(options.hint ? { hint: options.hint } : {}), exitCode: 2 });
  }
}
