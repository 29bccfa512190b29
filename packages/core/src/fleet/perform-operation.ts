import type { Migrator } from '../migrator.js';
import type { FleetOperation } from './fleet-options.js';
import type { FleetTargetResult } from './fleet-result.js';
import { type HistoryTolerance, historyProblems } from './history-problems.js';

/** What one target's Migrator produced: the parts of its result the operation fills in. */
export type OperationOutput = Pick<FleetTargetResult, 'report' | 'statuses' | 'problems'>;

/** Runs the fleet's operation on one target; a StrataError is the target's failure. */
export async function performOperation(
  migrator: Migrator,
  operation: FleetOperation,
  tolerance: HistoryTolerance,
): Promise<OperationOutput> {
  switch (operation.kind) {
    case 'run':
      return {
        report: await migrator.run({
          ...(operation.target !== undefined ? { target: operation.target } : {}),
          dryRun: operation.dryRun ?? false,
        }),
      };
    case 'revert': {
      const dryRun = operation.dryRun ?? false;
      return {
        report: await migrator.revert(
          operation.all
            ? { all: true, dryRun }
            : operation.target !== undefined
              ? { target: operation.target, dryRun }
              : { steps: operation.steps ?? 1, dryRun },
        ),
      };
    }
    case 'status':
      return { statuses: await migrator.status() };
    case 'validate': {
      const statuses = await migrator.status();
      return { statuses, problems: historyProblems(statuses, tolerance) };
    }
  }
}
