import { hrtime } from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { isStrataError, StrataError } from '../../errors.js';
import type { Migration } from '../../migration.js';
import { splitStatements } from '../../sql/split-statements.js';
import { offsetOfCodePoint, withoutBom } from '../../sql/text-position.js';
import { connectionFailed, isConnectionError, isRefusedConnection } from '../connection-errors.js';
import type {
  BatchProgress,
  Driver,
  HistoryEntry,
  HistoryRow,
  HistorySummary,
  LockedSession,
  LockOptions,
  Step,
  StepOutcome,
} from '../driver.js';
import { historyUnusable, toHistoryEntry, toHistoryRow } from '../history-rows.js';
import { qualifiedName, quoteIdentifier } from '../identifiers.js';
import { copyDirtyRowSql, createResolutionsTableSql } from '../resolutions.js';
import { batchDetails, batchRolledBack, migrationFailed } from '../sql-failure.js';
import { describeLockHolder, findLockHolder } from './lock-holder.js';
import { advisoryLockKey } from './lock-key.js';
import { LockReleaseSignal, UNLOCK_AND_ANNOUNCE_SQL } from './lock-release-signal.js';
import { isPgPool, type PgClientLike, type PgDatabaseError, type PgPoolLike, type PgQueryable } from './pg-handles.js';

export interface PostgresDriverOptions {
  table: string;
  schema: string | undefined;
  /** `statement_timeout` in ms for every statement a migration runs; undefined keeps the server's. */
  statementTimeout?: number | undefined;
}

const HISTORY_COLUMNS = 'version, description, installed_on, success, checksum, execution_time';
const ENTRY_COLUMNS = 'version, success, checksum';
const SUMMARY_COLUMNS = `count(*)::int AS count, coalesce(bool_and(success), TRUE) AS clean,
  encode(sha256(coalesce(string_agg(int8send(version) || checksum, ''::bytea ORDER BY version), ''::bytea)), 'hex') AS digest`;
/** The advisory lock is polled, never awaited inside pg_advisory_lock: a blocked waiter deadlocks with CREATE INDEX CONCURRENTLY. */
const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 250;
/** Listening waiters are woken by the release itself; their polls only catch holders that died. */
const MAX_POLL_LISTENING_MS = 1_000;
const WAIT_REPORT_EVERY_MS = 5_000;
/** A failed script is replayed to locate its failing statement only when that is cheap. */
const LOCATE_REPLAY_LIMIT_MS = 5_000;
const DISCONNECT_CHECK_MS = 1_000;
const BEGIN_PREFIX = 'BEGIN;\n';

export class PostgresDriver implements Driver {
  readonly dialect = 'postgres' as const;
  readonly #handle: PgPoolLike | PgClientLike;
  readonly #options: PostgresDriverOptions;

  constructor(handle: PgPoolLike | PgClientLike, options: PostgresDriverOptions) {
    this.#handle = handle;
    this.#options = options;
  }

  describe(): string {
    const params = isPgPool(this.#handle) ? this.#handle.options : (this.#handle as PgClientLike).connectionParameters;
    const fromUrl = parseConnectionString((params as { connectionString?: string } | undefined)?.connectionString);
    const user = params?.user ?? fromUrl?.user;
    const host = params?.host ?? fromUrl?.host ?? 'localhost';
    const port = params?.port ?? fromUrl?.port ?? 5432;
    const database = params?.database ?? fromUrl?.database ?? '';
    return `postgres://${user ? `${user}@` : ''}${host}:${port}/${database}`;
  }

  async readHistory(): Promise<HistoryRow[] | undefined> {
    const table = this.#displayTable();
    return (await this.#selectIfPresent(HISTORY_COLUMNS))?.map((row) => toHistoryRow(row as never, table));
  }

  async readHistoryEntries(): Promise<HistoryEntry[] | undefined> {
    const table = this.#displayTable();
    return (await this.#selectIfPresent(ENTRY_COLUMNS))?.map((row) => toHistoryEntry(row as never, table));
  }

  async readHistorySummary(): Promise<HistorySummary | undefined> {
    return this.#readSummary(this.#handle);
  }

  async #readSummary(on: PgQueryable): Promise<HistorySummary | undefined> {
    const rows = await this.#selectIfPresent(SUMMARY_COLUMNS, '', on).catch((error) => {
      // 42883: no sha256() before PostgreSQL 11; the engine falls back to reading the entries.
      if ((error as PgDatabaseError).code === '42883') return undefined;
      throw error;
    });
    const row = rows?.[0];
    return row ? { count: Number(row.count), clean: row.clean === true, digest: String(row.digest) } : undefined;
  }

  async #selectIfPresent(
    columns: string,
    order = ' ORDER BY version',
    on: PgQueryable = this.#handle,
  ): Promise<Record<string, unknown>[] | undefined> {
    this.#requireConnectedClient();
    const table = qualifiedName(this.#options.schema, this.#options.table);
    try {
      return (await on.query(`SELECT ${columns} FROM ${table}${order}`)).rows;
    } catch (error) {
      const code = (error as PgDatabaseError).code;
      // 42P01: the table does not exist; 3F000: nor does its schema. Both mean "nothing applied yet".
      if (code === '42P01' || code === '3F000') return undefined;
      if (code === '42703') throw historyUnusable(this.#displayTable(), error);
      throw this.#wrapConnectionError(error);
    }
  }

  #displayTable(): string {
    return this.#options.schema ? `${this.#options.schema}.${this.#options.table}` : this.#options.table;
  }

  async ping(): Promise<void> {
    this.#requireConnectedClient();
    try {
      await this.#handle.query('SELECT 1');
    } catch (error) {
      throw this.#wrapConnectionError(error);
    }
  }

  async lock(options: LockOptions): Promise<LockedSession | undefined> {
    this.#requireConnectedClient();
    let connection: PgQueryable;
    let releaseConnection: (broken: boolean) => void;
    try {
      if (isPgPool(this.#handle)) {
        const client = await this.#handle.connect();
        connection = client;
        releaseConnection = (broken) => client.release(broken);
      } else {
        connection = this.#handle;
        releaseConnection = () => {};
      }
    } catch (error) {
      throw this.#wrapConnectionError(error);
    }
    try {
      const { rows } = await connection.query(
        `SELECT current_database() AS database,
                coalesce((SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE c.oid = to_regclass($1)), current_schema()) AS schema`,
        [qualifiedName(this.#options.schema, this.#options.table)],
      );
      const database = String(rows[0]?.database);
      const schema = this.#options.schema ?? (rows[0]?.schema as string | null) ?? undefined;
      if (!schema) {
        throw new StrataError(
          'INVALID_OPTIONS',
          'the connection has no current schema (search_path is empty); pass the `schema` option to say where the history table lives',
        );
      }
      await enableDisconnectDetection(connection);
      const key = advisoryLockKey(database);
      const { stopWaitingWhen } = options;
      const waitedMs = await acquire(
        connection,
        key,
        options,
        stopWaitingWhen && (async () => stopWaitingWhen(await this.#readSummary(connection))),
      );
      if (waitedMs === undefined) {
        releaseConnection(false);
        return undefined;
      }
      const session = new PostgresSession(
        connection,
        releaseConnection,
        key,
        waitedMs,
        schema,
        this.#options.table,
        this.describe(),
      );
      if (this.#options.statementTimeout !== undefined) await session.limitStatements(this.#options.statementTimeout);
      return session;
    } catch (error) {
      releaseConnection(isConnectionError(error));
      throw error instanceof StrataError ? error : this.#wrapConnectionError(error);
    }
  }

  #wrapConnectionError(error: unknown): unknown {
    if ((error as { code?: unknown } | null)?.code === 'ERR_INVALID_URL') {
      return new StrataError(
        'INVALID_OPTIONS',
        'the pg connection string cannot be parsed; percent-encode special characters in the user name and password',
        {},
        { cause: error },
      );
    }
    return isConnectionError(error) || isRefusedConnection(error) ? connectionFailed(this.describe(), error) : error;
  }

  /**
   * A pg.Client that was never connected queues queries forever: say so instead of hanging.
   * (pg keeps this state in private fields; a client without them is taken as it comes.)
   */
  #requireConnectedClient(): void {
    if (isPgPool(this.#handle)) return;
    const state = this.#handle as { _connected?: unknown; _connecting?: unknown; _ending?: unknown };
    if (state._ending === true) throw new StrataError('INVALID_OPTIONS', 'the pg.Client handed to strata has been ended');
    if (state._connected === false && state._connecting === false) {
      throw new StrataError(
        'INVALID_OPTIONS',
        'the pg.Client handed to strata is not connected: `await client.connect()` first (or pass a pg.Pool)',
      );
    }
  }
}

/**
 * A backend busy in a long statement notices that its client died only when it next talks to it,
 * so a runner killed during `pg_sleep` or a long UPDATE would keep the advisory lock until the
 * statement ends. PostgreSQL 14+ can poll the socket meanwhile; older servers refuse the setting,
 * which is harmless.
 */
async function enableDisconnectDetection(connection: PgQueryable): Promise<void> {
  try {
    await connection.query(`SET client_connection_check_interval = ${DISCONNECT_CHECK_MS}`);
  } catch (error) {
    if (isConnectionError(error)) throw error;
  }
}

async function acquire(
  connection: PgQueryable,
  key: bigint,
  options: LockOptions,
  stopWaiting: (() => Promise<boolean>) | undefined,
): Promise<number | undefined> {
  const started = performance.now();
  if (await tryLock(connection, key)) return performance.now() - started;
  // Contended: subscribe to release announcements, then try again at once, so a release that
  // happened between the first attempt and the LISTEN is not missed.
  const signal = await LockReleaseSignal.listen(connection);
  try {
    return await waitForLock(connection, key, options, started, signal, stopWaiting);
  } finally {
    await signal?.close();
  }
}

async function waitForLock(
  connection: PgQueryable,
  key: bigint,
  options: LockOptions,
  started: number,
  signal: LockReleaseSignal | undefined,
  stopWaiting: (() => Promise<boolean>) | undefined,
): Promise<number | undefined> {
  let pause = FIRST_POLL_MS;
  let nextReport = 0;
  for (;;) {
    if (await tryLock(connection, key)) return performance.now() - started;
    const waited = performance.now() - started;
    if (options.timeoutMs !== undefined && waited >= options.timeoutMs) {
      const holder = await findLockHolder(connection, key).catch(() => undefined);
      throw new StrataError(
        'LOCK_TIMEOUT',
        `gave up waiting for the migration lock after ${Math.round(waited)} ms: it is held by ${describeLockHolder(holder)}`,
        { lockKey: String(key), holder },
      );
    }
    if (waited >= nextReport) {
      const holder = await findLockHolder(connection, key).catch(() => undefined);
      options.onWait?.(waited, holder);
      nextReport = waited + WAIT_REPORT_EVERY_MS;
    }
    const remaining = options.timeoutMs === undefined ? pause : Math.min(pause, Math.max(1, options.timeoutMs - waited));
    const jittered = remaining * (0.75 + Math.random() * 0.5);
    const announced = signal ? await signal.wait(jittered) : await sleep(jittered, true);
    pause = Math.min(pause * 2, signal ? MAX_POLL_LISTENING_MS : MAX_POLL_MS);
    // Many replicas booting at once: the first migrates, the rest leave as soon as it is done
    // (asked when a release is announced, or at every poll when none can be heard).
    if (announced && (await stopWaiting?.())) return undefined;
  }
}

async function tryLock(connection: PgQueryable, key: bigint): Promise<boolean> {
  const { rows } = await connection.query('SELECT pg_try_advisory_lock($1) AS locked', [String(key)]);
  return rows[0]?.locked === true;
}

class PostgresSession implements LockedSession {
  readonly waitedMs: number;
  readonly #connection: PgQueryable;
  readonly #releaseConnection: (broken: boolean) => void;
  readonly #key: bigint;
  readonly #schema: string;
  readonly #table: string;
  readonly #qualified: string;
  readonly #target: string;
  #released = false;
  #broken = false;
  /** A step ran on this connection: its session settings (SET search_path, ...) may linger. */
  #stepRan = false;
  #statementTimeoutSet = false;
  /** pg emits 'error' on a client whose server went away; unheard, that event ends the process. */
  readonly #onConnectionError = () => {
    this.#broken = true;
  };

  constructor(
    connection: PgQueryable,
    release: (broken: boolean) => void,
    key: bigint,
    waitedMs: number,
    schema: string,
    table: string,
    target: string,
  ) {
    this.#connection = connection;
    this.#target = target;
    (connection as Partial<EventEmitterLike>).on?.('error', this.#onConnectionError);
    this.#releaseConnection = release;
    this.#key = key;
    this.waitedMs = waitedMs;
    this.#schema = schema;
    this.#table = table;
    // Qualified once, under the lock: a migration that changes search_path cannot move the history.
    this.#qualified = qualifiedName(schema, table);
  }

  async ensureHistoryTable(): Promise<void> {
    await this.#query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.#schema)}`).catch((error) => {
      // 42501: no CREATE privilege on the database; fine when the schema already exists.
      if ((error as PgDatabaseError).code !== '42501') throw error;
    });
    await this.#query(
      `CREATE TABLE IF NOT EXISTS ${this.#qualified} (
         version BIGINT PRIMARY KEY,
         description TEXT NOT NULL,
         installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
         success BOOLEAN NOT NULL,
         checksum BYTEA NOT NULL,
         execution_time BIGINT NOT NULL
       )`,
    );
  }

  async readHistoryEntries(): Promise<HistoryEntry[]> {
    const table = `${this.#schema}.${this.#table}`;
    const { rows } = await this.#query(`SELECT ${ENTRY_COLUMNS} FROM ${this.#qualified} ORDER BY version`).catch((error) => {
      throw (error as PgDatabaseError).code === '42703' ? historyUnusable(table, error) : error;
    });
    return rows.map((row) => toHistoryEntry(row as never, table));
  }

  async apply(step: Step): Promise<StepOutcome> {
    this.#stepRan = true;
    return step.transactional ? this.#applyInTransaction(step) : this.#applyOutsideTransaction(step);
  }

  /**
   * Two round trips per migration: `BEGIN` travels with the script, and the history write with
   * `COMMIT` (as literals, since a multi-statement query cannot take parameters).
   */
  async #applyInTransaction(step: Step): Promise<StepOutcome> {
    const { body, bomLength } = withoutBom(step.script);
    const sent = `${BEGIN_PREFIX}${body}`;
    let executionTimeNs = 0n;
    try {
      const started = hrtime.bigint();
      try {
        await this.#query(sent);
      } catch (error) {
        const elapsedMs = Number(hrtime.bigint() - started) / 1e6;
        await this.#query('ROLLBACK').catch(() => {});
        const located = (error as PgDatabaseError).position ? undefined : await this.#locate(body, error, elapsedMs);
        throw this.#failure(
          step,
          error,
          sent,
          bomLength - BEGIN_PREFIX.length,
          located === undefined ? undefined : bomLength + located,
          false,
        );
      }
      executionTimeNs = hrtime.bigint() - started;
      await this.#query(`${historyChangeSql(this.#qualified, step, executionTimeNs)};\nCOMMIT`).catch((error) => {
        throw error instanceof StrataError ? error : historyUnusable(`${this.#schema}.${this.#table}`, error);
      });
    } catch (error) {
      await this.#query('ROLLBACK').catch(() => {});
      throw error;
    }
    return { status: 'done', executionTimeNs };
  }

  /**
   * The whole run in one transaction, one round trip per step: `BEGIN` travels with the first
   * script, each history write with the next script (so it is part of the same transaction either
   * way), and the last one with `COMMIT`.
   */
  async applyAll(steps: readonly Step[], progress: BatchProgress): Promise<StepOutcome[]> {
    this.#stepRan = true;
    const outcomes: StepOutcome[] = [];
    const ran: Step[] = [];
    const batchStarted = hrtime.bigint();
    let prefix = BEGIN_PREFIX;
    try {
      for (const step of steps) {
        progress.started(step);
        const { body, bomLength } = withoutBom(step.script);
        const sent = `${prefix}${body}`;
        const started = hrtime.bigint();
        try {
          await this.#query(sent);
        } catch (error) {
          throw await this.#batchFailure(step, ran, error, { sent, prefixLength: prefix.length, body, bomLength }, batchStarted);
        }
        const executionTimeNs = hrtime.bigint() - started;
        prefix = `${historyChangeSql(this.#qualified, step, executionTimeNs)};\n`;
        ran.push(step);
        const outcome: StepOutcome = { status: 'done', executionTimeNs };
        outcomes.push(outcome);
        progress.finished(step, outcome);
      }
      await this.#query(`${prefix}COMMIT`).catch((error) => {
        throw error instanceof StrataError ? error : historyUnusable(`${this.#schema}.${this.#table}`, error);
      });
    } catch (error) {
      await this.#query('ROLLBACK').catch(() => {});
      throw error;
    }
    return outcomes;
  }

  /** A step of a single-transaction run failed: the error for it, located, once the batch is rolled back. */
  async #batchFailure(
    step: Step,
    ranBefore: readonly Step[],
    error: unknown,
    query: { sent: string; prefixLength: number; body: string; bomLength: number },
    batchStarted: bigint,
  ): Promise<unknown> {
    const elapsedMs = Number(hrtime.bigint() - batchStarted) / 1e6;
    await this.#query('ROLLBACK').catch(() => {});
    const { position, table, schema } = error as PgDatabaseError;
    const inPrefix = position
      ? offsetOfCodePoint(query.sent, Number(position) - 1) < query.prefixLength
      : table === this.#table && schema === this.#schema;
    if (inPrefix && ranBefore.length > 0) {
      // The previous step's history write, which travelled in front of this script.
      return historyUnusable(`${this.#schema}.${this.#table}`, error);
    }
    const located = position ? undefined : await this.#locate(query.body, error, elapsedMs, ranBefore);
    return this.#failure(
      step,
      error,
      query.sent,
      query.bomLength - query.prefixLength,
      located === undefined ? undefined : query.bomLength + located,
      false,
      ranBefore,
    );
  }

  /**
   * PostgreSQL gives no position for run-time errors (a constraint, a division by zero), and a
   * whole script is one query. When the failed attempt was quick, replay it statement by statement
   * in a transaction that is always rolled back, to name the statement that fails. Returns the
   * offset in `body`, or undefined when the replay does not reproduce the same error (including
   * when the earlier steps of a single-transaction run, replayed first, fail).
   */
  async #locate(
    body: string,
    original: unknown,
    elapsedMs: number,
    ranBefore: readonly Step[] = [],
  ): Promise<number | undefined> {
    const statements = splitStatements(body, 'postgres').filter((statement) => !statement.empty);
    if (statements.length < 2 || elapsedMs > LOCATE_REPLAY_LIMIT_MS || this.#broken) return undefined;
    const code = (original as PgDatabaseError).code;
    try {
      await this.#query('BEGIN');
      await this.#query(`SET LOCAL statement_timeout = ${Math.ceil(Math.max(1_000, elapsedMs * 4))}`);
      // A step of a single-transaction run saw the earlier steps' work: replay that first.
      for (const step of ranBefore) {
        await this.#query(withoutBom(step.script).body);
        await this.#query(historyChangeSql(this.#qualified, step, 0n));
      }
      for (const statement of statements) {
        try {
          await this.#query(statement.text);
        } catch (error) {
          if ((error as PgDatabaseError).code !== code) return undefined;
          const position = (error as PgDatabaseError).position;
          return position ? statement.start + offsetOfCodePoint(statement.text, Number(position) - 1) : statement.tokenStart;
        }
      }
      return undefined;
    } catch {
      return undefined;
    } finally {
      await this.#query('ROLLBACK').catch(() => {});
    }
  }

  /**
   * Outside a transaction each statement commits on its own, so the row is written dirty first:
   * a crash part-way leaves a record the next run refuses to pass.
   */
  async #applyOutsideTransaction(step: Step): Promise<StepOutcome> {
    const version = String(step.migration.version);
    if (step.direction === 'up') await this.#insertRow(step.migration, false, 0n);
    else await this.#query(`UPDATE ${this.#qualified} SET success = FALSE WHERE version = $1`, [version]);
    const { body, bomLength } = withoutBom(step.script);
    const started = hrtime.bigint();
    for (const statement of splitStatements(body, 'postgres')) {
      if (statement.empty) continue;
      try {
        await this.#query(statement.text);
      } catch (error) {
        throw this.#failure(step, error, statement.text, bomLength + statement.start, bomLength + statement.tokenStart, true);
      }
    }
    const executionTimeNs = hrtime.bigint() - started;
    if (step.direction === 'up') {
      await this.#query(`UPDATE ${this.#qualified} SET success = TRUE, execution_time = $2 WHERE version = $1`, [
        version,
        String(executionTimeNs),
      ]);
    } else {
      await this.#query(`DELETE FROM ${this.#qualified} WHERE version = $1`, [version]);
    }
    return { status: 'done', executionTimeNs };
  }

  async resolve(version: bigint, resolution: 'applied' | 'rolled-back'): Promise<void> {
    const sql =
      resolution === 'applied'
        ? `UPDATE ${this.#qualified} SET success = TRUE WHERE version = $1 AND success = FALSE`
        : `DELETE FROM ${this.#qualified} WHERE version = $1 AND success = FALSE`;
    await this.#query('BEGIN');
    try {
      // The dirty row is copied to <table>_resolutions first, so resolving never erases what happened.
      await this.#query(createResolutionsTableSql('postgres', this.#schema, this.#table));
      await this.#query(
        copyDirtyRowSql(this.#schema, this.#table, { version: '$1', resolution: '$2', resolvedBy: 'current_user' }),
        [String(version), resolution],
      );
      const result = (await this.#query(sql, [String(version)])) as { rowCount?: number | null };
      if (!result.rowCount) {
        throw new StrataError(
          'NOT_FOUND',
          `migration ${version} has no dirty row in ${this.#schema}.${this.#table}; nothing to resolve`,
          {
            version: String(version),
          },
        );
      }
      await this.#query('COMMIT');
    } catch (error) {
      await this.#query('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  /** Set after the lock is taken, so waiting for the lock is never cut short by it. */
  async limitStatements(timeoutMs: number): Promise<void> {
    await this.#query(`SET statement_timeout = ${Math.ceil(timeoutMs)}`);
    this.#statementTimeoutSet = true;
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    try {
      if (!this.#broken) {
        await this.#connection.query(UNLOCK_AND_ANNOUNCE_SQL, [String(this.#key)]);
        // The caller's connection goes back as it came (these settings are ours, not theirs).
        await this.#connection.query('RESET client_connection_check_interval').catch(() => {});
        if (this.#statementTimeoutSet) await this.#connection.query('RESET statement_timeout').catch(() => {});
      }
    } catch {
      // A connection that died already dropped its session lock with it.
      this.#broken = true;
    } finally {
      (this.#connection as Partial<EventEmitterLike>).off?.('error', this.#onConnectionError);
      // A pooled connection a migration ran on is closed rather than reused: settings the
      // migration changed for its session must not leak into the application's queries.
      this.#releaseConnection(this.#broken || this.#stepRan);
    }
  }

  async #insertRow(migration: Migration, success: boolean, executionTimeNs: bigint): Promise<void> {
    await this.#query(
      `INSERT INTO ${this.#qualified} (version, description, success, checksum, execution_time) VALUES ($1, $2, $3, $4, $5)`,
      [String(migration.version), migration.description, success, Buffer.from(migration.checksum), String(executionTimeNs)],
    );
  }

  async #query(text: string, values?: unknown[]) {
    try {
      return await this.#connection.query(text, values);
    } catch (error) {
      if (isConnectionError(error)) {
        this.#broken = true;
        throw connectionFailed(this.#target, error);
      }
      throw error;
    }
  }

  /** The connection died under a step: retryable, and the message says what state it left. */
  #lostDuring(step: Step, error: StrataError, leftDirty: boolean, batch: readonly Step[] | undefined): StrataError {
    const version = String(step.migration.version);
    const file = step.file ? `migration ${version} (${step.file})` : `migration ${version}`;
    const state = leftDirty
      ? `${version} ran outside a transaction and stopped part-way, so it is marked dirty in ${this.#schema}.${this.#table}; ` +
        `check the database, then run \`strata resolve ${version} --applied\` or \`--rolled-back\``
      : batch
        ? `the server rolled its transaction back: ${batchRolledBack(step, batch)}`
        : 'its transaction was rolled back by the server, so nothing from it was kept';
    return new StrataError(
      'CONNECTION_FAILED',
      `lost the connection to the database while applying ${file}: ${error.message}\n  ${state}`,
      {
        ...error.details,
        version,
        file: step.file,
        direction: step.direction,
        dirty: leftDirty,
        ...(batch ? batchDetails(step, batch) : {}),
      },
      { cause: error.cause ?? error },
    );
  }

  /** `fallbackOffset` locates the error when PostgreSQL gives no position (the failing statement's start). */
  #failure(
    step: Step,
    error: unknown,
    sent: string,
    sentOffset: number,
    fallbackOffset: number | undefined,
    leftDirty: boolean,
    batch?: readonly Step[],
  ) {
    if (isStrataError(error, 'CONNECTION_FAILED')) return this.#lostDuring(step, error, leftDirty, batch);
    const pgError = error as PgDatabaseError;
    const position = pgError.position ? Number(pgError.position) : undefined;
    const offset = position === undefined ? fallbackOffset : sentOffset + offsetOfCodePoint(sent, position - 1);
    return migrationFailed({
      step,
      cause: error,
      offset,
      databaseCode: pgError.code,
      leftDirty,
      historyTable: `${this.#schema}.${this.#table}`,
      ...(batch ? { batch: { ranBefore: batch } } : {}),
    });
  }
}

interface EventEmitterLike {
  on(event: 'error', listener: () => void): unknown;
  off(event: 'error', listener: () => void): unknown;
}

/** The parts of a connection string a message may show: never the password. */
function parseConnectionString(
  connectionString: string | undefined,
): { user?: string; host?: string; port?: number; database?: string } | undefined {
  if (!connectionString) return undefined;
  try {
    const url = new URL(connectionString);
    return {
      ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
      ...(url.hostname ? { host: url.hostname } : {}),
      ...(url.port ? { port: Number(url.port) } : {}),
      ...(url.pathname.length > 1 ? { database: decodeURIComponent(url.pathname.slice(1)) } : {}),
    };
  } catch {
    return undefined;
  }
}

/** The history write of a transactional step, as literals (hex checksum, dollar-quoted description). */
function historyChangeSql(table: string, step: Step, executionTimeNs: bigint): string {
  const version = String(step.migration.version);
  if (step.direction === 'down') return `DELETE FROM ${table} WHERE version = ${version}`;
  const { description, checksum } = step.migration;
  return (
    `INSERT INTO ${table} (version, description, success, checksum, execution_time) VALUES ` +
    `(${version}, ${dollarQuote(description)}, TRUE, decode('${Buffer.from(checksum).toString('hex')}', 'hex'), ${executionTimeNs})`
  );
}

/** A dollar-quoted literal whose tag cannot occur in the text, so no character of it needs escaping. */
function dollarQuote(text: string): string {
  let tag = 'strata';
  for (let n = 0; text.includes(`$${tag}$`); n++) tag = `strata${n}`;
  return `$${tag}$${text}$${tag}$`;
}
