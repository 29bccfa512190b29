import { AsyncLocalStorage } from 'node:async_hooks';
import { isStrataError } from '../errors.js';
import type { MigratorEvent, PlannedStep } from '../report.js';
import type { Attributes, OtelApi, OtelSpan } from './otel-api.js';

const SCOPE = '@strata/core';

/** Which database a run is against, as OpenTelemetry's database conventions name it. */
export interface RunTarget {
  /** `db.system.name`: `postgresql` or `sqlite`. */
  system: string;
  /** `db.namespace`: the database's name, when there is one. */
  namespace: string | undefined;
}

/**
 * One run's (or revert's, or redo's) spans and metrics: a span for the run, a child for the wait
 * for the lock, one per migration step with its version and outcome; counters and histograms of
 * the steps and the lock wait. Fed the Migrator's own events, so it sees exactly what the CLI sees.
 */
export class RunTelemetry {
  readonly #api: OtelApi;
  readonly #root: OtelSpan;
  readonly #context: unknown;
  readonly #db: Attributes;
  readonly #steps: { add(value: number, attributes?: Attributes): void };
  readonly #duration: { record(value: number, attributes?: Attributes): void };
  readonly #lockWait: { record(value: number, attributes?: Attributes): void };
  #current: { step: PlannedStep; span: OtelSpan; startedAt: number } | undefined;
  #applied = 0;

  constructor(api: OtelApi, operation: 'run' | 'revert' | 'redo', target: RunTarget, dryRun: boolean) {
    this.#api = api;
    this.#db = { 'db.system.name': target.system, ...(target.namespace ? { 'db.namespace': target.namespace } : {}) };
    const tracer = api.trace.getTracer(SCOPE);
    this.#root = tracer.startSpan(`strata ${operation}`, {
      kind: api.SpanKind.INTERNAL,
      attributes: { ...this.#db, 'strata.operation': operation, 'strata.dry_run': dryRun },
    });
    this.#context = api.trace.setSpan(api.context.active(), this.#root);
    const meter = api.metrics.getMeter(SCOPE);
    this.#steps = meter.createCounter('strata.migration.steps', {
      description: 'migration steps, by direction and outcome (applied, skipped, failed)',
      unit: '{step}',
    });
    this.#duration = meter.createHistogram('strata.migration.duration', {
      description: 'wall time of one migration step, history write included',
      unit: 's',
    });
    this.#lockWait = meter.createHistogram('strata.lock.wait.duration', {
      description: 'time spent waiting for the migration lock',
      unit: 's',
    });
  }

  readonly observe = (event: MigratorEvent): void => {
    switch (event.type) {
      case 'lock-acquired': {
        // The wait is known once it is over: the span is drawn back to when it began.
        const now = Date.now();
        const span = this.#tracer().startSpan(
          'strata lock wait',
          { kind: this.#api.SpanKind.INTERNAL, startTime: now - event.waitedMs, attributes: { ...this.#db } },
          this.#context,
        );
        span.end(now);
        this.#lockWait.record(event.waitedMs / 1000, this.#db);
        this.#root.setAttribute('strata.lock.wait_ms', event.waitedMs);
        return;
      }
      case 'step-start':
        this.#current = {
          step: event.step,
          startedAt: performance.now(),
          span: this.#tracer().startSpan(
            `strata migration ${event.step.direction}`,
            {
              kind: this.#api.SpanKind.CLIENT,
              attributes: { ...this.#db, 'db.operation.name': 'migrate', ...stepAttributes(event.step) },
            },
            this.#context,
          ),
        };
        return;
      case 'step-done':
        this.#applied++;
        this.#finishStep(event.step, 'applied', event.step.durationMs, {
          'strata.migration.execution_time_ms': Number(event.step.executionTimeNs) / 1e6,
        });
        return;
      case 'step-skipped':
        this.#finishStep(event.step, 'skipped', undefined);
        return;
      case 'lock-wait':
        return;
    }
  };

  /** The run ended well: the root span closes with what it did. */
  succeeded(): void {
    this.#root.setAttribute('strata.migrations.applied', this.#applied);
    this.#root.end();
  }

  /** The run failed: the step it was in (if any) and the run itself end in error, with the code. */
  failed(error: unknown): void {
    const current = this.#current;
    if (current) {
      markError(current.span, error, this.#api);
      this.#finishStep(current.step, 'failed', performance.now() - current.startedAt);
    }
    markError(this.#root, error, this.#api);
    this.#root.setAttribute('strata.migrations.applied', this.#applied);
    this.#root.end();
  }

  #tracer() {
    return this.#api.trace.getTracer(SCOPE);
  }

  #finishStep(
    step: PlannedStep,
    outcome: 'applied' | 'skipped' | 'failed',
    durationMs: number | undefined,
    extra: Attributes = {},
  ): void {
    const current =
      this.#current?.step.version === step.version && this.#current.step.direction === step.direction ? this.#current : undefined;
    const span =
      current?.span ??
      this.#tracer().startSpan(
        `strata migration ${step.direction}`,
        { kind: this.#api.SpanKind.CLIENT, attributes: { ...this.#db, ...stepAttributes(step) } },
        this.#context,
      );
    this.#current = undefined;
    span.setAttribute('strata.migration.outcome', outcome);
    for (const [key, value] of Object.entries(extra)) span.setAttribute(key, value);
    span.end();
    const attributes = { ...this.#db, 'strata.migration.direction': step.direction, 'strata.migration.outcome': outcome };
    this.#steps.add(1, attributes);
    if (durationMs !== undefined) this.#duration.record(durationMs / 1000, attributes);
  }
}

function stepAttributes(step: PlannedStep): Attributes {
  return {
    'strata.migration.version': String(step.version),
    'strata.migration.description': step.description,
    'strata.migration.direction': step.direction,
    'strata.migration.transactional': step.transactional,
    ...(step.file ? { 'strata.migration.file': step.file } : {}),
  };
}

function markError(span: OtelSpan, error: unknown, api: OtelApi): void {
  const message = error instanceof Error ? error.message : String(error);
  span.setStatus({ code: api.SpanStatusCode.ERROR, message });
  span.setAttribute('error.type', isStrataError(error) ? error.code : error instanceof Error ? error.name : 'Error');
  if (error instanceof Error) span.recordException(error);
}

/** The run whose events are being observed, so the Migrator's one event path feeds the right run's spans. */
export const currentRun = new AsyncLocalStorage<RunTelemetry>();
