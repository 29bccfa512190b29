import { DEFAULT_CONNECT_TIMEOUT_MS, Migrator, type MigratorOptions } from '../migrator.js';
import { type MigrationSource, resolveSource } from '../source/resolve-source.js';
import { sourceDigest } from '../source-digest.js';
import { defaultConcurrency } from './default-concurrency.js';
import { checkFleetOptions, type FleetOptions } from './fleet-options.js';
import { type FleetEvent, type FleetSummary, type FleetTargetResult, failureOf, type NotStartedReason } from './fleet-result.js';
import { type FleetTarget, type FleetTargetInput, fleetTargets } from './fleet-target.js';
import { performOperation } from './perform-operation.js';
import { ResultQueue } from './result-queue.js';
import { TargetConnection } from './target-connection.js';

/** A fleet at work: iterate it for each target's result as it finishes, or await `summary`. */
export interface FleetRun extends AsyncIterable<FleetTargetResult> {
  /** Every target's result once the fleet is done; rejects only when the fleet could not start (bad options, an unreadable source). */
  readonly summary: Promise<FleetSummary>;
}

/**
 * Migrates many databases, or many schemas of one database, with one set of migrations: at most
 * `concurrency` targets at once, each on one connection of its own (the schemas of one database
 * share a worker's connection), the source read once. Up-to-date targets cost one query each
 * (a schema target, two more to reset its reused session and set its search_path), so re-running after a failure does only
 * what is left. Prints nothing: results arrive through the iterator, `onEvent` and `summary`.
 */
export function migrateFleet(targets: Iterable<FleetTargetInput>, options: FleetOptions): FleetRun {
  checkFleetOptions(options);
  const list = fleetTargets(targets);
  const queue = new ResultQueue<FleetTargetResult>();
  const summary = runFleet(list, options, (result) => queue.push(result)).then(
    (done) => {
      queue.end();
      return done;
    },
    (reason: unknown) => {
      queue.end({ reason });
      throw reason;
    },
  );
  // A caller that only iterates hears the failure there; an unread summary must not also crash the process.
  summary.catch(() => {});
  return { summary, [Symbol.asyncIterator]: () => queue.drain() };
}

async function runFleet(
  targets: readonly FleetTarget[],
  options: FleetOptions,
  publish: (result: FleetTargetResult) => void,
): Promise<FleetSummary> {
  const started = performance.now();
  const drivers = { ...options.drivers };
  const connectTimeout = options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const migrations = await resolvedOnce(options.migrations);
  const concurrency = options.concurrency ?? (await defaultConcurrency(targets, new TargetConnection(drivers, connectTimeout)));
  const emit = (event: FleetEvent) => options.onEvent?.(event);
  emit({ type: 'start', total: targets.length, concurrency });

  const results: (FleetTargetResult | undefined)[] = new Array(targets.length);
  let stoppedBy: NotStartedReason | undefined;
  const finish = (result: FleetTargetResult) => {
    results[result.index] = result;
    publish(result);
    emit({ type: 'target-done', result });
  };
  const canaries = Math.min(options.canary ?? 0, targets.length);

  /** Workers take the next target in order until the list ends or the fleet stops. */
  const work = async (from: number, to: number, width: number, canary: boolean) => {
    let next = from;
    const worker = async () => {
      const connection = new TargetConnection(drivers, connectTimeout);
      try {
        while (next < to && stoppedBy === undefined) {
          if (options.signal?.aborted) {
            stoppedBy = 'aborted';
            break;
          }
          const target = targets[next++]!;
          emit({ type: 'target-start', index: target.index, target: target.label });
          const result = await workOn(target, canary, connection, migrations, options);
          finish(result);
          if (result.outcome === 'failed' && !options.continueOnError)
            stoppedBy ??= canary ? 'canary-failed' : 'stopped-after-failure';
        }
      } finally {
        await connection.close();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(width, to - from)) }, worker));
  };

  if (canaries > 0) {
    await work(0, canaries, concurrency, true);
    // A canary is a canary even with continueOnError: the rest never starts after one fails.
    if (stoppedBy === undefined && results.some((result) => result?.outcome === 'failed')) stoppedBy = 'canary-failed';
  }
  if (stoppedBy === undefined) await work(canaries, targets.length, concurrency, false);

  for (const target of targets) {
    if (results[target.index]) continue;
    finish({
      index: target.index,
      target: target.label,
      schema: target.schema,
      outcome: 'not-started',
      reason: stoppedBy ?? 'aborted',
      canary: target.index < canaries,
      durationMs: 0,
    });
  }
  const all = results as FleetTargetResult[];
  return {
    total: all.length,
    done: all.filter((result) => result.outcome === 'done').length,
    failed: all.filter((result) => result.outcome === 'failed').length,
    notStarted: all.filter((result) => result.outcome === 'not-started').length,
    steps: all.reduce((sum, result) => sum + (result.report?.applied.length ?? 0), 0),
    concurrency,
    stoppedBy: all.some((result) => result.outcome === 'not-started') ? stoppedBy : undefined,
    durationMs: performance.now() - started,
    results: all,
  };
}

async function workOn(
  target: FleetTarget,
  canary: boolean,
  connection: TargetConnection,
  migrations: MigrationSource,
  options: FleetOptions,
): Promise<FleetTargetResult> {
  const started = performance.now();
  const base = { index: target.index, target: target.label, schema: target.schema, canary };
  try {
    const db = await connection.open(target);
    const migrator = new Migrator(migratorOptions(target, db, migrations, options));
    const output = await performOperation(migrator, options.operation ?? { kind: 'run' }, options);
    const problem = output.problems?.[0];
    await connection.finished(problem !== undefined);
    return {
      ...base,
      outcome: problem ? 'failed' : 'done',
      durationMs: performance.now() - started,
      ...output,
      ...(problem ? { error: { code: problem.code, message: problem.message, details: { version: problem.version } } } : {}),
    };
  } catch (error) {
    await connection.finished(true);
    const failure = failureOf(error, target);
    options.logger?.error(`${target.label}: ${failure.message}`, { target: target.label, code: failure.code });
    return { ...base, outcome: 'failed', durationMs: performance.now() - started, error: failure };
  }
}

function migratorOptions(
  target: FleetTarget,
  db: MigratorOptions['db'],
  migrations: MigrationSource,
  options: FleetOptions,
): MigratorOptions {
  const schema = target.schema ?? options.schema;
  // The advisory lock's key is per database: schemas of one database under it would migrate one at a time.
  const lock = options.lock ?? (target.schema !== undefined ? 'lease' : undefined);
  const { table, history, lockTimeout, statementTimeout, connectTimeout, stallTimeout, lockGuard, logger } = options;
  const { ignoreMissing, allowOutOfOrder, future, singleTransaction } = options;
  const chosen: Partial<MigratorOptions> = {
    table,
    history,
    schema,
    lock,
    lockTimeout,
    statementTimeout,
    connectTimeout,
    stallTimeout,
    lockGuard,
    logger,
    ignoreMissing,
    allowOutOfOrder,
    future,
    singleTransaction,
  };
  for (const key of Object.keys(chosen) as (keyof MigratorOptions)[]) if (chosen[key] === undefined) delete chosen[key];
  return { ...chosen, db, migrations };
}

/**
 * The source is read and hashed once for the whole fleet, and handed to each target's Migrator as
 * an embedded module stating its history digest: an up-to-date target then costs its one query
 * and no hashing.
 */
async function resolvedOnce(source: MigrationSource): Promise<MigrationSource> {
  const { migrations } = await resolveSource(source);
  return { migrations, historyDigest: sourceDigest(migrations) };
}
