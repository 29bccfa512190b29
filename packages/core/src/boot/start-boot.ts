import type { Logger, MigrationReport } from '../index.js';
import { type BackgroundFailureOptions, reportBackgroundFailure } from './background-failure.js';
import { logBootSummary } from './boot-summary.js';
import type { MigrationBoot } from './migration-boot.js';

export interface StartBootOptions extends BackgroundFailureOptions {
  logger: Logger;
  /** Resolve at once and let the work go on; a failure is then reported, never rejected. */
  background: boolean;
  /** Background mode: whether a gate holds the app's other routes meanwhile (for the log line). */
  gated: boolean;
}

/**
 * Starts the boot work the way every integration does: in the foreground it settles with the work
 * (rejecting with the engine's error, so the app never listens on a bad schema); in the background
 * it resolves at once. Either way, success is summed up in one log line.
 */
export async function startBoot(boot: MigrationBoot, options: StartBootOptions): Promise<MigrationReport | undefined> {
  const work = boot.start().then(async (report) => {
    await logBootSummary(boot, options.logger);
    return report;
  });
  if (!options.background) return work;
  const meanwhile = options.gated ? 'other routes answer 503 until they finish' : 'other routes are not gated';
  options.logger.info(`migrations (${boot.mode} mode) continue in the background; ${meanwhile}`, {
    mode: boot.mode,
    gate: options.gated,
  });
  work.catch((error: unknown) => reportBackgroundFailure(error, options));
  return undefined;
}
