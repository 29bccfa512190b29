import { parseArgs } from 'node:util';
import type { OptionSpec } from './command.js';
import { GLOBAL_OPTIONS } from './global-options.js';
import type { OptionValues } from './option-values.js';
import { UsageError } from './usage-error.js';

export interface SplitArgs {
  /** The command word as typed (maybe an alias), or undefined when none was given. */
  command: string | undefined;
  /** Everything else, in order. */
  rest: string[];
}

/**
 * Finds the command word: the first argument that is neither an option nor the value of a
 * global option, so `strata --source db/migrations run` works as well as `strata run --source ...`.
 */
export function splitCommand(argv: readonly string[]): SplitArgs {
  const takesValue = new Set<string>();
  for (const option of GLOBAL_OPTIONS) {
    if (option.type !== 'string') continue;
    takesValue.add(`--${option.name}`);
    if (option.short) takesValue.add(`-${option.short}`);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg.startsWith('-') && arg !== '-') {
      if (takesValue.has(arg)) i++;
      continue;
    }
    return { command: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
  }
  return { command: undefined, rest: [...argv] };
}

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

/** Strict parsing: an unknown option or a missing value is a usage error naming the command's help. */
export function parseCommandArgs(args: readonly string[], options: readonly OptionSpec[], helpCommand: string): ParsedArgs {
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const option of options) {
    config[option.name] = {
      type: option.type,
      ...(option.short ? { short: option.short } : {}),
      ...(option.multiple ? { multiple: true } : {}),
    };
  }
  try {
    const parsed = parseArgs({ args: [...args], options: config, allowPositionals: true, strict: true });
    return { values: parsed.values as OptionValues, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(describeParseError(error), { hint: `see \`${helpCommand} --help\`` });
  }
}

/** Node's messages are long and speak of "positional arguments"; say what was wrong instead. */
function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  const option = /'(-[^' ,]+)/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(message)) return `option ${option} needs a value`;
      if (/ambiguous/.test(message))
        return `option ${option} needs a value (write ${option}=-X for a value that starts with "-")`;
      return `option ${option} does not take a value`;
    default:
      return message;
  }
}
