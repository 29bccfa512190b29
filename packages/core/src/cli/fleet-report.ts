import type { FleetOperation } from '../fleet/fleet-options.js';
import type { FleetEvent, FleetSummary, FleetTargetResult, NotStartedReason } from '../fleet/fleet-result.js';
import { formatDuration, formatTable, plural, printable } from './format.js';
import type { CliIo } from './io.js';
import { round } from './json-shapes.js';
import type { Output } from './output.js';

/** Past this many targets the closing table lists only those that changed, failed or did not start. */
const FULL_TABLE_UP_TO = 50;

const NOT_STARTED: Record<NotStartedReason, string> = {
  'stopped-after-failure': 'not started: stopped after a failure',
  'canary-failed': 'not started: a canary failed',
  aborted: 'not started: interrupted',
};

/**
 * Renders a fleet: `--json` writes one JSON line per target as it finishes, then a summary line;
 * text writes a line per finished target (on a terminal only those that changed or failed, under
 * a live line: done/total, running, failed, ETA) and ends with a table and the totals.
 */
export class FleetReporter {
  readonly #out: Output;
  readonly #io: CliIo;
  readonly #operation: FleetOperation;
  #total = 0;
  #done = 0;
  #failed = 0;
  #running = 0;
  #started = performance.now();

  constructor(out: Output, io: CliIo, operation: FleetOperation) {
    this.#out = out;
    this.#io = io;
    this.#operation = operation;
  }

  readonly handle = (event: FleetEvent): void => {
    switch (event.type) {
      case 'start':
        this.#total = event.total;
        this.#started = performance.now();
        if (!this.#out.json) {
          this.#out.note(this.#out.errStyle.dim(`${plural(event.total, 'target')}, ${event.concurrency} at a time`));
        }
        this.#showLive();
        return;
      case 'target-start':
        this.#running++;
        return;
      case 'target-done':
        this.#record(event.result);
        return;
    }
  };

  #record(result: FleetTargetResult): void {
    if (result.outcome !== 'not-started') {
      this.#running--;
      this.#done++;
    }
    if (result.outcome === 'failed') this.#failed++;
    if (this.#out.json) {
      this.#jsonLine({ type: 'target', ...targetJson(result) });
    } else if (!this.#out.live.enabled || result.outcome === 'failed' || changed(result)) {
      if (result.outcome !== 'not-started') this.#out.line(this.#resultLine(result));
    }
    this.#showLive();
  }

  finish(summary: FleetSummary): void {
    this.stop();
    const { out } = this;
    if (out.json) {
      this.#jsonLine({
        type: 'summary',
        total: summary.total,
        done: summary.done,
        failed: summary.failed,
        notStarted: summary.notStarted,
        steps: summary.steps,
        concurrency: summary.concurrency,
        stoppedBy: summary.stoppedBy ?? null,
        durationMs: round(summary.durationMs),
      });
      return;
    }
    if (summary.total === 0) {
      out.line('No targets.');
      return;
    }
    const shown =
      summary.total <= FULL_TABLE_UP_TO
        ? summary.results
        : summary.results.filter((result) => result.outcome !== 'done' || changed(result));
    if (shown.length > 0) {
      out.line();
      const rows = shown.map((result) => [
        printable(result.target),
        this.#outcomeCell(result),
        this.#workCell(result),
        result.outcome === 'not-started' ? '' : formatDuration(result.durationMs),
        result.error ? `${result.error.code}: ${printable(firstLine(result.error.message))}` : '',
      ]);
      for (const line of formatTable([['Target', 'Result', 'Work', 'Duration', 'Error'].map(out.style.bold), ...rows])) {
        out.line(line);
      }
      if (shown.length < summary.total) out.line(out.style.dim(`(${summary.total - shown.length} more done, nothing changed)`));
    }
    out.line(this.#totals(summary));
  }

  /** Removes the live line; safe to call more than once. */
  stop(): void {
    this.#out.live.clear();
  }

  get out(): Output {
    return this.#out;
  }

  #totals(summary: FleetSummary): string {
    const { style } = this.#out;
    const parts = [`${summary.done} done`];
    if (summary.failed > 0) parts.push(style.red(`${summary.failed} failed`));
    if (summary.notStarted > 0) parts.push(style.yellow(`${summary.notStarted} not started`));
    const steps =
      this.#operation.kind === 'run' || this.#operation.kind === 'revert'
        ? `, ${plural(summary.steps, 'migration')} ${this.#operation.kind === 'run' ? 'applied' : 'reverted'}`
        : '';
    const line = `${plural(summary.total, 'target')}: ${parts.join(', ')}${steps} in ${formatDuration(summary.durationMs)} (${summary.concurrency} at a time).`;
    const after =
      summary.stoppedBy === 'canary-failed'
        ? ' A canary failed: the rest were not started.'
        : summary.stoppedBy === 'stopped-after-failure'
          ? ' Stopped after the first failure (--continue-on-error keeps going); run again to do what is left.'
          : summary.stoppedBy === 'aborted'
            ? ' Interrupted; run again to do what is left.'
            : '';
    return summary.failed + summary.notStarted > 0 ? `${line}${after}` : style.green(line);
  }

  #resultLine(result: FleetTargetResult): string {
    const { style } = this.#out;
    const target = printable(result.target);
    if (result.outcome === 'failed') {
      return `${style.red('✗')} ${target}: ${style.red(`error[${result.error?.code}]`)} ${result.error?.message ?? ''}`;
    }
    return `${style.green('✓')} ${target}: ${this.#workCell(result)} ${style.dim(`(${formatDuration(result.durationMs)})`)}`;
  }

  #outcomeCell(result: FleetTargetResult): string {
    const { style } = this.#out;
    if (result.outcome === 'failed') return style.red('failed');
    if (result.outcome === 'not-started') return style.yellow(NOT_STARTED[result.reason ?? 'aborted']);
    return style.green('done');
  }

  #workCell(result: FleetTargetResult): string {
    if (result.outcome === 'not-started') return '';
    const report = result.report;
    if (report) {
      const up = report.direction === 'up';
      if (report.dryRun) {
        return report.planned.length === 0 ? 'nothing to do' : `would ${up ? 'apply' : 'revert'} ${report.planned.length}`;
      }
      if (report.applied.length > 0) return `${up ? 'applied' : 'reverted'} ${report.applied.length}`;
      if (report.skipped.length > 0) return `another runner did ${report.skipped.length}`;
      return up ? 'up to date' : 'nothing to revert';
    }
    if (result.problems && result.problems.length > 0) return plural(result.problems.length, 'problem');
    if (result.statuses) {
      const pending = result.statuses.filter((line) => line.state === 'pending').length;
      const applied = result.statuses.filter((line) => line.state === 'applied').length;
      return `${applied} applied, ${pending} pending`;
    }
    return '';
  }

  #showLive(): void {
    const { live, errStyle } = this.#out;
    if (!live.enabled || this.#out.json || this.#total === 0) return;
    live.show(() => {
      const finished = this.#done;
      const elapsed = performance.now() - this.#started;
      const eta = finished > 0 ? formatDuration((elapsed / finished) * (this.#total - finished)) : '…';
      const failed = this.#failed > 0 ? errStyle.red(`${this.#failed} failed`) : '0 failed';
      return `${finished}/${this.#total} done, ${this.#running} running, ${failed}, ETA ${eta}`;
    }, this.#started);
  }

  #jsonLine(value: unknown): void {
    this.#out.live.clear();
    this.#io.stdout.write(`${this.#out.redact(JSON.stringify(value, jsonValue))}\n`);
  }
}

function changed(result: FleetTargetResult): boolean {
  return (result.report?.applied.length ?? 0) > 0 || (result.problems?.length ?? 0) > 0;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

/** The JSON line of one target: what it was, what happened, how long it took, and the error if any. */
function targetJson(result: FleetTargetResult) {
  const report = result.report;
  const statuses = result.statuses;
  return {
    target: result.target,
    schema: result.schema ?? null,
    outcome: result.outcome,
    ...(result.reason ? { reason: result.reason } : {}),
    canary: result.canary,
    applied: report ? report.applied.map((step) => String(step.version)) : [],
    skipped: report ? report.skipped.map((step) => String(step.version)) : [],
    ...(report?.dryRun ? { planned: report.planned.map((step) => String(step.version)) } : {}),
    ...(statuses
      ? {
          pending: statuses.filter((line) => line.state === 'pending').map((line) => String(line.version)),
          states: countStates(statuses.map((line) => line.state)),
        }
      : {}),
    ...(result.problems ? { problems: result.problems } : {}),
    durationMs: round(result.durationMs),
    error: result.error
      ? {
          code: result.error.code,
          message: result.error.message,
          ...pick(result.error.details, ['version', 'file', 'line', 'column', 'databaseCode']),
        }
      : null,
  };
}

function countStates(states: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const state of states) counts[state] = (counts[state] ?? 0) + 1;
  return counts;
}

function pick(details: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => details[key] !== undefined).map((key) => [key, details[key]]));
}

function jsonValue(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? String(value) : value;
}
