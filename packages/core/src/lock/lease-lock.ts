import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Connection, Session } from '../dialects/connection.js';
import type { HistoryTableName } from '../dialects/dialect.js';
import { StrataError } from '../errors.js';
import { every, pollWithBackoff } from '../poll-with-backoff.js';
import { type LockHolder, type LockWaitOptions, lockLost, type RunLock } from './run-lock.js';

const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 1_000;
const WAIT_REPORT_EVERY_MS = 5_000;
/** The lease table, or its schema, does not exist. */
const MISSING_TABLE = ['42P01', '3F000'];
/** The one lease of a history table. */
const LEASE_NAME = 'migrations';

export interface LeaseOptions {
  /** Milliseconds a lease lives without a heartbeat; renewed every third of it. Default 30 000. */
  ttlMs?: number | undefined;
}

export const DEFAULT_LEASE_TTL_MS = 30_000;

/**
 * A lock that needs no session: a row in `<table>_lease` beside the history table (owner, when
 * acquired, until when), taken, renewed and released by single autocommitted statements, so it
 * holds through a pooler in transaction mode (PgBouncer) and on PostgreSQL-compatible databases
 * without session advisory locks. A holder that dies stops renewing and its lease expires after
 * the TTL; the next runner takes it over then. The heartbeat goes through `heartbeat` (the
 * caller's pool where there is one), so a long statement on the run's session does not starve it;
 * should the lease lapse anyway, the check before each history write stops the run (LOCK_LOST).
 *
 * Not exclusive: SQLx and strata runners on the advisory lock do not see it, so each step re-reads
 * its own history row inside its transaction.
 */
export class LeaseLock implements RunLock {
  readonly exclusive = false;
  readonly #table: string;
  readonly #qualified: string;
  readonly #heartbeat: Connection;
  readonly #ttlMs: number;
  readonly #owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  #timer: NodeJS.Timeout | undefined;
  #held = false;

  constructor(history: HistoryTableName, quote: (name: string) => string, heartbeat: Connection, options: LeaseOptions = {}) {
    this.#table = `${history.schema ? `${history.schema}.` : ''}${history.table}_lease`;
    const name = quote(`${history.table}_lease`);
    this.#qualified = history.schema ? `${quote(history.schema)}.${name}` : name;
    this.#heartbeat = heartbeat;
    this.#ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  }

  async acquire(session: Session, options: LockWaitOptions): Promise<number | undefined> {
    const started = performance.now();
    await this.#ensureTable(session);
    const outcome = await pollWithBackoff<'locked' | 'not-needed'>(
      async (woken) => {
        if (woken && (await options.stopWaiting?.(session))) return 'not-needed';
        return (await this.#tryTake(session)) ? 'locked' : undefined;
      },
      {
        firstMs: FIRST_POLL_MS,
        maxMs: MAX_POLL_MS,
        timeoutMs: options.timeoutMs,
        timedOut: async (waited) => {
          const holder = await this.#holder(session);
          return new StrataError(
            'LOCK_TIMEOUT',
            `gave up waiting for the migration lease after ${Math.round(waited)} ms: ${this.#table} is held by ${holder?.applicationName ?? 'another runner'}${holder?.since ? ` since ${holder.since.toISOString()}` : ''}`,
            { holder, leaseTable: this.#table },
          );
        },
        onWait: every(WAIT_REPORT_EVERY_MS, async (waited) => options.onWait?.(waited, await this.#holder(session))),
        pause: async (ms) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return true;
        },
      },
    );
    if (outcome === 'not-needed') return undefined;
    this.#held = true;
    this.#startHeartbeat();
    return performance.now() - started;
  }

  async verify(session: Session): Promise<void> {
    if (!this.#held) throw lockLost('the lease was never taken');
    const { rows } = await session.query(
      `SELECT 1 AS held FROM ${this.#qualified} WHERE name = $1 AND owner = $2 AND expires_at > now()`,
      [LEASE_NAME, this.#owner],
    );
    if (rows.length === 0) throw lockLost(`the lease in ${this.#table} expired or was taken over`);
  }

  async release(session: Session): Promise<void> {
    this.#stopHeartbeat();
    if (!this.#held) return;
    this.#held = false;
    if (session.broken) return;
    await session.query(`DELETE FROM ${this.#qualified} WHERE name = $1 AND owner = $2`, [LEASE_NAME, this.#owner]);
  }

  /** Many runners may create it at once: the loser of that race finds it there. */
  async #ensureTable(session: Session): Promise<void> {
    try {
      await session.exec(
        `CREATE TABLE IF NOT EXISTS ${this.#qualified} (
           name TEXT PRIMARY KEY,
           owner TEXT NOT NULL,
           acquired_at TIMESTAMPTZ NOT NULL DEFAULT now(),
           expires_at TIMESTAMPTZ NOT NULL
         )`,
      );
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      // A concurrent CREATE won the race: 23505 (pg_type's unique index), 42P07 (the relation) or
      // 42710 (`type "…_lease" already exists`: its row type was committed first).
      if (code !== '23505' && code !== '42P07' && code !== '42710') throw error;
    }
  }

  /** One statement: insert the lease, or take over one that expired. */
  async #tryTake(session: Session): Promise<boolean> {
    const { rows } = await session.query(
      `INSERT INTO ${this.#qualified} AS lease (name, owner, acquired_at, expires_at)
       VALUES ($1, $2, now(), now() + $3::interval)
       ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, acquired_at = now(), expires_at = EXCLUDED.expires_at
         WHERE lease.expires_at < now()
       RETURNING owner`,
      [LEASE_NAME, this.#owner, `${this.#ttlMs} milliseconds`],
    );
    return rows.length === 1;
  }

  async #holder(session: Session): Promise<LockHolder | undefined> {
    try {
      const { rows } = await session.query(`SELECT owner, acquired_at FROM ${this.#qualified} WHERE name = $1`, [LEASE_NAME]);
      return rows[0] ? leaseHolder(rows[0]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Held while a lease lives (an expired one is free to take); no lease table means no run ever took one. */
  async inspect(reader: Connection): Promise<LockHolder | null> {
    try {
      const { rows } = await reader.query(
        `SELECT owner, acquired_at FROM ${this.#qualified} WHERE name = $1 AND expires_at > now()`,
        [LEASE_NAME],
      );
      return rows[0] ? leaseHolder(rows[0]) : null;
    } catch (error) {
      if (MISSING_TABLE.includes((error as { code?: string }).code ?? '')) return null;
      throw error;
    }
  }

  #startHeartbeat(): void {
    const renew = () => {
      this.#heartbeat
        .query(`UPDATE ${this.#qualified} SET expires_at = now() + $3::interval WHERE name = $1 AND owner = $2`, [
          LEASE_NAME,
          this.#owner,
          `${this.#ttlMs} milliseconds`,
        ])
        // A missed renewal is caught where it matters: the check before each history write.
        .catch(() => {});
    };
    this.#timer = setInterval(renew, Math.max(100, Math.floor(this.#ttlMs / 3)));
    // The heartbeat alone must never keep a process alive.
    this.#timer.unref();
  }

  #stopHeartbeat(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function leaseHolder(row: Record<string, unknown>): LockHolder {
  return {
    applicationName: String(row.owner),
    ...(row.acquired_at instanceof Date ? { since: row.acquired_at } : {}),
  };
}
