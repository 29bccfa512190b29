import { type FuturePolicy, isFuturePolicy } from '../future-migrations.js';
import type { OptionSpec } from './command.js';
import type { CommandContext } from './context.js';
import { UsageError } from './usage-error.js';

/** `--future ignore|error`: the `future` option of the engine, for the commands that validate the history. */
export const FUTURE_OPTION: OptionSpec = {
  name: 'future',
  type: 'string',
  value: 'ignore|error',
  description:
    'applied migrations newer than every file here (a rolled-back release): error refuses them (default), ignore leaves them alone',
};

export function futureOption(context: CommandContext): FuturePolicy | undefined {
  const text = context.option(FUTURE_OPTION.name);
  if (text === undefined) return undefined;
  if (!isFuturePolicy(text)) throw new UsageError(`--future is ignore or error, not "${text}"`);
  return text;
}
