export { concurrencyFor, MAX_DEFAULT_CONCURRENCY, SQLITE_CONCURRENCY, serverConcurrency } from './default-concurrency.js';
export { sqliteFleetFiles, targetsFromQuery } from './discover-targets.js';
export type { FleetDrivers } from './drivers.js';
export type { FleetMigratorOptions, FleetOperation, FleetOptions } from './fleet-options.js';
export type {
  FleetEvent,
  FleetFailure,
  FleetOutcome,
  FleetSummary,
  FleetTargetResult,
  NotStartedReason,
} from './fleet-result.js';
export type { FleetTarget, FleetTargetInput } from './fleet-target.js';
export type { HistoryProblem } from './history-problems.js';
export { type FleetRun, migrateFleet } from './migrate-fleet.js';
