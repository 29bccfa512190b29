import { setTimeout as sleep } from 'node:timers/promises';
import type { DatabaseHandle } from '../dialects/registry.js';
import { StrataError } from '../errors.js';
import { type Logger, silentLogger } from '../logger.js';
import { Migrator, type MigratorOptions } from '../migrator.js';
import type { MigrationReport } from '../report.js';
import type { MigrationStatus } from '../status.js';
import { retryConnection } from './retry-connection.js';

/**
 * - `run`: apply pending migrations under the lock (the default; safe with many replicas).
 * - `wait`: never migrate; wait until another instance or a job has applied every known migration.
 * - `verify`: only check; fail when anything is pending, modified, missing or dirty.
 */
export type BootMode = 'run' | 'wait' | 'verify';

export type BootState = 'idle' | 'migrating' | 'waiting' | 'verifying' | 'ready' | 'failed';

export interface MigrationBootOptions extends Omit<MigratorOptions, 'db'> {
  mode?: BootMode;
  /** Milliseconds to keep retrying a database that refuses connections at boot. Default 30 000. */
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
  /** Versions this instance applied at boot (run mode). */
  applied: string[];
  error: { code: string; version?: string } | undefined;
}

/**
 * Runs the migrations an app needs before it serves, and remembers how that went, for the
 * integrations (Express, Nest) and their probes. Framework-free.
 */
export class MigrationBoot {
  readonly migrator: Migrator;
  readonly mode: BootMode;
  readonly #options: MigrationBootOptions;
  readonly #logger: Logger;
  #state: BootState = 'idle';
  #draining = false;
  #report: MigrationReport | undefined;
  #error: unknown;
  #startedAt: Date | undefined;
  #finishedAt: Date | undefined;
  #done: Promise<MigrationReport | undefined> | undefined;

  constructor(db: DatabaseHandle, options: MigrationBootOptions) {
    const mode = options.mode ?? 'run';
    if (mode !== 'run' && mode !== 'wait' && mode !== 'verify') {
      throw new StrataError('INVALID_OPTIONS', `mode must be 'run', 'wait' or 'verify', not ${JSON.stringify(mode)}`);
    }
    this.mode = mode;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.migrator = new Migrator({ ...options, db });
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

  snapshot(): BootSnapshot {
    const error = this.#error;
    return {
      mode: this.mode,
      state: this.#state,
      draining: this.#draining,
      startedAt: this.#startedAt,
      finishedAt: this.#finishedAt,
      applied: this.#report?.applied.map((step) => String(step.version)) ?? [],
      error:
        error === undefined
          ? undefined
          : error instanceof StrataError
            ? { code: error.code, ...(error.details.version ? { version: error.details.version } : {}) }
            : { code: 'UNEXPECTED' },
    };
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
    const retry = <T>(task: () => Promise<T>) =>
      retryConnection(task, {
        deadlineMs: this.#options.connectDeadline ?? 30_000,
        onRetry: (error, attempt, delayMs) =>
          this.#logger.warn(`database not reachable (attempt ${attempt}); retrying in ${Math.round(delayMs)} ms`, {
            code: (error as { code?: string }).code,
          }),
      });
    if (this.mode === 'run') {
      this.#state = 'migrating';
      return retry(() => this.migrator.run());
    }
    if (this.mode === 'verify') {
      this.#state = 'verifying';
      const statuses = await retry(() => this.migrator.status());
      const problems = statuses.filter((line) => line.state !== 'applied');
      if (problems.length > 0) throw notUpToDate(problems, 'NOT_UP_TO_DATE');
      return undefined;
    }
    this.#state = 'waiting';
    const deadline = Date.now() + (this.#options.waitTimeout ?? 300_000);
    for (;;) {
      const statuses = await retry(() => this.migrator.status());
      const modified = statuses.filter((line) => line.state === 'modified');
      if (modified.length > 0) throw notUpToDate(modified, 'MIGRATION_MODIFIED');
      // `missing` is fine here: during a rolling deploy a newer release may already have migrated further.
      const outstanding = statuses.filter((line) => line.state === 'pending' || line.state === 'dirty');
      if (outstanding.length === 0) return undefined;
      if (Date.now() >= deadline) throw notUpToDate(outstanding, 'WAIT_TIMEOUT');
      this.#logger.info(`waiting for ${outstanding.length} migration(s) to be applied by another instance`, {
        versions: outstanding.map((line) => String(line.version)),
      });
      await sleep(Math.min(this.#options.waitInterval ?? 1_000, Math.max(0, deadline - Date.now())));
    }
  }
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
