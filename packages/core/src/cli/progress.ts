import { describeLockHolder } from '../lock/run-lock.js';
import type { MigratorEvent, PlannedStep } from '../report.js';
import { formatDuration, nsToMs, printable } from './format.js';
import type { Output } from './output.js';

/**
 * Turns the engine's events into lines: each migration as it starts and as it finishes with its
 * duration. On a terminal the start is a live line with a ticking elapsed time (also while
 * waiting for the lock, naming who holds it); elsewhere it is a plain line, so CI logs show it.
 */
export class ProgressRenderer {
  readonly #out: Output;
  /** singleTransaction: said once, before the first step, that nothing commits until the last. */
  #announceSingleTransaction: boolean;
  #current: { step: PlannedStep; startedAt: number } | undefined;
  #lockWaitStartedAt: number | undefined;

  constructor(out: Output, options: { singleTransaction?: boolean } = {}) {
    this.#out = out;
    this.#announceSingleTransaction = options.singleTransaction === true;
  }

  readonly handle = (event: MigratorEvent): void => {
    const { style, live } = this.#out;
    switch (event.type) {
      case 'lock-wait': {
        const holder = describeLockHolder(event.holder);
        this.#lockWaitStartedAt ??= performance.now() - event.waitedMs;
        if (live.enabled) {
          live.show(
            (elapsed) => `waiting for the migration lock, held by ${holder} ${style.dim(formatDuration(elapsed))}`,
            this.#lockWaitStartedAt,
          );
        } else {
          this.#out.line(`waiting for the migration lock (${formatDuration(event.waitedMs)} so far), held by ${holder}`);
        }
        return;
      }
      case 'lock-acquired':
        live.clear();
        if (this.#lockWaitStartedAt !== undefined)
          this.#out.line(`acquired the migration lock after ${formatDuration(event.waitedMs)}`);
        this.#lockWaitStartedAt = undefined;
        return;
      case 'step-start': {
        if (this.#announceSingleTransaction) {
          this.#announceSingleTransaction = false;
          this.#out.line(style.dim('one transaction for the whole run: nothing is committed until the last migration is done'));
        }
        const startedAt = performance.now();
        this.#current = { step: event.step, startedAt };
        const text = `${verb(event.step, 'ing')} ${label(event.step)}`;
        if (live.enabled) live.show((elapsed) => `${text} ${style.dim(formatDuration(elapsed))}`, startedAt);
        else this.#out.line(`${text} ...`);
        return;
      }
      case 'step-done':
        this.#current = undefined;
        // Two different times, both labelled: the step's wall time (history write and round trips
        // included) and the script's own, which history records and `info` shows.
        this.#out.line(
          `${style.green('✓')} ${verb(event.step, 'ed')} ${label(event.step)} ${style.dim(`(${formatDuration(event.step.durationMs)}; execution time ${formatDuration(nsToMs(event.step.executionTimeNs))}${retries(event.step.lockRetries)})`)}`,
        );
        return;
      case 'lock-retry':
        live.clear();
        this.#out.line(
          `${style.yellow('↻')} ${label(event.step)} waited ${formatDuration(event.lockTimeoutMs)} for a table lock (lock guard): rolled back, retry ${event.retry} of ${event.retries} in ${formatDuration(event.delayMs)}`,
        );
        return;
      case 'step-skipped':
        this.#current = undefined;
        this.#out.line(`${style.yellow('-')} skipped ${label(event.step)}: another runner already did it`);
        return;
    }
  };

  /** Marks the step that was running when an error ended the run. */
  failed(): void {
    const current = this.#current;
    this.#out.live.clear();
    if (!current) return;
    this.#current = undefined;
    const elapsed = formatDuration(performance.now() - current.startedAt);
    this.#out.line(`${this.#out.style.red('✗')} ${verb(current.step, 'ing')} ${label(current.step)} failed after ${elapsed}`);
  }
}

function retries(count: number | undefined): string {
  return count ? `, after ${count} lock ${count === 1 ? 'retry' : 'retries'}` : '';
}

function verb(step: PlannedStep, ending: 'ing' | 'ed'): string {
  if (step.direction === 'up') return ending === 'ing' ? 'applying' : 'applied';
  return ending === 'ing' ? 'reverting' : 'reverted';
}

export function label(step: PlannedStep): string {
  return `${step.version} ${printable(step.description)}`;
}
