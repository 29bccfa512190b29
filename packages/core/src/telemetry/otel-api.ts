import type { Logger } from '../logger.js';

/**
 * The few parts of `@opentelemetry/api` strata uses, typed here so that core neither depends on the
 * package nor makes its users' type checks need it: it is an optional peer, imported only when a
 * Migrator is given `telemetry: true`.
 */
export interface OtelSpan {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error): unknown;
  end(endTime?: number): void;
}

export interface OtelTracer {
  startSpan(name: string, options?: { kind?: number; startTime?: number; attributes?: Attributes }, context?: unknown): OtelSpan;
}

export interface OtelMeter {
  createCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): { add(value: number, attributes?: Attributes): void };
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string },
  ): { record(value: number, attributes?: Attributes): void };
}

export type Attributes = Record<string, string | number | boolean>;

export interface OtelApi {
  trace: { getTracer(name: string, version?: string): OtelTracer; setSpan(context: unknown, span: OtelSpan): unknown };
  metrics: { getMeter(name: string, version?: string): OtelMeter };
  context: { active(): unknown };
  SpanKind: { INTERNAL: number; CLIENT: number };
  SpanStatusCode: { ERROR: number };
}

const PACKAGE = '@opentelemetry/api';
let loading: Promise<OtelApi | undefined> | undefined;

/**
 * Imports `@opentelemetry/api` once, on first use: absent (never installed), telemetry is off and
 * the logger says so once. A variable specifier, so no bundler pulls it in or fails without it.
 */
export function loadOtelApi(logger: Logger): Promise<OtelApi | undefined> {
  loading ??= import(PACKAGE).then(
    (module: { default?: OtelApi } & Partial<OtelApi>) => (module.trace ? (module as OtelApi) : module.default),
    () => {
      logger.warn(`telemetry is on, but ${PACKAGE} is not installed: no spans or metrics (npm install ${PACKAGE})`);
      return undefined;
    },
  );
  return loading;
}
