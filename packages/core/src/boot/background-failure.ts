import { isStrataError, type Logger, silentLogger } from '../index.js';

export interface BackgroundFailureOptions {
  logger: Logger;
  /** The app's own handler (Express's `onError`); called once, its own errors logged. */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * A background boot has no caller to reject to. Rejecting anyway would be an unhandled rejection,
 * which ends the process on Node ≥ 15: the app, not this library, decides whether it should.
 */
export function reportBackgroundFailure(error: unknown, options: BackgroundFailureOptions): void {
  const { logger, onError } = options;
  const message = error instanceof Error ? error.message : String(error);
  logger.error(`migrations failed in the background; readiness stays 503: ${message}`, {
    ...(isStrataError(error) ? { code: error.code, ...error.details } : { code: 'UNEXPECTED' }),
  });
  if (onError) {
    try {
      onError(error);
    } catch (thrown) {
      logger.error(`onError threw: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
    }
  } else if (logger === silentLogger) {
    // Nobody would ever hear of it otherwise; a process warning goes to stderr, never stdout.
    process.emitWarning(`strata: migrations failed in the background: ${message}`, { code: 'STRATA_BOOT_FAILED' });
  }
}
