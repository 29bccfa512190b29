import type { CommandContext } from './context.js';

/** One option as the help shows it and as parseArgs reads it. */
export interface OptionSpec {
  /** The long name, without dashes: `target-version`. */
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  /** May be given more than once; the values arrive as an array. */
  multiple?: boolean;
  /** Placeholder for the value in help: `V`, `N`, `SECONDS`. */
  value?: string;
  description: string;
}

export interface PositionalSpec {
  name: string;
  required: boolean;
  description: string;
}

/**
 * What a file under commands/ exports as `command`. The registry knows names and summaries; the
 * definition knows its options and how to run. Adding a command is adding one such file.
 */
export interface CommandDefinition {
  /** After `strata <name>`: `[options] <name>`. */
  usage: string;
  options: readonly OptionSpec[];
  positionals?: readonly PositionalSpec[];
  /** Extra paragraphs for `--help`. */
  details?: string;
  /** Returns the exit code (0 when omitted). */
  run(context: CommandContext): Promise<number | undefined>;
}
