import type { Connection, QueryResult, Session, TransactionState } from '../connection.js';
import type { RoundTripWatch } from '../round-trip-watch.js';
import type { PgQueryable } from './pg-handles.js';
import { type BackendIdentity, type StallVerdict, stallWatch } from './stall-watch.js';

/** pg's ReadyForQuery status: I idle, T in a transaction, E in a failed transaction. */
const STATES: Record<string, TransactionState> = { I: 'idle', T: 'open', E: 'failed' };

interface PgInternals {
  _txStatus?: string | null;
  connection?: { stream?: { destroy?: () => void } };
  on?(event: 'error', listener: () => void): unknown;
  off?(event: 'error', listener: () => void): unknown;
}

/** The events of a pg client strata listens to (LISTEN's notifications). */
interface PgEvents {
  on?(event: string, listener: (...args: never[]) => void): unknown;
  off?(event: string, listener: (...args: never[]) => void): unknown;
}

/**
 * A pg pool, client or pooled client as the engine's Connection. Versions travel as text
 * (BIGINT parameters of any size are exact that way).
 */
export class PostgresConnection implements Connection {
  protected readonly handle: PgQueryable;
  /** Turns a failure to reach the server into CONNECTION_FAILED; other errors pass through. */
  protected readonly wrap: (error: unknown) => unknown;
  /** Checked before every round trip (a caller's client that was never connected would queue forever). */
  readonly #usable: () => void;
  /**
   * pg rejects a failed query before the server's ReadyForQuery updates the transaction status, so
   * right after an error the status may be stale: a rollback then goes to the server regardless.
   */
  #failedSinceStatus = false;

  constructor(handle: PgQueryable, wrap: (error: unknown) => unknown, usable: () => void = () => {}) {
    this.handle = handle;
    this.wrap = wrap;
    this.#usable = usable;
  }

  async query(sql: string, params?: readonly unknown[]): Promise<QueryResult> {
    const result = await this.#send(sql, params);
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  }

  async values(sql: string, params?: readonly unknown[]): Promise<unknown[][]> {
    return (await this.#send({ text: sql, values: params?.map(toPgValue), rowMode: 'array' })).rows as unknown as unknown[][];
  }

  async exec(script: string): Promise<void> {
    await this.#send(script);
  }

  /**
   * Several statements without parameters in ONE simple-query message (one round trip): the rows
   * of each, in order. For reads that would otherwise wait on the network once per statement.
   */
  async queryAll(statements: readonly string[]): Promise<Record<string, unknown>[][]> {
    const result = (await this.#send(statements.join(';\n'))) as unknown;
    const results = (Array.isArray(result) ? result : [result]) as { rows?: Record<string, unknown>[] }[];
    return results.map((each) => each.rows ?? []);
  }

  async begin(): Promise<void> {
    await this.#send('BEGIN');
  }

  async commit(): Promise<void> {
    await this.#send('COMMIT');
  }

  async rollback(): Promise<void> {
    if (this.#failedSinceStatus || this.transactionState() !== 'idle') await this.#send('ROLLBACK');
  }

  transactionState(): TransactionState | undefined {
    if (this.#failedSinceStatus) return undefined;
    const status = (this.handle as PgInternals)._txStatus;
    return typeof status === 'string' ? STATES[status] : undefined;
  }

  async #send(query: string | object, params?: readonly unknown[]) {
    this.#usable();
    try {
      const result = await this.awaiting(
        (
          this.handle.query as (
            q: unknown,
            v?: unknown[],
          ) => Promise<{ rows: Record<string, unknown>[]; rowCount?: number | null }>
        ).call(this.handle, query, params?.map(toPgValue)),
      );
      this.#failedSinceStatus = false;
      return result;
    } catch (error) {
      this.#failedSinceStatus = true;
      throw this.onFailure(error);
    }
  }

  protected onFailure(error: unknown): unknown {
    return this.wrap(error);
  }

  /** One round trip in flight; a session watches it for a stalled network. */
  protected awaiting<T>(pending: Promise<T>): Promise<T> {
    return pending;
  }
}

/** A connection held for one run; `release` hands it back (to its pool, or to the caller). */
export class PostgresSession extends PostgresConnection implements Session {
  #broken = false;
  #closed = false;
  #watch: RoundTripWatch<StallVerdict> | undefined;
  #pg: (PgQueryable & PgEvents) | undefined;
  /** Set once the watch judged the session stalled: what every failure on it then reports. */
  #stalled: unknown;
  readonly #release: (destroy: boolean) => void;
  /** pg emits 'error' on a client whose server went away; unheard, that event ends the process. */
  readonly #onError = () => {
    this.#broken = true;
  };

  constructor(handle: PgQueryable, wrap: (error: unknown) => unknown, release: (destroy: boolean) => void) {
    super(handle, wrap);
    this.#release = release;
    (handle as PgInternals).on?.('error', this.#onError);
  }

  get broken(): boolean {
    return this.#broken;
  }

  /**
   * The pid PostgreSQL announced in BackendKeyData when the client connected (pg keeps it as
   * `processID`). A direct connection, or a TCP proxy, passes it through, so it equals
   * `pg_backend_pid()`; a pooler answers the startup itself with a cancel key of its own.
   */
  get announcedPid(): number | undefined {
    const pid = (this.handle as { processID?: unknown }).processID;
    return typeof pid === 'number' ? pid : undefined;
  }

  /**
   * The raw handle, for what only PostgreSQL has (LISTEN and its notifications, the lock holder's
   * row): its queries are watched and their failures reported like every other round trip's.
   */
  get pg(): PgQueryable {
    if (this.#pg === undefined) {
      const handle = this.handle as PgQueryable & PgEvents;
      const query = (text: string, values?: unknown[]) =>
        this.awaiting(handle.query(text, values)).catch((error: unknown) => {
          throw this.onFailure(error);
        });
      const events: PgEvents =
        typeof handle.on === 'function' && typeof handle.off === 'function'
          ? { on: handle.on.bind(handle), off: handle.off.bind(handle) }
          : {};
      this.#pg = { query, ...events };
    }
    return this.#pg;
  }

  /**
   * Watches every later round trip for a stalled network (see stallWatch); `failure` is the error
   * the round trip that waited then fails with.
   */
  watchForStalls(
    backend: BackendIdentity,
    options: { stallMs: number; look: PgQueryable; failure: (verdict: StallVerdict) => unknown },
  ): void {
    this.#watch = stallWatch(backend, {
      stallMs: options.stallMs,
      look: options.look,
      stalled: (verdict) => {
        this.#stalled = options.failure(verdict);
        this.#broken = true;
      },
      // pg rejects the pending query ("Connection terminated unexpectedly") once its socket closes.
      cut: () => (this.handle as PgInternals).connection?.stream?.destroy?.(),
    });
  }

  protected override awaiting<T>(pending: Promise<T>): Promise<T> {
    return this.#watch && !this.#closed ? this.#watch.during(pending) : pending;
  }

  protected override onFailure(error: unknown): unknown {
    if (this.#stalled !== undefined) return this.#stalled;
    const wrapped = this.wrap(error);
    if (wrapped !== error) this.#broken = true;
    return wrapped;
  }

  async close(dirty: boolean): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    (this.handle as PgInternals).off?.('error', this.#onError);
    this.#release(this.#broken || dirty);
  }
}

function toPgValue(value: unknown): unknown {
  if (typeof value === 'bigint') return String(value);
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
  return value;
}
