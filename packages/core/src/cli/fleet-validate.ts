import type { CommandContext } from './context.js';
import { runFleetCommand } from './fleet-command.js';
import { futureOption } from './future-option.js';
import { UsageError } from './usage-error.js';

/**
 * `strata validate --targets ...`: each target's history against the directory (modified, dirty,
 * missing, future, out of order), from its status alone, so no lock is taken anywhere. The checks
 * of the files themselves do not depend on a database: `strata validate --offline` makes them once.
 */
export function validateFleet(context: CommandContext): Promise<number> {
  if (context.flag('drift') || context.flag('offline')) {
    throw new UsageError('--drift and --offline check one database: they do not combine with --targets or --targets-query');
  }
  const future = futureOption(context);
  return runFleetCommand(context, {
    operation: { kind: 'validate' },
    choices: {
      ignoreMissing: context.flag('ignore-missing'),
      allowOutOfOrder: context.flag('allow-out-of-order'),
      ...(future ? { future } : {}),
    },
  });
}
