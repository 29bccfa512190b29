import type { MigrationState, MigrationStatus, MigratorEvent } from '../index.js';

/** This build's migrations against the database: the counts every probe reports. */
export interface VersionCounts {
  /** Migrations of this build recorded as applied. */
  applied: number;
  /** Migrations of this build not applied yet. */
  pending: number;
  /** Entries that are modified, missing from this build, or dirty. */
  problems: number;
  /** The newest applied version of this build, as a decimal string; null while none is. */
  latest: string | null;
  /**
   * Applied versions newer than every migration of this build (a newer release applied them, and
   * this one was rolled back), as decimal strings in ascending order; empty when there are none.
   */
  future: string[];
}

/**
 * The boot's one picture of the history, from which every probe takes its counts. A read of the
 * history sets it; steps move it as they happen, so that in the middle of a run readiness and
 * health agree (a read alone would lag by its cache time, the report alone arrives at the end).
 *
 * Reads and steps are ordered by a tick: a read reflects the steps committed before it started,
 * so a step newer than the read is laid over it, and an older one is already in it. Steps of an
 * open run are laid over every read: with `singleTransaction` they are invisible to readers until
 * the run commits.
 */
export class VersionPicture {
  #tick = 0;
  #read: { tick: number; states: Map<bigint, MigrationState> } | undefined;
  #moves = new Map<bigint, { tick: number; state: 'applied' | 'pending' }>();
  #runOpenedAt: number | undefined;

  /** Call as a read of the history starts; hand the ticket to `read()` with what it found. */
  startRead(): number {
    return ++this.#tick;
  }

  read(ticket: number, lines: readonly MigrationStatus[]): void {
    // Two reads may overlap (a probe's and the boot's own): the one that started later wins.
    if (this.#read && this.#read.tick > ticket) return;
    this.#read = { tick: ticket, states: new Map(lines.map((line) => [line.version, line.state])) };
    for (const [version, move] of this.#moves) {
      if (move.tick < ticket && !this.#inOpenRun(move.tick)) this.#moves.delete(version);
    }
  }

  /** Follows the engine's progress events (the boot chains them into the Migrator's `onEvent`). */
  follow(event: MigratorEvent): void {
    // A skipped step is one another runner completed: the history has it, whoever ran it.
    if (event.type !== 'step-done' && event.type !== 'step-skipped') return;
    const state = event.step.direction === 'up' ? 'applied' : 'pending';
    this.#moves.set(event.step.version, { tick: ++this.#tick, state });
  }

  openRun(): void {
    this.#runOpenedAt = ++this.#tick;
  }

  /**
   * `committed: false` (a single-transaction run that failed) forgets the run's steps: the rollback
   * undid them. Otherwise they stand until a read that starts after now, which will see them.
   */
  closeRun(committed: boolean): void {
    const opened = this.#runOpenedAt;
    this.#runOpenedAt = undefined;
    if (opened === undefined) return;
    const now = ++this.#tick;
    for (const [version, move] of this.#moves) {
      if (move.tick < opened) continue;
      if (committed) move.tick = now;
      else this.#moves.delete(version);
    }
  }

  /** undefined until the history has been read once. */
  counts(): VersionCounts | undefined {
    if (!this.#read) return undefined;
    const states = new Map(this.#read.states);
    for (const [version, move] of this.#moves) {
      // A version the build does not know stays as the read found it (a missing one is a problem either way).
      if (states.has(version) && (move.tick > this.#read.tick || this.#inOpenRun(move.tick))) states.set(version, move.state);
    }
    const counts: VersionCounts = { applied: 0, pending: 0, problems: 0, latest: null, future: [] };
    let latest: bigint | undefined;
    const future: bigint[] = [];
    for (const [version, state] of states) {
      if (state === 'applied') {
        counts.applied++;
        if (latest === undefined || version > latest) latest = version;
      } else if (state === 'pending') counts.pending++;
      else if (state === 'future') future.push(version);
      else counts.problems++;
    }
    counts.latest = latest === undefined ? null : String(latest);
    counts.future = future.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
    return counts;
  }

  #inOpenRun(tick: number): boolean {
    return this.#runOpenedAt !== undefined && tick > this.#runOpenedAt;
  }
}
