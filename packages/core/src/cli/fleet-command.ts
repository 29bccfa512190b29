import type { FleetOperation, FleetOptions } from '../fleet/fleet-options.js';
import type { FleetSummary } from '../fleet/fleet-result.js';
import { migrateFleet } from '../fleet/migrate-fleet.js';
import type { CommandContext, MigratorChoices } from './context.js';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import { FleetReporter } from './fleet-report.js';
import { type FleetList, readFleetList } from './fleet-targets.js';
import { countOption } from './option-parsers.js';

export interface FleetCommand {
  operation: FleetOperation;
  choices?: Omit<MigratorChoices, 'onEvent'>;
  /** A verdict beyond failures, e.g. `info --exit-code` on a target with pending migrations. */
  unsettled?: (summary: FleetSummary) => boolean;
}

/**
 * `strata run|revert|info|validate --targets ... | --targets-query ...`: the library's fleet, with
 * the terminal's rendering. Exit 1 when a target failed or was left unstarted.
 */
export async function runFleetCommand(context: CommandContext, command: FleetCommand): Promise<number> {
  const list = await readFleetList(context);
  const options = fleetOptions(context, list, command);
  const reporter = new FleetReporter(context.out, context.io, command.operation);
  // A Job's pod is stopped with SIGTERM: start no new target, let those running finish, report.
  const stop = new AbortController();
  const onTerm = () => stop.abort();
  process.once('SIGTERM', onTerm);
  try {
    const fleet = migrateFleet(list.targets, { ...options, signal: stop.signal, onEvent: reporter.handle });
    const summary = await fleet.summary;
    reporter.finish(summary);
    const failed = summary.failed > 0 || summary.notStarted > 0;
    return failed || command.unsettled?.(summary) ? EXIT_FAILURE : EXIT_OK;
  } finally {
    process.removeListener('SIGTERM', onTerm);
    reporter.stop();
  }
}

/** The library's fleet options for the list and the command line, shared by the fleet commands and the studio's fleet table. */
export function fleetOptions(context: CommandContext, list: FleetList, command: FleetCommand): FleetOptions {
  const { config } = context;
  const choices = command.choices ?? {};
  return {
    migrations: config.sourcePath,
    operation: command.operation,
    drivers: list.drivers,
    logger: context.logger(),
    continueOnError: context.flag('continue-on-error'),
    ...defined({
      concurrency: countOption(context, 'concurrency') ?? list.concurrency,
      canary: countOption(context, 'canary'),
      table: config.table,
      history: config.history,
      schema: config.schema,
      lockTimeout: config.lockTimeoutMs,
      statementTimeout: config.statementTimeoutMs,
      connectTimeout: config.connectTimeoutMs,
      lock: config.lock,
      stallTimeout: config.stallTimeoutMs,
      ignoreMissing: choices.ignoreMissing || undefined,
      allowOutOfOrder: choices.allowOutOfOrder || undefined,
      future: choices.future,
      singleTransaction: choices.singleTransaction || undefined,
      lockGuard: choices.lockGuardMs !== undefined ? { lockTimeout: choices.lockGuardMs } : undefined,
    }),
  };
}

function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
