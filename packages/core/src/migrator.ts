import type { AdoptionReport, RecordedMigration } from './adopt/adoption.js';
import { type BaselineOptions, planBaseline, withAdoptionHint } from './adopt/baseline.js';
import type { ImportOptions, ImportReport } from './adopt/import-plan.js';
import type { RepairOptions, RepairReport } from './adopt/repair.js';
import { checksumIgnoring, isCharacterList } from './checksum.js';
import type { Connection } from './dialects/connection.js';
import type { Database } from './dialects/database.js';
import { checkDirectUrl } from './dialects/postgres/direct-connection.js';
import { type DatabaseHandle, openDatabase } from './dialects/registry.js';
import { Executor, type LockedRun, type LockRequest } from './engine/executor.js';
import type { LockGuard } from './engine/lock-guard.js';
import type { Step } from './engine/step.js';
import { isStrataError, StrataError } from './errors.js';
import { type FuturePolicy, isFuturePolicy } from './future-migrations.js';
import { DIESEL_TABLE, DieselHistoryStore } from './history/diesel-history-store.js';
import type { HistoryEntry, HistorySummary } from './history/history-entry.js';
import type { HistoryStore } from './history/history-store.js';
import { SqlxHistoryStore } from './history/sqlx-history-store.js';
import { describeLockHolder, type LockHolder } from './lock/run-lock.js';
import { type LockGuardOption, resolveLockGuard } from './lock-guard-option.js';
import { type Logger, readableLogger } from './logger.js';
import type { Migration } from './migration.js';
import {
  type Plan,
  planRedo,
  planRevert,
  planRun,
  type RevertTarget,
  requireSingleTransactionPossible,
  singleTransactionRefused,
  type ValidationOptions,
  withChecksum,
} from './plan.js';
import {
  type MigrationReport,
  type MigratorEvent,
  type PlannedStep,
  type RedoReport,
  type StepReport,
  splitRedoReport,
} from './report.js';
import { describeNearMiss } from './source/near-misses.js';
import { type MigrationSource, resolveSource, statedSummary } from './source/resolve-source.js';
import { sourceDigest } from './source-digest.js';
import { computeStatus, type MigrationStatus } from './status.js';
import { loadOtelApi } from './telemetry/otel-api.js';
import { currentRun, RunTelemetry } from './telemetry/run-telemetry.js';
import { toVersion } from './version.js';

export const DEFAULT_TABLE = '_strata_migrations';
/** How long strata waits for a connection unless told otherwise: sqlx-cli's default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * How long a run's session may sit idle waiting for strata before the server ends it. strata's own
 * gaps between two round trips are client-side work (microseconds to milliseconds, a GC pause at
 * worst); a migration's long statement is not idle. A minute leaves a wide margin against ending a
 * healthy run while keeping an app blocked by a stalled runner's table locks for at most that.
 */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;
/** Shorter would risk ending a healthy run whose process paused (a long GC, a busy event loop). */
const MIN_STALL_TIMEOUT_MS = 1_000;
/** The largest timeout PostgreSQL's settings (and Node's timers) take: 2^31 - 1 ms. */
const MAX_TIMEOUT_MS = 2_147_483_647;
const YIELD_EVERY_MS = 20;

export interface MigratorOptions {
  /** The caller's pg.Pool, pg.Client or better-sqlite3 Database. */
  db: DatabaseHandle;
  /** A directory path, an array of migrations, or the module `strata embed` generates. */
  migrations: MigrationSource;
  /** History table name; `_sqlx_migrations` shares a history with SQLx. Default `_strata_migrations` (`__diesel_schema_migrations` with `history: 'diesel'`). */
  table?: string;
  /**
   * The kind of history table. `'strata'` (default): strata's own, with SQLx's columns and
   * checksums. `'diesel'`: Diesel's `__diesel_schema_migrations` (version text and run_on only),
   * so a Rust service using Diesel and this app run one history. Diesel's table keeps no checksum,
   * duration or dirty mark: an edited migration file goes unnoticed, and a `-- no-transaction`
   * migration that stops part-way leaves no row (the next run starts it again).
   */
  history?: 'strata' | 'diesel';
  /** Schema (PostgreSQL) or attached database (SQLite) holding the history table. */
  schema?: string;
  /** Milliseconds to wait for the migration lock before failing with LOCK_TIMEOUT. Default: wait. */
  lockTimeout?: number;
  /**
   * Milliseconds any one statement of a migration may run before the server cancels it:
   * PostgreSQL's `statement_timeout` (SQLSTATE 57014), MariaDB's `max_statement_time` (1969),
   * MySQL's `max_execution_time`, which bounds read-only SELECTs only (3024). Refused on SQLite.
   * Default: the server's setting.
   */
  statementTimeout?: number;
  /**
   * PostgreSQL: milliseconds strata waits for a connection from the pool (for a run's session and
   * for each read) before failing with CONNECTION_FAILED; the attempt is abandoned and its client
   * destroyed. Bounds a server that accepts the connection and never answers, even with a pool
   * built without `connectionTimeoutMillis`. 0 waits for as long as it takes. Default 10 000.
   */
  connectTimeout?: number;
  /**
   * PostgreSQL: bounds what a stalled network (nothing cut, nothing answered) can hold. Once the
   * lock is taken, the server ends the run's session after it sat idle, waiting for strata, this
   * long (`idle_in_transaction_session_timeout`, and `idle_session_timeout` on PostgreSQL 14+; a
   * shorter value the session already has is kept), which frees the step's table locks and the
   * migration lock. With a pool, a round trip that waited this long makes strata ask the server on
   * another connection whether the session still works; one ended or idle the whole time means the
   * network stalled, and the run fails with CONNECTION_FAILED. 0 sets nothing. Default 60 000.
   */
  stallTimeout?: number;
  logger?: Logger;
  /** Tolerate applied migrations that are absent from the source (future ones included). */
  ignoreMissing?: boolean;
  /**
   * Characters dropped from each up script before its checksum is taken and compared, as SQLx 0.9's
   * `migrate.ignored-chars` does (`loadConfig()` reads it from sqlx.toml): `['\r', '\uFEFF']` makes a
   * CRLF or BOM-only difference match. Changing it changes every checksum this Migrator writes and
   * compares: set it the same way as the Rust service sharing the history. Default: none.
   */
  ignoredChars?: readonly string[];
  /**
   * Applied migrations newer than every migration in the source, as when release N starts again
   * after release N+1 migrated (a rollback): `'error'` refuses with MIGRATION_FUTURE naming them,
   * `'ignore'` leaves them alone and lists them in the report's `future`. A migration absent from
   * the middle of the sequence is `missing`, not future, whatever this says. `revert()` never
   * touches a future migration. Default `'error'` (the boot modes of @strata/express and
   * @strata/nest default to `'ignore'`).
   */
  future?: FuturePolicy;
  /** Apply pending migrations older than the newest applied one instead of refusing. */
  allowOutOfOrder?: boolean;
  /**
   * Run every step of one `run()` or `revert()` in ONE transaction, history rows included: all or
   * nothing (node-pg-migrate's `singleTransaction`, Flyway's `group`). A planned step that must run
   * outside a transaction is refused up front with SINGLE_TRANSACTION_NOT_POSSIBLE. Default false:
   * one transaction per migration, as SQLx does.
   */
  singleTransaction?: boolean;
  /**
   * PostgreSQL: how runs exclude each other. `'advisory'` (default): a session advisory lock with
   * SQLx's key, so strata and SQLx runners exclude each other. `'lease'`: a row in `<table>_lease`
   * taken, renewed and released by single statements, for a pooler in transaction mode (PgBouncer)
   * or a PostgreSQL-compatible database without advisory locks; strata then sets nothing on the
   * session beyond one transaction (a `statementTimeout` is `SET LOCAL` in each step's transaction).
   */
  lock?: 'advisory' | 'lease';
  /**
   * PostgreSQL: a direct connection URL (Prisma's `directUrl`). Each run takes its session — the
   * advisory lock and the migrations — over it, while reads and probes keep using `db` (your app's
   * pooled handle, e.g. through PgBouncer in transaction mode). CLI: `--direct-url` / `DIRECT_URL`.
   */
  directUrl?: string | URL;
  /** `lock: 'lease'`: milliseconds the lease lives without a heartbeat (renewed every third). Default 30 000. */
  leaseTtl?: number;
  /**
   * PostgreSQL: the lock guard. Every transactional migration runs with `SET LOCAL lock_timeout`,
   * so a statement waiting for a table lock (an ALTER TABLE behind a long query) holds the
   * application's queries, which queue behind it, for at most that long; a step that times out
   * (55P03) is rolled back and tried again after a pause, up to `retries` times, each retry logged
   * (warn), sent as a `lock-retry` event and counted in the step's `lockRetries`. `true`: 2 000 ms,
   * 10 retries. Default off: it turns a deploy that today waits out a long job into one that can
   * fail. SQLite has no lock queue and ignores it.
   */
  lockGuard?: LockGuardOption;
  /** Progress events, for a CLI or a UI. */
  onEvent?: (event: MigratorEvent) => void;
  /**
   * OpenTelemetry: spans for each run, revert and redo (the run, the lock wait, each migration step
   * with its version and outcome) and metrics (steps, step duration, lock wait), through
   * `@opentelemetry/api` (an optional peer: install it and register an SDK). Imported only when
   * this is true; without the package the logger says so once. Default false.
   */
  telemetry?: boolean;
}

export type VersionLike = bigint | string | number;
export type RevertOptions =
  | { target: VersionLike; dryRun?: boolean }
  | { steps?: number; dryRun?: boolean }
  | { all: true; dryRun?: boolean };

export interface PlanOptions {
  direction?: 'up' | 'down';
  target?: VersionLike;
  steps?: number;
  all?: boolean;
}

export interface PlanResult {
  direction: 'up' | 'down';
  steps: PlannedStep[];
  beyondTarget: bigint[];
  /** Applied migrations newer than every migration in the source, left alone (`future: 'ignore'`). */
  future: bigint[];
}

/**
 * The engine: reads the source, compares it with the history, and applies or reverts under the
 * lock. Expected outcomes (nothing to do, a dry run) are reports; everything else is a StrataError.
 */
export class Migrator {
  readonly #database: Database;
  readonly #history: HistoryStore;
  readonly #executor: Executor;
  readonly #options: MigratorOptions;
  readonly #logger: Logger;
  readonly #table: string;
  #source: Promise<Migration[]> | undefined;
  #digest: { of: Migration[]; value: string } | undefined;

  constructor(options: MigratorOptions) {
    if (!options || typeof options !== 'object')
      throw new StrataError('INVALID_OPTIONS', 'new Migrator() needs an options object');
    if (options.migrations === undefined || options.migrations === null) {
      throw new StrataError('INVALID_OPTIONS', 'the `migrations` option is required: a directory path or an array of migrations');
    }
    if (options.table !== undefined && (typeof options.table !== 'string' || options.table.length === 0)) {
      throw new StrataError('INVALID_OPTIONS', 'the `table` option must be a non-empty string');
    }
    if (options.telemetry !== undefined && typeof options.telemetry !== 'boolean') {
      throw new StrataError('INVALID_OPTIONS', `telemetry must be true or false, not ${JSON.stringify(options.telemetry)}`);
    }
    if (options.ignoredChars !== undefined && !isCharacterList(options.ignoredChars)) {
      throw new StrataError(
        'INVALID_OPTIONS',
        `ignoredChars must be an array of single characters, such as ['\\r'], not ${JSON.stringify(options.ignoredChars)}`,
      );
    }
    if (options.singleTransaction !== undefined && typeof options.singleTransaction !== 'boolean') {
      throw new StrataError(
        'INVALID_OPTIONS',
        `singleTransaction must be true or false, not ${JSON.stringify(options.singleTransaction)}`,
      );
    }
    // Every option is checked here, before anything touches the database: a value refused after
    // the lock is taken would be a failure on the one path that must always release it.
    if (options.lockTimeout !== undefined && !(typeof options.lockTimeout === 'number' && options.lockTimeout >= 0)) {
      throw new StrataError('INVALID_OPTIONS', `lockTimeout must be a number of milliseconds >= 0, not ${options.lockTimeout}`);
    }
    if (
      options.statementTimeout !== undefined &&
      !(
        typeof options.statementTimeout === 'number' &&
        options.statementTimeout > 0 &&
        options.statementTimeout <= MAX_TIMEOUT_MS
      )
    ) {
      throw new StrataError(
        'INVALID_OPTIONS',
        `statementTimeout must be a number of milliseconds between 1 and ${MAX_TIMEOUT_MS} (about 24.8 days), not ${options.statementTimeout}`,
      );
    }
    if (options.future !== undefined && !isFuturePolicy(options.future)) {
      throw new StrataError('INVALID_OPTIONS', `future must be 'error' or 'ignore', not ${JSON.stringify(options.future)}`);
    }
    if (
      options.connectTimeout !== undefined &&
      !(typeof options.connectTimeout === 'number' && options.connectTimeout >= 0 && options.connectTimeout <= MAX_TIMEOUT_MS)
    ) {
      throw new StrataError(
        'INVALID_OPTIONS',
        `connectTimeout must be a number of milliseconds between 0 (no limit) and ${MAX_TIMEOUT_MS}, not ${options.connectTimeout}`,
      );
    }
    if (options.lock !== undefined && options.lock !== 'advisory' && options.lock !== 'lease') {
      throw new StrataError('INVALID_OPTIONS', `lock must be 'advisory' or 'lease', not ${JSON.stringify(options.lock)}`);
    }
    if (
      options.leaseTtl !== undefined &&
      !(typeof options.leaseTtl === 'number' && options.leaseTtl >= 1_000 && options.leaseTtl <= MAX_TIMEOUT_MS)
    ) {
      throw new StrataError(
        'INVALID_OPTIONS',
        `leaseTtl must be a number of milliseconds between 1000 and ${MAX_TIMEOUT_MS}, not ${options.leaseTtl}`,
      );
    }
    if (
      options.stallTimeout !== undefined &&
      !(
        typeof options.stallTimeout === 'number' &&
        (options.stallTimeout === 0 || (options.stallTimeout >= MIN_STALL_TIMEOUT_MS && options.stallTimeout <= MAX_TIMEOUT_MS))
      )
    ) {
      throw new StrataError(
        'INVALID_OPTIONS',
        `stallTimeout must be 0 (set nothing) or a number of milliseconds between ${MIN_STALL_TIMEOUT_MS} and ${MAX_TIMEOUT_MS}, not ${options.stallTimeout}`,
      );
    }
    if (options.history !== undefined && options.history !== 'strata' && options.history !== 'diesel') {
      throw new StrataError('INVALID_OPTIONS', `history must be 'strata' or 'diesel', not ${JSON.stringify(options.history)}`);
    }
    if (options.schema !== undefined && (typeof options.schema !== 'string' || options.schema.length === 0)) {
      throw new StrataError('INVALID_OPTIONS', 'the `schema` option must be a non-empty string');
    }
    for (const name of ['onEvent'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') {
        throw new StrataError('INVALID_OPTIONS', `${name} must be a function`);
      }
    }
    resolveLockGuard(options.lockGuard);
    if (options.logger !== undefined && (typeof options.logger !== 'object' || options.logger === null)) {
      throw new StrataError('INVALID_OPTIONS', 'logger must be an object with info, warn and error methods');
    }
    this.#options = options;
    this.#logger = readableLogger(options.logger);
    const diesel = options.history === 'diesel';
    this.#table = options.table ?? (diesel ? DIESEL_TABLE : DEFAULT_TABLE);
    this.#database = openDatabase(options.db, {
      statementTimeout: options.statementTimeout,
      connectTimeout: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
      ...(options.directUrl !== undefined ? { directUrl: checkDirectUrl(options.directUrl) } : {}),
      ...(options.lock === 'lease'
        ? { lease: { history: { schema: options.schema, table: this.#table }, ttlMs: options.leaseTtl } }
        : {}),
      stallTimeout: options.stallTimeout ?? DEFAULT_STALL_TIMEOUT_MS,
    });
    if (options.singleTransaction && !this.#database.dialect.capabilities.transactionalDdl) {
      throw singleTransactionRefused(this.#database.dialect);
    }
    // Pinned by name, never through the session's search_path (see Dialect.defaultSchema).
    const schema = options.schema ?? this.#database.dialect.defaultSchema;
    const historyName = { schema, table: this.#table };
    this.#history = diesel
      ? new DieselHistoryStore(this.#database.dialect, historyName)
      : new SqlxHistoryStore(this.#database.dialect, historyName);
    this.#executor = new Executor(this.#database, this.#history, { lockGuard: this.#lockGuard(options.lockGuard) });
  }

  #lockGuard(option: LockGuardOption | undefined): LockGuard | undefined {
    const guard = resolveLockGuard(option);
    if (!guard) return undefined;
    return {
      ...guard,
      onRetry: ({ step, retry, retries, delayMs, lockTimeoutMs }) => {
        const version = String(step.migration.version);
        this.#logger.warn(
          `migration ${version} waited ${lockTimeoutMs} ms for a table lock (lock guard): rolled back, retry ${retry} of ${retries} in ${delayMs} ms`,
          { version, retry, retries, delayMs, lockTimeoutMs },
        );
        this.#emit({ type: 'lock-retry', step: plannedStep(step), retry, retries, delayMs, lockTimeoutMs });
      },
    };
  }

  /** The history table's name (without its schema), as configured or defaulted. */
  get historyTable(): string {
    return this.#table;
  }

  /** The database the handle points at, for messages (any password removed). */
  describe(): string {
    return this.#database.describe();
  }

  /** A cheap round trip proving the database answers (what readiness probes ask). */
  async ping(): Promise<void> {
    await this.#database.reader.query('SELECT 1');
  }

  /**
   * Who holds the migration lock now, asked without taking it: null when it is free; undefined when
   * nobody else could hold it (an in-memory SQLite database, a lock of another kind).
   */
  async lockHolder(): Promise<LockHolder | null | undefined> {
    const lock = this.#database.runLock;
    return lock.inspect ? lock.inspect(this.#database.reader) : undefined;
  }

  /** The migrations from the source, read once per Migrator. */
  migrations(): Promise<Migration[]> {
    this.#source ??= resolveSource(this.#options.migrations).then((resolved) => {
      if (resolved.ignored.length > 0) {
        this.#logger.debug?.(`ignored ${resolved.ignored.length} entries in the migrations source`, {
          ignored: resolved.ignored,
        });
      }
      // A file named like a migration that is not read is never silent: an app hears it through its logger.
      for (const miss of resolved.nearMisses) {
        this.#logger.warn(`${resolved.description}: ${describeNearMiss(miss, '')}`, { file: miss.entry, reason: miss.reason });
      }
      return withIgnoredChars(resolved.migrations, this.#options.ignoredChars);
    });
    const source = this.#source;
    source.catch(() => {
      if (this.#source === source) this.#source = undefined;
    });
    return source;
  }

  /** Every migration with its state: applied, pending, modified, missing, future or dirty. Takes no lock. */
  async status(): Promise<MigrationStatus[]> {
    const [migrations, history] = await Promise.all([this.migrations(), this.#history.rows(this.#database.reader)]);
    return computeStatus(migrations, history ?? []);
  }

  /** What run (or revert) would do now, without taking the lock or changing anything. */
  async plan(options: PlanOptions = {}): Promise<PlanResult> {
    const [migrations, history] = await Promise.all([this.migrations(), this.#history.entries(this.#database.reader)]);
    const dialect = this.#database.dialect;
    const plan =
      options.direction === 'down'
        ? planRevert(migrations, history ?? [], this.#revertTarget(options), this.#validation(), dialect)
        : planRun(migrations, history ?? [], this.#runTarget(options.target), this.#validation(), dialect);
    if (this.#options.singleTransaction) requireSingleTransactionPossible(plan.steps);
    return {
      direction: plan.direction,
      steps: plan.steps.map(plannedStep),
      beyondTarget: plan.beyondTarget,
      future: plan.future,
    };
  }

  /** Applies pending migrations in version order, each in its own transaction (or all in one: `singleTransaction`). */
  run(options: { target?: VersionLike; dryRun?: boolean } = {}): Promise<MigrationReport> {
    return this.#observed('run', options.dryRun ?? false, () => this.#run(options));
  }

  async #run(options: { target?: VersionLike; dryRun?: boolean }): Promise<MigrationReport> {
    const started = performance.now();
    const target = this.#runTarget(options.target);
    if (target.target === undefined && (await this.#upToDate())) {
      return {
        ...emptyReport('up', options.dryRun ?? false, this.#options.singleTransaction === true),
        totalMs: performance.now() - started,
      };
    }
    return this.#execute(
      'up',
      options.dryRun ?? false,
      (migrations, history) => planRun(migrations, history, target, this.#validation(), this.#database.dialect),
      target.target === undefined,
    );
  }

  /**
   * The boot-time no-op check: one query folds the history into a digest, compared with the
   * source's. Equal means every migration is applied, unchanged and clean. Anything else (or a
   * driver that cannot fold) falls through to the full plan, which says what differs.
   */
  async #upToDate(): Promise<boolean> {
    const stated = statedSummary(this.#options.migrations);
    if (stated) return sameSummary(await this.#summary(), stated.count, stated.digest);
    const [migrations, summary] = await Promise.all([this.migrations(), this.#summary()]);
    return this.#matchesSource(migrations, summary);
  }

  #summary(): Promise<HistorySummary | undefined> {
    return this.#history.summary(this.#database.reader);
  }

  #matchesSource(migrations: Migration[], summary: HistorySummary | undefined): boolean {
    if (!summary?.clean || summary.count !== migrations.length) return false;
    if (this.#digest?.of !== migrations) this.#digest = { of: migrations, value: sourceDigest(migrations) };
    return sameSummary(summary, migrations.length, this.#digest.value);
  }

  /** Runs down scripts newest first: the newest one by default, or down to a target, `steps` or `all`. */
  revert(options: RevertOptions = {}): Promise<MigrationReport> {
    const target = this.#revertTarget(options as PlanOptions);
    return this.#observed('revert', options.dryRun ?? false, () =>
      this.#execute('down', options.dryRun ?? false, (migrations, history) =>
        planRevert(migrations, history, target, this.#validation(), this.#database.dialect),
      ),
    );
  }

  /**
   * Diesel's redo: reverts the migrations `revert()` would (the newest by default), then applies the
   * same ones again, under one lock. Where every step can run in a transaction, all of them run in
   * ONE, so a failed redo (a down script that does not undo its up script) changes nothing. A
   * `-- no-transaction` step makes it run step by step: a failure then leaves what finished (see
   * `status()`). With the `singleTransaction` option that case is refused up front instead.
   */
  async redo(options: RevertOptions = {}): Promise<RedoReport> {
    const target = this.#revertTarget(options as PlanOptions);
    const report = await this.#observed('redo', options.dryRun ?? false, () =>
      this.#execute(
        'down',
        options.dryRun ?? false,
        (migrations, history) =>
          planRedo(planRevert(migrations, history, target, this.#validation(), this.#database.dialect), this.#database.dialect),
        false,
        this.#options.singleTransaction ? 'required' : 'when-possible',
      ),
    );
    return splitRedoReport(report);
  }

  /**
   * Records the way out of a dirty row once a person has repaired the database: `applied` marks
   * it successful, `rolled-back` removes it so the next run applies it again.
   */
  async resolve(version: VersionLike, resolution: 'applied' | 'rolled-back'): Promise<void> {
    const wanted = toVersion(version);
    await this.#executor.underLock(this.#lockRequest(), ({ session, history }) => history.resolve(session, wanted, resolution));
    this.#logger.info(`resolved migration ${wanted} as ${resolution}`, { version: String(wanted), resolution });
  }

  /**
   * Adopts a database whose schema already exists up to `version` (built by hand or by another
   * tool): records every migration of the source up to it as applied, with the source's checksums
   * and an execution time of 0, without running any. Each recorded row is also written to the
   * audit table `<table>_resolutions`.
   */
  async baseline(options: BaselineOptions): Promise<AdoptionReport> {
    const version = toVersion(options.version);
    const dryRun = options.dryRun ?? false;
    const migrations = await this.migrations();
    const plan = (history: readonly HistoryEntry[]) =>
      planBaseline(migrations, history, version, options.skipApplied ?? false, this.#validation().historyTable);
    const report = (chosen: ReturnType<typeof plan>, recorded: boolean): AdoptionReport => ({
      dryRun,
      planned: chosen.record.map(recordedMigration),
      recorded: recorded ? chosen.record.map(recordedMigration) : [],
      alreadyApplied: chosen.alreadyApplied,
    });
    if (dryRun) return report(plan((await this.#history.entries(this.#database.reader)) ?? []), false);
    const done = await this.#executor.underLock(this.#lockRequest(), async ({ session, history }) => {
      const chosen = plan((await history.entries(session)) ?? []);
      if (chosen.record.length > 0) await history.recordApplied(session, chosen.record, 'baseline');
      return report(chosen, true);
    });
    const result = done!.value;
    this.#logger.info(`baseline: recorded ${result.recorded.length} migration(s) up to ${version} as applied`, {
      version: String(version),
      recorded: result.recorded.length,
    });
    return result;
  }

  /**
   * Adopts a database another tool migrated: reads that tool's history table (never changing it),
   * matches its entries to the source's migrations by the tool's rule, and records the matched ones
   * as applied, as `baseline` does, each with an audit row `imported from <tool>`. Refuses while the
   * tool's history holds a failed or unfinished entry (FOREIGN_HISTORY_DIRTY).
   */
  async importHistory(options: ImportOptions): Promise<ImportReport> {
    // The readers of other tools' histories load only for an import, not with every run.
    const [{ importReport, prepareImport, readForeignHistory }, { planImport }] = await Promise.all([
      import('./adopt/import-history.js'),
      import('./adopt/import-plan.js'),
    ]);
    const dialect = this.#database.dialect;
    const { tool, at } = prepareImport(options, dialect, this.#history.name);
    const dryRun = options.dryRun ?? false;
    const migrations = await this.migrations();
    const table = this.#validation().historyTable;
    const plan = async (on: Connection, history: readonly HistoryEntry[]) =>
      planImport(tool, at.displayName, await readForeignHistory(on, dialect, tool, at), migrations, history, table);
    if (dryRun) {
      const reader = this.#database.reader;
      return importReport(tool, at, await plan(reader, (await this.#history.entries(reader)) ?? []), true, false);
    }
    const done = await this.#executor.underLock(this.#lockRequest(), async ({ session, history }) => {
      const chosen = await plan(session, (await history.entries(session)) ?? []);
      if (chosen.record.length > 0) await history.recordApplied(session, chosen.record, `imported from ${tool.name}`);
      return importReport(tool, at, chosen, false, true);
    });
    const result = done!.value;
    this.#logger.info(
      `import: recorded ${result.recorded.length} migration(s) from ${at.displayName} (${tool.name}) as applied`,
      {
        from: tool.name,
        recorded: result.recorded.length,
      },
    );
    return result;
  }

  /**
   * Re-records the checksum of an applied migration whose file was changed on purpose (a comment,
   * formatting): the old row goes to the audit table `<table>_resolutions` with the new checksum,
   * the time, the user and `reason`. Never use it for a change to what a migration does: write a
   * new migration instead, since databases that applied the old text keep the old schema.
   */
  async repair(options: RepairOptions): Promise<RepairReport> {
    const version = toVersion(options.version);
    const dryRun = options.dryRun ?? false;
    const { planRepair, repairReport } = await import('./adopt/repair.js');
    const migrations = await this.migrations();
    const table = this.#validation().historyTable;
    if (dryRun) {
      return repairReport(
        planRepair(migrations, (await this.#history.entries(this.#database.reader)) ?? [], version, table),
        true,
      );
    }
    const done = await this.#executor.underLock(this.#lockRequest(), async ({ session, history }) => {
      const plan = planRepair(migrations, (await history.entries(session)) ?? [], version, table);
      if (plan.changed) await history.repair(session, plan.migration, options.reason);
      return repairReport(plan, false);
    });
    const result = done!.value;
    if (result.changed) {
      this.#logger.info(`repaired migration ${version}: its checksum is now the file's`, {
        version: String(version),
        previousChecksum: result.previousChecksum,
        checksum: result.checksum,
      });
    }
    return result;
  }

  async #execute(
    direction: 'up' | 'down',
    dryRun: boolean,
    makePlan: (migrations: Migration[], history: HistoryEntry[]) => Plan,
    stopWaitingWhenUpToDate = false,
    together: 'required' | 'when-possible' | 'never' = this.#options.singleTransaction ? 'required' : 'never',
  ): Promise<MigrationReport> {
    const started = performance.now();
    const planned = (migrations: Migration[], history: HistoryEntry[]): Plan => {
      const plan = makePlan(migrations, history);
      if (together === 'required') requireSingleTransactionPossible(plan.steps);
      return plan;
    };
    const asOne = (steps: readonly Step[]): boolean =>
      together === 'required' || (together === 'when-possible' && steps.every((step) => this.#canJoinBatch(step)));
    let singleTransaction = together === 'required';
    const [migrations, history] = await Promise.all([this.migrations(), this.#history.entries(this.#database.reader)]);
    let fastPlan: Plan | undefined;
    try {
      fastPlan = planned(migrations, history ?? []);
    } catch (error) {
      // A dirty row seen without the lock may be another runner's no-transaction migration in
      // progress: only the history read under the lock can tell it from a crash.
      if (dryRun || !isStrataError(error, 'MIGRATION_DIRTY')) throw error;
    }
    const report: MigrationReport = {
      ...emptyReport(direction, dryRun, fastPlan ? asOne(fastPlan.steps) : singleTransaction),
      planned: fastPlan?.steps.map(plannedStep) ?? [],
      beyondTarget: fastPlan?.beyondTarget ?? [],
      future: fastPlan?.future ?? [],
    };
    if (fastPlan && (fastPlan.steps.length === 0 || dryRun)) {
      this.#logFuture(report);
      report.totalMs = performance.now() - started;
      return report;
    }

    const lockStarted = performance.now();
    let historyWasEmpty = false;
    try {
      const done = await this.#executor.underLock(
        this.#lockRequest(stopWaitingWhenUpToDate ? (summary) => this.#matchesSource(migrations, summary) : undefined),
        async (run) => {
          report.lockTaken = true;
          report.lockWaitMs = run.waitedMs;
          this.#emit({ type: 'lock-acquired', waitedMs: run.waitedMs });
          // Another runner may have moved the history while we waited: plan again under the lock.
          const underLock = (await run.history.entries(run.session)) ?? [];
          historyWasEmpty = underLock.length === 0;
          const plan = planned(migrations, underLock);
          // What the read before the lock planned and another runner applied meanwhile (it held
          // the lock and released it just as this one took it) was skipped, not forgotten.
          const stillPending = new Set(plan.steps.map((step) => step.migration.version));
          for (const step of fastPlan?.steps ?? []) {
            if (stillPending.has(step.migration.version)) continue;
            const skipped = plannedStep(step);
            report.skipped.push(skipped);
            this.#emit({ type: 'step-skipped', step: skipped });
          }
          report.planned = plan.steps.map(plannedStep);
          report.beyondTarget = plan.beyondTarget;
          report.future = plan.future;
          singleTransaction = asOne(plan.steps);
          report.singleTransaction = singleTransaction;
          if (singleTransaction && plan.steps.length > 0) await this.#applyAsOne(run, plan.steps, report);
          else await this.#applyEach(run, plan.steps, report);
        },
      );
      if (!done) {
        // Another runner applied everything while this one waited: nothing left to do, no lock taken.
        report.skipped = report.planned;
        report.planned = [];
        report.lockWaitMs = performance.now() - lockStarted;
        for (const step of report.skipped) this.#emit({ type: 'step-skipped', step });
      }
    } catch (caught) {
      const error =
        direction === 'up' &&
        historyWasEmpty &&
        report.applied.length === 0 &&
        this.#database.dialect.isAlreadyExists(causeOf(caught))
          ? withAdoptionHint(caught)
          : caught;
      if (isStrataError(error) && report.lockTaken) this.#logger.error(error.message, { code: error.code, ...error.details });
      throw error;
    }
    this.#logFuture(report);
    report.totalMs = performance.now() - started;
    return report;
  }

  /** A run that left future migrations alone says so: the schema is newer than this release knows. */
  #logFuture(report: MigrationReport): void {
    if (report.future.length === 0) return;
    const versions = report.future.map(String);
    this.#logger.warn(
      `ignoring ${versions.length === 1 ? 'migration' : 'migrations'} ${versions.join(', ')}: applied, but newer than every migration in this source (a newer release applied ${versions.length === 1 ? 'it' : 'them'})`,
      { future: versions },
    );
  }

  async #applyEach({ steps: runner }: LockedRun, steps: readonly Step[], report: MigrationReport): Promise<void> {
    const yieldNow = eventLoopTurns();
    for (const step of steps) {
      // SQLite runs in-process and never waits on a socket: without a turn of the event loop
      // between steps, signal handlers (Ctrl-C), timers and probes would wait for the whole run.
      await yieldNow();
      const planned = plannedStep(step);
      this.#emit({ type: 'step-start', step: planned });
      const stepStarted = performance.now();
      const outcome = await runner.apply(step);
      if (outcome.status === 'already-done') {
        report.skipped.push(planned);
        this.#emit({ type: 'step-skipped', step: planned });
        continue;
      }
      const done: StepReport = {
        ...planned,
        durationMs: performance.now() - stepStarted,
        executionTimeNs: outcome.executionTimeNs,
        ...(outcome.lockRetries ? { lockRetries: outcome.lockRetries } : {}),
      };
      report.applied.push(done);
      this.#logStep(done);
      this.#emit({ type: 'step-done', step: done });
    }
  }

  /**
   * singleTransaction: the driver runs the steps in one transaction. Events fire as each step runs
   * (a step-done means "ran inside the open transaction"); the report and the log lines list the
   * steps only once the commit succeeded, so they never name work a rollback undid.
   */
  async #applyAsOne({ steps: runner }: LockedRun, steps: readonly Step[], report: MigrationReport): Promise<void> {
    const ran: StepReport[] = [];
    const skipped: PlannedStep[] = [];
    let current: { planned: PlannedStep; startedAt: number } | undefined;
    await runner.applyAll(steps, {
      started: (step) => {
        current = { planned: plannedStep(step), startedAt: performance.now() };
        this.#emit({ type: 'step-start', step: current.planned });
      },
      finished: (step, outcome) => {
        const planned = current?.planned ?? plannedStep(step);
        if (outcome.status === 'already-done') {
          skipped.push(planned);
          this.#emit({ type: 'step-skipped', step: planned });
          return;
        }
        const done: StepReport = {
          ...planned,
          durationMs: performance.now() - (current?.startedAt ?? performance.now()),
          executionTimeNs: outcome.executionTimeNs,
        };
        ran.push(done);
        this.#emit({ type: 'step-done', step: done });
      },
    });
    report.applied.push(...ran);
    report.skipped.push(...skipped);
    for (const step of ran) this.#logStep(step);
  }

  /** Whether a step can share one transaction with others: transactional, needing no setting outside one. */
  #canJoinBatch(step: Step): boolean {
    return step.transactional && !this.#database.dialect.settingOutsideTransaction?.(step.script);
  }

  #logStep(step: StepReport): void {
    const verb = step.direction === 'up' ? 'applied' : 'reverted';
    this.#logger.info(`${verb} migration ${step.version} ${step.description} (${step.durationMs.toFixed(1)} ms)`, {
      version: String(step.version),
      durationMs: step.durationMs,
    });
  }

  #lockRequest(stopWaitingWhen?: LockRequest['stopWaitingWhen']): LockRequest {
    return {
      stopWaitingWhen,
      timeoutMs: this.#options.lockTimeout,
      onWait: (waitedMs: number, holder: LockHolder | undefined) => {
        this.#logger.warn(
          `waiting for the migration lock (${Math.round(waitedMs)} ms so far), held by ${describeLockHolder(holder)}`,
          { waitedMs, holder },
        );
        this.#emit({ type: 'lock-wait', waitedMs, holder });
      },
    };
  }

  #emit(event: MigratorEvent): void {
    currentRun.getStore()?.observe(event);
    this.#options.onEvent?.(event);
  }

  /** With `telemetry`, the work runs inside its spans and metrics; otherwise as it is, importing nothing. */
  async #observed<T>(operation: 'run' | 'revert' | 'redo', dryRun: boolean, work: () => Promise<T>): Promise<T> {
    const api = this.#options.telemetry ? await loadOtelApi(this.#logger) : undefined;
    if (!api) return work();
    const dialect = this.#database.dialect.name;
    const described = this.describe();
    const telemetry = new RunTelemetry(
      api,
      operation,
      {
        system: dialect === 'postgres' ? 'postgresql' : dialect,
        namespace:
          dialect === 'postgres'
            ? described.slice(described.lastIndexOf('/') + 1) || undefined
            : described.replace(/^sqlite:\/\//, ''),
      },
      dryRun,
    );
    try {
      const result = await currentRun.run(telemetry, work);
      telemetry.succeeded();
      return result;
    } catch (error) {
      telemetry.failed(error);
      throw error;
    }
  }

  #validation(): ValidationOptions {
    const schema = this.#options.schema ? `${this.#options.schema}.` : '';
    return {
      ignoreMissing: this.#options.ignoreMissing ?? false,
      allowOutOfOrder: this.#options.allowOutOfOrder ?? false,
      future: this.#options.future ?? 'error',
      historyTable: `${schema}${this.#table}`,
    };
  }

  #runTarget(target: VersionLike | undefined) {
    return target === undefined ? {} : { target: toVersion(target) };
  }

  #revertTarget(options: PlanOptions): RevertTarget {
    if (options.all) return { all: true };
    if (options.target !== undefined) return { target: toVersion(options.target) };
    return { steps: options.steps ?? 1 };
  }
}

/** Every one of `count` migrations applied, clean, with the checksums the digest folds. */
function sameSummary(summary: HistorySummary | undefined, count: number, digest: string): boolean {
  return summary?.clean === true && count > 0 && summary.count === count && summary.digest === digest;
}

function emptyReport(direction: 'up' | 'down', dryRun: boolean, singleTransaction: boolean): MigrationReport {
  return {
    direction,
    dryRun,
    singleTransaction,
    applied: [],
    planned: [],
    skipped: [],
    beyondTarget: [],
    future: [],
    lockTaken: false,
    lockWaitMs: 0,
    totalMs: 0,
  };
}

function causeOf(error: unknown): unknown {
  return error instanceof Error ? error.cause : undefined;
}

function recordedMigration(migration: Migration): RecordedMigration {
  return { version: migration.version, description: migration.description };
}

function plannedStep(step: Step): PlannedStep {
  return {
    version: step.migration.version,
    description: step.migration.description,
    direction: step.direction,
    transactional: step.transactional,
    file: step.file,
  };
}

/** Lets the event loop turn at most every YIELD_EVERY_MS, so a long in-process run stays interruptible at step boundaries. */
function eventLoopTurns(): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < YIELD_EVERY_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}

/** The migrations with their checksums taken without `ignored` (SQLx's ignored-chars); unchanged when none. */
function withIgnoredChars(migrations: Migration[], ignored: readonly string[] | undefined): Migration[] {
  if (!ignored || ignored.length === 0) return migrations;
  const set = new Set(ignored);
  return migrations.map((migration) => withChecksum(migration, checksumIgnoring(migration.up, set)));
}
