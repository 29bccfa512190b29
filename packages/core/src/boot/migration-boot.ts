import { setTimeout as sleep } from 'node:timers/promises';
// The boot layer uses the engine through its public API only, like any other client of it.
import { futureMigrationsError } from '../future-migrations.js';
import {
  type DatabaseHandle,
  type FuturePolicy,
  isStrataError,
  type Logger,
  type MigrationReport,
  type MigrationStatus,
  Migrator,
  type MigratorEvent,
  type MigratorOptions,
  StrataError,
} from '../index.js';
import { readableLogger } from '../logger.js';
import { countOf } from './plural.js';
import { retryConnection } from './retry-connection.js';
import { type VersionCounts, VersionPicture } from './version-picture.js';

/**
 * - `run`: apply pending migrations under the lock (the default; safe with many replicas).
 * - `wait`: never migrate; wait until another instance or a job has applied every known migration.
 * - `verify`: only check; fail when anything is pending, modified, missing or dirty.
 *
 * Applied migrations newer than this build's ("future": a newer release applied them, and this
 * one was rolled back) are left alone in every mode by default (`future: 'ignore'`), so a rollback
 * boots; the probes and the boot summary name them. `future: 'error'` refuses them.
 */
export type BootMode = 'run' | 'wait' | 'verify';

export type BootState = 'idle' | 'migrating' | 'waiting' | 'verifying' | 'ready' | 'failed';

const DEFAULT_CONNECT_DEADLINE_MS = 30_000;
/** The Migrator's own default for `connectTimeout`. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface MigrationBootOptions extends Omit<MigratorOptions, 'db'> {
  mode?: BootMode;
  /**
   * Applied migrations newer than every migration of this build (a rolled-back release):
   * `'ignore'` boots and shows them in the probes as a warning; `'error'` fails the boot with
   * MIGRATION_FUTURE. Default `'ignore'` here (the engine's own default is `'error'`): an app that
   * cannot start after a rollback crash-loops, and nobody is there to pass a flag.
   */
  future?: FuturePolicy;
  /**
   * Milliseconds to keep retrying a database that cannot be reached at boot (refused, reset,
   * starting, or accepting connections and never answering); then CONNECTION_FAILED. Each attempt
   * waits for its connection at most `connectTimeout` (default 10 000, capped at this deadline), and
   * a read still waiting at the deadline is abandoned there. Default 30 000.
   */
  connectDeadline?: number;
  /** `wait` mode: milliseconds to wait for another instance to finish. Default 300 000. */
  waitTimeout?: number;
  /** `wait` mode: milliseconds between two looks at the history. Default 1 000. */
  waitInterval?: number;
}

/** What probes and status endpoints may show: no SQL, no stack, no connection string. */
export interface BootSnapshot {
  mode: BootMode;
  state: BootState;
  draining: boolean;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  /** Versions this instance applied at boot (run mode), growing as each one is done. */
  applied: string[];
  /** This build's migrations against the database, kept current during a run; undefined until first read. */
  versions: VersionCounts | undefined;
  /** Milliseconds the boot run waited for a lock another runner held; 0 when it found the lock free. */
  lockWaitMs: number;
  error: { code: string; version?: string } | undefined;
}

/**
 * Runs the migrations an app needs before it serves, and remembers how that went, for the
 * integrations (Express, Nest) and their probes. Framework-free.
 */
export class MigrationBoot {
  readonly migrator: Migrator;
  readonly mode: BootMode;
  /** What this boot does with future migrations (see MigrationBootOptions.future). */
  readonly future: FuturePolicy;
  readonly #options: MigrationBootOptions;
  readonly #logger: Logger;
  readonly #picture = new VersionPicture();
  #state: BootState = 'idle';
  #draining = false;
  #report: MigrationReport | undefined;
  #applied: string[] = [];
  #lockWaitMs = 0;
  #running = false;
  #error: unknown;
  #startedAt: Date | undefined;
  #finishedAt: Date | undefined;
  #done: Promise<MigrationReport | undefined> | undefined;
  #lastRead: { at: number; state: BootState } | undefined;
  #readInFlight: Promise<MigrationStatus[]> | undefined;

  constructor(db: DatabaseHandle, options: MigrationBootOptions) {
    const mode = options.mode ?? 'run';
    if (mode !== 'run' && mode !== 'wait' && mode !== 'verify') {
      throw new StrataError('INVALID_OPTIONS', `mode must be 'run', 'wait' or 'verify', not ${JSON.stringify(mode)}`);
    }
    this.mode = mode;
    this.#options = options;
    this.#logger = readableLogger(options.logger);
    const onEvent = options.onEvent;
    // The Migrator refuses a value that is neither; until then, whatever was given is passed on.
    this.future = options.future ?? 'ignore';
    this.migrator = new Migrator({
      ...options,
      future: this.future,
      db,
      connectTimeout: attemptTimeout(options.connectTimeout, options.connectDeadline ?? DEFAULT_CONNECT_DEADLINE_MS),
      onEvent: (event) => {
        this.#follow(event);
        onEvent?.(event);
      },
    });
  }

  get state(): BootState {
    return this.#state;
  }

  get ready(): boolean {
    return this.#state === 'ready';
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** The report of the boot run (run mode), once it finished. */
  get report(): MigrationReport | undefined {
    return this.#report;
  }

  get error(): unknown {
    return this.#error;
  }

  /** Starts the boot work once; later calls return the same promise. */
  start(): Promise<MigrationReport | undefined> {
    this.#done ??= this.#boot();
    return this.#done;
  }

  /** Readiness fails from now on, so a load balancer drains this instance before it stops. */
  drain(): void {
    this.#draining = true;
  }

  /** Every migration's state, read from the database now; the probes' counts follow what it finds. */
  async status(): Promise<MigrationStatus[]> {
    const ticket = this.#picture.startRead();
    const state = this.#state;
    const lines = await this.migrator.status();
    this.#picture.read(ticket, lines);
    this.#lastRead = { at: Date.now(), state };
    return lines;
  }

  /**
   * Reads the history unless a read younger than `maxAgeMs` was taken in the current state (one
   * taken before the boot finished must not outlive it). Concurrent callers share one read.
   */
  async refreshVersions(maxAgeMs: number): Promise<void> {
    const last = this.#lastRead;
    if (last && last.state === this.#state && Date.now() - last.at < maxAgeMs) return;
    this.#readInFlight ??= this.status().finally(() => {
      this.#readInFlight = undefined;
    });
    await this.#readInFlight;
  }

  snapshot(): BootSnapshot {
    const error = this.#error;
    return {
      mode: this.mode,
      state: this.#state,
      draining: this.#draining,
      startedAt: this.#startedAt,
      finishedAt: this.#finishedAt,
      applied: [...this.#applied],
      versions: this.#picture.counts(),
      lockWaitMs: this.#lockWaitMs,
      error:
        error === undefined
          ? undefined
          : isStrataError(error)
            ? { code: error.code, ...(error.details.version ? { version: error.details.version } : {}) }
            : { code: 'UNEXPECTED' },
    };
  }

  #follow(event: MigratorEvent): void {
    this.#picture.follow(event);
    if (!this.#running) return;
    if (event.type === 'step-done' && event.step.direction === 'up') this.#applied.push(String(event.step.version));
    // Only a lock someone else holds causes these; taking a free lock still costs a round trip,
    // which the report's lockWaitMs counts but which is no wait.
    if (event.type === 'lock-wait') this.#lockWaitMs = event.waitedMs;
  }

  async #boot(): Promise<MigrationReport | undefined> {
    this.#startedAt = new Date();
    try {
      const report = await this.#work();
      this.#report = report;
      this.#state = 'ready';
      return report;
    } catch (error) {
      this.#error = error;
      this.#state = 'failed';
      throw error;
    } finally {
      this.#finishedAt = new Date();
    }
  }

  async #work(): Promise<MigrationReport | undefined> {
    const retry = <T>(task: (giveUpAt: number) => Promise<T>) =>
      retryConnection(task, {
        deadlineMs: this.#options.connectDeadline ?? DEFAULT_CONNECT_DEADLINE_MS,
        onRetry: (error, attempt, delayMs) =>
          this.#logger.warn(`database not reachable (attempt ${attempt}); retrying in ${Math.round(delayMs)} ms`, {
            code: (error as { code?: string }).code,
          }),
      });
    if (this.mode === 'run') {
      this.#state = 'migrating';
      return retry(async (giveUpAt) => {
        // One read first, so the probes can count from the first step on, not only from the report.
        await this.#readBy(giveUpAt);
        return this.#run();
      });
    }
    if (this.mode === 'verify') {
      this.#state = 'verifying';
      const statuses = await retry((giveUpAt) => this.#readBy(giveUpAt));
      this.#refuseFuture(statuses);
      const problems = statuses.filter((line) => line.state !== 'applied' && line.state !== 'future');
      if (problems.length > 0) throw notUpToDate(problems, 'NOT_UP_TO_DATE');
      return undefined;
    }
    this.#state = 'waiting';
    const deadline = Date.now() + (this.#options.waitTimeout ?? 300_000);
    for (;;) {
      const statuses = await retry((giveUpAt) => this.#readBy(giveUpAt));
      const modified = statuses.filter((line) => line.state === 'modified');
      if (modified.length > 0) throw notUpToDate(modified, 'MIGRATION_MODIFIED');
      this.#refuseFuture(statuses);
      // `missing` is fine here: during a rolling deploy a newer release may already have migrated further.
      const outstanding = statuses.filter((line) => line.state === 'pending' || line.state === 'dirty');
      if (outstanding.length === 0) return undefined;
      if (Date.now() >= deadline) throw notUpToDate(outstanding, 'WAIT_TIMEOUT');
      this.#logger.info(`waiting for ${countOf(outstanding.length, 'migration')} to be applied by another instance`, {
        versions: outstanding.map((line) => String(line.version)),
      });
      await sleep(Math.min(this.#options.waitInterval ?? 1_000, Math.max(0, deadline - Date.now())));
    }
  }

  /** Wait and verify read the history themselves: the same rule as the engine's run. */
  #refuseFuture(statuses: readonly MigrationStatus[]): void {
    if (this.future === 'ignore' || this.#options.ignoreMissing) return;
    const future = statuses.filter((line) => line.state === 'future').map((line) => line.version);
    if (future.length === 0) return;
    const newest = statuses.reduce((max, line) => (line.migration && line.version > max ? line.version : max), 0n);
    throw futureMigrationsError(future, newest);
  }

  /**
   * The boot's read of the history, given up at the connect deadline even when the driver never
   * answers (a pool without connectionTimeoutMillis waits for such a server as long as the socket
   * lives). It only reads, so leaving it behind is safe; the Migrator destroys its connection if it
   * ever comes.
   */
  #readBy(giveUpAt: number): Promise<MigrationStatus[]> {
    const read = this.status();
    // A deadline of 0 asks for one attempt without retries, bounded by connectTimeout alone.
    if (!((this.#options.connectDeadline ?? DEFAULT_CONNECT_DEADLINE_MS) > 0)) return read;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => {
          const waited = this.#options.connectDeadline ?? DEFAULT_CONNECT_DEADLINE_MS;
          reject(
            new StrataError(
              'CONNECTION_FAILED',
              `cannot reach the database at ${this.migrator.describe()}: no answer within the connectDeadline of ${waited} ms`,
              { transient: true, connectDeadline: waited },
            ),
          );
        },
        Math.max(0, giveUpAt - performance.now()),
      );
    });
    return Promise.race([read, deadline]).finally(() => clearTimeout(timer));
  }

  /** The boot's run, with its steps followed live; the report has the last word on what was applied. */
  async #run(): Promise<MigrationReport> {
    this.#running = true;
    this.#applied = [];
    this.#picture.openRun();
    let committed = false;
    try {
      const report = await this.migrator.run();
      this.#applied = report.applied.map((step) => String(step.version));
      if (this.#lockWaitMs > 0) this.#lockWaitMs = report.lockWaitMs;
      committed = true;
      return report;
    } finally {
      this.#running = false;
      // A failed single-transaction run was rolled back whole; a failed step-by-step run keeps the steps before it.
      if (!committed && this.#options.singleTransaction) this.#applied = [];
      this.#picture.closeRun(committed || !this.#options.singleTransaction);
    }
  }
}

/**
 * One attempt never waits longer for a connection than the whole boot may. Left as given: 0 (no
 * limit), a deadline of 0 (one attempt, no retries) and values the Migrator refuses with a message.
 */
function attemptTimeout(connectTimeout: number | undefined, deadline: number): number | undefined {
  const timeout = connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (typeof timeout !== 'number' || timeout <= 0 || !(typeof deadline === 'number' && deadline > 0)) return connectTimeout;
  return Math.min(timeout, deadline);
}

function notUpToDate(lines: MigrationStatus[], code: 'NOT_UP_TO_DATE' | 'WAIT_TIMEOUT' | 'MIGRATION_MODIFIED'): StrataError {
  const list = lines.map((line) => `${line.version} (${line.state})`).join(', ');
  const lead =
    code === 'WAIT_TIMEOUT'
      ? 'gave up waiting for other instances to apply migrations'
      : code === 'MIGRATION_MODIFIED'
        ? 'applied migrations differ from this build'
        : 'the database schema is not up to date';
  return new StrataError(code, `${lead}: ${list}`, {
    version: String(lines[0]?.version),
    versions: lines.map((line) => String(line.version)),
    states: lines.map((line) => line.state),
  });
}
