/**
 * The library never prints. It reports through a logger of this shape, so `console`, pino,
 * winston or Nest's Logger fit without an adapter.
 */
export interface Logger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
  debug?(message: string, context?: Record<string, unknown>): void;
}

export const silentLogger: Logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
};

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The logger strata talks to: the caller's, with each context object made to read well where it is
 * printed with util.inspect (`console.info(message, context)` shows ` [version=3 durationMs=0.6]`,
 * not a raw multi-line object with 16 decimals) while its enumerable fields stay exactly as they
 * were for a structured logger (pino, winston) that serialises them.
 */
export function readableLogger(logger: Logger | undefined): Logger {
  if (!logger) return silentLogger;
  const wrap =
    (write: (message: string, context?: Record<string, unknown>) => void) =>
    (message: string, context?: Record<string, unknown>) =>
      context === undefined ? write.call(logger, message) : write.call(logger, message, readable(context));
  return {
    info: wrap(logger.info),
    warn: wrap(logger.warn),
    error: wrap(logger.error),
    ...(logger.debug ? { debug: wrap(logger.debug) } : {}),
  };
}

function readable(context: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...context };
  Object.defineProperty(copy, INSPECT, { enumerable: false, value: () => `[${inline(context)}]` });
  return copy;
}

function inline(context: Record<string, unknown>): string {
  return Object.entries(context)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${inlineValue(value)}`)
    .join(' ');
}

function inlineValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(1);
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'bigint' || typeof value === 'boolean' || value === null) return String(value);
  if (value instanceof Date) return value.toISOString();
  try {
    return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? String(inner) : inner)) ?? String(value);
  } catch {
    return String(value);
  }
}
