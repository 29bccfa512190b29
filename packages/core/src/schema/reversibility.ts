import type { Database } from '../dialects/database.js';
import type { Dialect } from '../dialects/dialect.js';
import { type DatabaseHandle, openDatabase } from '../dialects/registry.js';
import { Executor, type LockedRun } from '../engine/executor.js';
import { isStrataError, type StrataErrorCode } from '../errors.js';
import { SqlxHistoryStore } from '../history/sqlx-history-store.js';
import type { Migration } from '../migration.js';
import { DEFAULT_TABLE, Migrator } from '../migrator.js';
import { stepFor } from '../plan.js';
import { type MigrationSource, resolveSource } from '../source/resolve-source.js';
import { compareVersions } from '../version.js';
import { droppedData } from './down-data-loss.js';
import { downIntent, IRREVERSIBLE_MARKER } from './down-intent.js';
import { readWithOptions, type SchemaReadOptions } from './dump.js';
import { RebuildableShadow } from './rebuildable-shadow.js';
import {
  describeDifference,
  type MigrationReversibility,
  type ReversibilityFinding,
  type ReversibilityReport,
  splitOrderOnly,
  summarize,
} from './reversibility-report.js';
import { diffSchemas } from './schema-diff.js';
import type { SchemaModel } from './schema-model.js';
import type { ShadowOptions } from './shadow-database.js';

export interface ReversibilityOptions extends SchemaReadOptions, ShadowOptions {
  migrations: MigrationSource;
  /**
   * Check only the migrations newer than the live database's newest applied one: the shadow is
   * first migrated (up only) to that version, as the live database is.
   */
  onlyPending?: boolean | undefined;
  /** A migration without a down script (and without `-- strata:irreversible`) is an error, not a warning. */
  requireDown?: boolean | undefined;
  /** Called as each migration's phases start, for a progress line. */
  onProgress?: ((progress: ReversibilityProgress) => void) | undefined;
}

export interface ReversibilityProgress {
  /** 0-based position among the migrations checked, and their count. */
  index: number;
  total: number;
  version: bigint;
  description: string;
  phase: 'baseline' | 'up' | 'down' | 'redo';
}

/** Failures of a migration's own scripts: findings. Anything else (a lost connection) ends the check. */
const SCRIPT_FAILURES: ReadonlySet<StrataErrorCode> = new Set<StrataErrorCode>([
  'MIGRATION_FAILED',
  'STATEMENT_NOT_ALLOWED_IN_TRANSACTION',
  'TRANSACTION_CONTROL_IN_MIGRATION',
  'TRANSACTION_ENDED_EARLY',
  'TRANSACTION_LEFT_OPEN',
]);

/**
 * Diesel's `migration redo`, for every migration: on a shadow database, each migration in order
 * is applied, reverted and applied again, and the schema after its down is compared with the one
 * before its up. Migrations run through the Migrator, so a `-- no-transaction` script runs as it
 * would in production and every failure carries the file, line and column a run would report.
 * The temporary shadow is dropped on every path.
 */
export async function checkReversible(db: DatabaseHandle, options: ReversibilityOptions): Promise<ReversibilityReport> {
  const started = performance.now();
  const live = openDatabase(db, {});
  const migrations = [...(await resolveSource(options.migrations)).migrations].sort((a, b) =>
    compareVersions(a.version, b.version),
  );
  const baseline = options.onlyPending ? await newestApplied(db, options) : null;
  const toCheck = baseline === null ? migrations : migrations.filter((migration) => migration.version > baseline);
  const shadow = await RebuildableShadow.open(live, options);
  try {
    const check = new ShadowCheck(live.dialect, shadow, migrations, options, toCheck.length);
    if (baseline !== null) await check.migrateTo(baseline, toCheck[0]);
    const results = await check.all(toCheck);
    const summary = summarize(results);
    return {
      ok: summary.broken === 0,
      shadow: shadow.current.name,
      baseline,
      migrations: results,
      summary,
      durationMs: performance.now() - started,
    };
  } finally {
    await shadow.close();
  }
}

interface Outcome {
  result: MigrationReversibility;
  /** The shadow does not hold the schema "every migration up to this one applied": make a new one. */
  rebuild?: boolean;
  /** No later migration can be checked: this one's up does not apply. */
  stop?: boolean;
}

/**
 * One pass over the migrations. Every up, down and redo runs under one lock on one session (the
 * engine's Executor and StepRunner, as a run applies steps), so the check costs what applying the
 * migrations three times costs, plus the schema reads; a session a failure broke, or a shadow
 * that must be rebuilt, starts a new one.
 */
class ShadowCheck {
  readonly #dialect: Dialect;
  readonly #shadow: RebuildableShadow;
  readonly #migrations: Migration[];
  readonly #options: ReversibilityOptions;
  readonly #total: number;
  #database: Database;

  constructor(
    dialect: Dialect,
    shadow: RebuildableShadow,
    migrations: Migration[],
    options: ReversibilityOptions,
    total: number,
  ) {
    this.#dialect = dialect;
    this.#shadow = shadow;
    this.#migrations = migrations;
    this.#options = options;
    this.#total = total;
    this.#database = openDatabase(shadow.current.handle, {});
  }

  /** Applies the source up to `version` as a run would (the `onlyPending` starting point, or after a rebuild). */
  async migrateTo(version: bigint, announce: Migration | undefined): Promise<void> {
    if (announce) this.#progress(0, announce, 'baseline');
    await new Migrator({
      db: this.#shadow.current.handle,
      migrations: this.#migrations,
      ...(this.#options.table !== undefined ? { table: this.#options.table } : {}),
      ...(this.#options.schema !== undefined ? { schema: this.#options.schema } : {}),
      // Versions the live history holds and the source lacks do not matter to the shadow.
      ignoreMissing: true,
      future: 'ignore',
    }).run({ target: version });
  }

  async all(toCheck: readonly Migration[]): Promise<MigrationReversibility[]> {
    const results: MigrationReversibility[] = [];
    let next = 0;
    let stopped = false;
    while (next < toCheck.length && !stopped) {
      let rebuildAfter: Migration | undefined;
      await this.#executor().underLock({}, async (run) => {
        while (next < toCheck.length) {
          const migration = toCheck[next] as Migration;
          const outcome = await this.#one(run, migration, next);
          results.push(outcome.result);
          next++;
          if (outcome.stop) {
            stopped = true;
            return;
          }
          if (outcome.rebuild) {
            rebuildAfter = migration;
            return;
          }
          // A failure may leave the session unusable: the next migration gets a new one.
          if (run.session.broken) return;
        }
      });
      if (rebuildAfter !== undefined) {
        if (this.#shadow.rebuildable) await this.#rebuildThrough(rebuildAfter);
        else stopped = true;
      }
    }
    for (const migration of toCheck.slice(next)) {
      results.push({ ...identity(migration), status: 'unchecked', findings: [], durationMs: 0 });
    }
    return results;
  }

  #executor(): Executor {
    const history = new SqlxHistoryStore(this.#dialect, {
      schema: this.#options.schema ?? this.#dialect.defaultSchema,
      table: this.#options.table ?? DEFAULT_TABLE,
    });
    return new Executor(this.#database, history);
  }

  async #rebuildThrough(migration: Migration): Promise<void> {
    const shadow = await this.#shadow.rebuild();
    this.#database = openDatabase(shadow.handle, {});
    // The migration's own up worked the first time: the next one starts from there.
    await this.migrateTo(migration.version, undefined);
  }

  async #one(run: LockedRun, migration: Migration, index: number): Promise<Outcome> {
    const started = performance.now();
    const findings: ReversibilityFinding[] = [];
    const done = (status: MigrationReversibility['status'], extra: Omit<Outcome, 'result'> = {}): Outcome => ({
      result: { ...identity(migration), status, findings, durationMs: performance.now() - started },
      ...extra,
    });
    const apply = (direction: 'up' | 'down') =>
      this.#attempt(() => run.steps.apply(stepFor(migration, direction, this.#dialect)));
    const intent = downIntent(migration, this.#dialect.lexer);
    const runsDown = intent === 'script' || intent === 'empty';
    const before = runsDown ? await this.#read() : undefined;

    this.#progress(index, migration, 'up');
    const up = await apply('up');
    if (up) {
      findings.push(failureFinding('up-failed', up, migration.upFile, 'the up script fails'));
      return done('broken', { stop: true });
    }
    if (intent === 'irreversible') return done('irreversible');
    if (intent === 'none') {
      const error = this.#options.requireDown === true;
      findings.push({
        kind: 'no-down',
        severity: error ? 'error' : 'warning',
        message: `migration ${migration.version} has no down script, so it cannot be reverted (add one, or mark the up with \`${IRREVERSIBLE_MARKER}\`)`,
        ...(migration.upFile ? { file: migration.upFile } : {}),
      });
      return done(error ? 'broken' : 'irreversible');
    }
    if (intent === 'empty') findings.push(emptyDown(migration));

    this.#progress(index, migration, 'down');
    const down = await apply('down');
    if (down) {
      findings.push(failureFinding('down-failed', down, migration.downFile, 'the down script fails'));
      // A transactional down rolled back: the shadow is as the up left it and the check goes on.
      return done('broken', { rebuild: !(await this.#stillApplied(run, migration)) });
    }
    // Only for a down that runs: next to its failure, "drops what the up did not create" is noise.
    findings.push(...this.#dataLoss(migration));
    const after = await this.#read();
    findings.push(...differenceFindings(before as SchemaModel, after, migration));

    this.#progress(index, migration, 'redo');
    const redo = await apply('up');
    if (redo) {
      findings.push(
        failureFinding('redo-failed', redo, migration.upFile, 'the up fails when applied again after the down (redo)'),
      );
      return done('broken', { rebuild: true });
    }
    return done(findings.some((finding) => finding.severity === 'error') ? 'broken' : 'reversible');
  }

  /** The shadow is empty, so data lost by a down only shows in its text. */
  #dataLoss(migration: Migration): ReversibilityFinding[] {
    return droppedData(migration.up, migration.down ?? '', this.#dialect.lexer).map((lost) => {
      const what = lost.column === undefined ? `table ${lost.table}` : `column ${lost.table}.${lost.column}`;
      return {
        kind: 'data-loss',
        severity: 'warning',
        message: `the down drops ${what}, which its up did not create: reverting loses its data`,
        ...(migration.downFile ? { file: migration.downFile } : {}),
        line: lost.at.line,
        column: lost.at.column,
      };
    });
  }

  async #read(): Promise<SchemaModel> {
    return readWithOptions(this.#database, this.#options);
  }

  async #stillApplied(run: LockedRun, migration: Migration): Promise<boolean> {
    if (run.session.broken) return false;
    const entries = (await run.history.entries(run.session)) ?? [];
    return entries.some((entry) => entry.version === migration.version && entry.success);
  }

  /** Runs a step; a failure of the migration's own SQL is returned, anything else thrown. */
  async #attempt(work: () => Promise<unknown>): Promise<ScriptFailure | undefined> {
    try {
      await work();
      return undefined;
    } catch (error) {
      if (isStrataError(error) && SCRIPT_FAILURES.has(error.code)) {
        return { code: error.code, message: error.message, details: error.details };
      }
      throw error;
    }
  }

  #progress(index: number, migration: Migration, phase: ReversibilityProgress['phase']): void {
    this.#options.onProgress?.({
      index,
      total: this.#total,
      version: migration.version,
      description: migration.description,
      phase,
    });
  }
}

interface ScriptFailure {
  code: StrataErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/** Said before the down runs, so the "already exists" of the redo that follows has its cause next to it. */
function emptyDown(migration: Migration): ReversibilityFinding {
  return {
    kind: 'down-empty',
    severity: 'error',
    message: `the down script of migration ${migration.version} is empty or only comments: reverting it undoes nothing (write the down, or mark it \`${IRREVERSIBLE_MARKER}\` if that is intended)`,
    ...(migration.downFile ? { file: migration.downFile } : {}),
  };
}

function failureFinding(
  kind: 'up-failed' | 'down-failed' | 'redo-failed',
  failure: ScriptFailure,
  fallbackFile: string | undefined,
  lead: string,
): ReversibilityFinding {
  const { details } = failure;
  const file = typeof details.file === 'string' ? details.file : fallbackFile;
  return {
    kind,
    severity: 'error',
    message: `${lead}: ${shadowMessage(failure.message)}`,
    ...(file ? { file } : {}),
    ...(typeof details.line === 'number' ? { line: details.line } : {}),
    ...(typeof details.column === 'number' ? { column: details.column } : {}),
    ...(typeof details.databaseCode === 'string' ? { databaseCode: details.databaseCode } : {}),
    errorCode: failure.code,
  };
}

/**
 * A run's error message, kept to what holds on a shadow: the first line and the database's
 * `detail:` / `hint:` lines. What a run adds for a live database (rolled back, resolve it, adopt
 * it with baseline) is about a database nobody will touch again.
 */
function shadowMessage(message: string): string {
  const [first = '', ...rest] = message.split('\n');
  return [first, ...rest.filter((line) => /^\s+(detail|hint):/.test(line))].join('\n');
}

function differenceFindings(before: SchemaModel, after: SchemaModel, migration: Migration): ReversibilityFinding[] {
  const { errors, orderOnly } = splitOrderOnly(diffSchemas(before, after));
  const file = migration.downFile ? { file: migration.downFile } : {};
  const findings: ReversibilityFinding[] = [];
  if (errors.length > 0) {
    findings.push({
      kind: 'schema-differs',
      severity: 'error',
      message: `the down leaves the schema different from before the up: ${errors.flatMap(describeDifference).join('; ')}`,
      ...file,
      differences: errors,
    });
  }
  if (orderOnly.length > 0) {
    findings.push({
      kind: 'column-order',
      severity: 'warning',
      message: `the down restores ${orderOnly.map((d) => `${d.kind} ${d.name}`).join(', ')} with its columns in another order (dropped and added again): harmless unless something selects by position`,
      ...file,
      differences: orderOnly,
    });
  }
  return findings;
}

function identity(migration: Migration): Pick<MigrationReversibility, 'version' | 'description' | 'upFile' | 'downFile'> {
  return {
    version: migration.version,
    description: migration.description,
    ...(migration.upFile ? { upFile: migration.upFile } : {}),
    ...(migration.downFile ? { downFile: migration.downFile } : {}),
  };
}

/** The live history's newest successfully applied version (null when none), as drift detection reads it. */
async function newestApplied(db: DatabaseHandle, options: ReversibilityOptions): Promise<bigint | null> {
  const statuses = await new Migrator({
    db,
    migrations: options.migrations,
    ...(options.table !== undefined ? { table: options.table } : {}),
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
  }).status();
  return statuses.filter((line) => line.history?.success === true).at(-1)?.version ?? null;
}
