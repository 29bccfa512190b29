import type { Migrator } from '../migrator.js';
import type { MigrationReport, PlannedStep } from '../report.js';
import { formatDuration, formatTable, plural, printable } from './format.js';
import type { Output } from './output.js';
import type { ProgressRenderer } from './progress.js';

/** Runs one engine call with its events rendered, marking the step that was running if it fails. */
export async function withProgress<T>(renderer: ProgressRenderer, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    renderer.failed();
    throw error;
  }
}

export async function applyPending(
  migrator: Migrator,
  renderer: ProgressRenderer,
  options: { target?: bigint; dryRun?: boolean } = {},
): Promise<MigrationReport> {
  return withProgress(renderer, () =>
    migrator.run({ ...(options.target !== undefined ? { target: options.target } : {}), dryRun: options.dryRun ?? false }),
  );
}

/** The closing line(s) of `run`, `revert` and their dry runs. */
export function printReportSummary(out: Output, report: MigrationReport): void {
  const { style } = out;
  const up = report.direction === 'up';
  if (report.dryRun) {
    if (report.planned.length === 0) {
      out.line(up ? 'Nothing pending: the database is up to date (dry run).' : 'Nothing to revert (dry run).');
    } else {
      out.line(
        `${style.bold('Dry run:')} would ${up ? 'apply' : 'revert'} ${plural(report.planned.length, 'migration')}; nothing was changed.`,
      );
      for (const line of planLines(out, report.planned)) out.line(line);
    }
  } else if (report.applied.length > 0) {
    const verb = up ? 'Applied' : 'Reverted';
    const waited = report.lockWaitMs >= 1000 ? ` (waited ${formatDuration(report.lockWaitMs)} for the lock)` : '';
    const together = report.singleTransaction ? ' in one transaction' : '';
    out.line(
      style.green(
        `${verb} ${plural(report.applied.length, 'migration')}${together} in ${formatDuration(report.totalMs)}${waited}.`,
      ),
    );
  } else if (report.skipped.length > 0) {
    out.line(
      `Nothing left to ${up ? 'apply' : 'revert'}: another runner did ${plural(report.skipped.length, 'migration')} meanwhile.`,
    );
  } else {
    out.line(up ? 'Nothing pending: the database is up to date.' : 'Nothing to revert: no migration is applied.');
  }
  if (report.future.length > 0) {
    out.line(
      style.yellow(
        `Ignored ${plural(report.future.length, 'applied migration')} newer than every migration here (a newer release applied ${report.future.length === 1 ? 'it' : 'them'}): ${report.future.join(', ')}`,
      ),
    );
  }
  if (report.beyondTarget.length > 0) {
    out.line(
      `${plural(report.beyondTarget.length, 'pending migration')} newer than the target left for later: ${report.beyondTarget.join(', ')}`,
    );
  }
}

export function planLines(out: Output, steps: readonly PlannedStep[]): string[] {
  return formatTable(
    steps.map((step) => [
      String(step.version),
      printable(step.description),
      step.transactional ? 'in a transaction' : out.style.yellow('without a transaction'),
      out.style.dim(printable(step.file ?? '')),
    ]),
    '  ',
  );
}
