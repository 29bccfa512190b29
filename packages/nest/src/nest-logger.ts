import { Logger, type LoggerService } from '@nestjs/common';
import type { Logger as StrataLogger } from '@strata/core';

/**
 * Adapts a Nest logger to the engine's `{ info, warn, error, debug }` shape. Messages from the
 * engine already say what happened; the context object (versions, codes, timings) is appended to
 * warnings, errors and debug lines, where it helps someone act on them.
 */
export function nestLogger(logger: LoggerService = new Logger('Migrations')): StrataLogger {
  return {
    info: (message) => logger.log(message),
    warn: (message, context) => logger.warn(message + formatContext(context)),
    error: (message, context) => logger.error(message + formatContext(context)),
    debug: (message, context) => logger.debug?.(message + formatContext(context)),
  };
}

function formatContext(context: Record<string, unknown> | undefined): string {
  if (!context || Object.keys(context).length === 0) return '';
  try {
    return ` ${JSON.stringify(context, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))}`;
  } catch {
    return '';
  }
}
