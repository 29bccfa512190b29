import type { Connection } from '../../dialects/connection.js';
import type { PostgresSession } from '../../dialects/postgres/postgres-connection.js';
import { StrataError } from '../../errors.js';
import { every, pollWithBackoff } from '../../poll-with-backoff.js';
import { describeLockHolder, type LockHolder, type LockWaitOptions, lockLost, type RunLock } from '../run-lock.js';
import { findLockHolder } from './lock-holder.js';
import { advisoryLockKey } from './lock-key.js';
import { LockReleaseSignal, UNLOCK_AND_ANNOUNCE_SQL } from './lock-release-signal.js';
import { type OpenCompanion, poolerDetected, requireOneServerSession } from './pooler-check.js';

const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 250;
/** Listening waiters are woken by the release itself; their polls only catch holders that died. */
const MAX_POLL_LISTENING_MS = 1_000;
const WAIT_REPORT_EVERY_MS = 5_000;
/** strata's own SQLSTATE for "the advisory lock is gone" (class SL is unused by PostgreSQL). */
const LOST_SQLSTATE = 'SL001';

/**
 * PostgreSQL's session advisory lock with SQLx's key, so strata and SQLx migrators exclude each
 * other. Polled with `pg_try_advisory_lock`, never awaited inside `pg_advisory_lock`: a blocked
 * waiter deadlocks with CREATE INDEX CONCURRENTLY. Waiters LISTEN for the holder's release NOTIFY.
 * Behind a pooler that does not keep one server session per connection it refuses (pooler-check.ts).
 */
export class AdvisoryLock implements RunLock {
  readonly exclusive = true;
  readonly #openCompanion: OpenCompanion;
  #key: bigint | undefined;

  /** `openCompanion`: a second connection of the caller's pool, for the pooler check. */
  constructor(openCompanion: OpenCompanion = async () => undefined) {
    this.#openCompanion = openCompanion;
  }

  async acquire(session: PostgresSession, options: LockWaitOptions): Promise<number | undefined> {
    const { rows } = await session.query('SELECT current_database() AS database, pg_catalog.pg_backend_pid() AS pid');
    const key = advisoryLockKey(String(rows[0]?.database));
    const backendPid = Number(rows[0]?.pid);
    // Equal on a direct connection, which so pays no round trip for the check. Behind a pooler,
    // every attempt is also pinned to the backend the check saw (see tryLock).
    const pooled = session.announcedPid !== backendPid;
    if (pooled) await requireOneServerSession(session, backendPid, this.#openCompanion);
    const attempt = () => tryLock(session, key, pooled ? backendPid : undefined);
    this.#key = key;
    const started = performance.now();
    if (await attempt()) return performance.now() - started;
    // Contended: subscribe to release announcements, then try again at once, so a release that
    // happened between the first attempt and the LISTEN is not missed.
    const signal = await LockReleaseSignal.listen(session.pg);
    const holder = () => findLockHolder(session.pg, key).catch((): LockHolder | undefined => undefined);
    try {
      const outcome = await pollWithBackoff<'locked' | 'not-needed'>(
        async (woken) => {
          // Many replicas booting at once: the first migrates, the rest leave as soon as it is done
          // (asked when a release is announced, or at every poll when none can be heard).
          if ((woken || !signal) && (await options.stopWaiting?.(session))) return 'not-needed';
          return (await attempt()) ? 'locked' : undefined;
        },
        {
          firstMs: FIRST_POLL_MS,
          maxMs: signal ? MAX_POLL_LISTENING_MS : MAX_POLL_MS,
          timeoutMs: options.timeoutMs,
          timedOut: async (waited) => {
            const found = await holder();
            return new StrataError(
              'LOCK_TIMEOUT',
              `gave up waiting for the migration lock after ${Math.round(waited)} ms: it is held by ${describeLockHolder(found)}` +
                holderQueries(found),
              { lockKey: String(key), holder: found },
            );
          },
          onWait: every(WAIT_REPORT_EVERY_MS, async (waited) => options.onWait?.(waited, await holder())),
          ...(signal ? { pause: (ms: number) => signal.wait(ms) } : {}),
        },
      );
      return outcome === 'locked' ? performance.now() - started : undefined;
    } finally {
      await signal?.close();
    }
  }

  async verify(session: PostgresSession): Promise<void> {
    const sql = this.verifySql();
    if (!sql) throw lockLost('it was never taken');
    await session.exec(sql).catch((error: unknown) => {
      throw this.isLoss(error) ? lockLost('this session no longer holds the advisory lock', error) : error;
    });
  }

  async inspect(reader: Connection): Promise<LockHolder | null> {
    const { rows } = await reader.query('SELECT current_database() AS database');
    const key = advisoryLockKey(String(rows[0]?.database));
    return (await findLockHolder({ query: (sql, params) => reader.query(sql, params) }, key)) ?? null;
  }

  /**
   * Fails with LOST_SQLSTATE unless this backend still holds the advisory lock: a migration can
   * drop it (`DISCARD ALL`, `pg_advisory_unlock_all()`) without an error. One statement, so it
   * travels with the history write and costs no round trip of its own.
   */
  verifySql(): string | undefined {
    if (this.#key === undefined) return undefined;
    return `DO $strata_lock$ BEGIN
  IF NOT ${heldHereSql(this.#key)} THEN
    RAISE EXCEPTION 'the migration lock is no longer held by this session' USING ERRCODE = '${LOST_SQLSTATE}';
  END IF;
END $strata_lock$`;
  }

  isLoss(error: unknown): boolean {
    return (error as { code?: unknown } | null)?.code === LOST_SQLSTATE;
  }

  async release(session: PostgresSession): Promise<void> {
    const key = this.#key;
    this.#key = undefined;
    // A connection that died already dropped its session lock with it.
    if (key === undefined || session.broken) return;
    await session.query(UNLOCK_AND_ANNOUNCE_SQL, [key]);
  }
}

/**
 * One attempt. Behind a pooler (`pinnedPid` set) the attempt is made only on the backend the pooler
 * check saw, and only if that backend does not hold the lock already (re-entrant: another client of
 * the pooler left it there): otherwise nothing is taken and the run is refused.
 */
async function tryLock(session: PostgresSession, key: bigint, pinnedPid: number | undefined): Promise<boolean> {
  if (pinnedPid === undefined) {
    const { rows } = await session.query('SELECT pg_try_advisory_lock($1) AS locked', [key]);
    return rows[0]?.locked === true;
  }
  const { rows } = await session.query(
    `SELECT CASE WHEN pg_catalog.pg_backend_pid() <> $2 OR ${heldHereSql(key)} THEN NULL ELSE pg_try_advisory_lock($1) END AS locked,
            pg_catalog.pg_backend_pid() AS pid`,
    [key, pinnedPid],
  );
  const row = rows[0];
  if (row?.locked !== null && row?.locked !== undefined) return row.locked === true;
  const pid = Number(row?.pid);
  throw poolerDetected(
    pid === pinnedPid
      ? `its server session (backend pid ${pid}) already holds the migration lock, left there by another client of the pooler`
      : `consecutive statements of one connection ran on different server sessions (backend pids ${pinnedPid}, ${pid})`,
    { backendPids: [...new Set([pinnedPid, pid])] },
  );
}

/** True when this backend holds the advisory lock `key` (stored as classid = high 32 bits, objid = low, objsubid 1). */
function heldHereSql(key: bigint): string {
  const unsigned = BigInt.asUintN(64, key);
  return `EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid()
                   AND granted AND objsubid = 1 AND classid = '${unsigned >> 32n}'::oid AND objid = '${unsigned & 0xffffffffn}'::oid)`;
}

/** What a person types next: see what the holder is doing, or end it if it is stuck. */
function holderQueries(holder: LockHolder | undefined): string {
  if (holder?.pid === undefined) return '';
  return (
    `\n  see it: SELECT pid, application_name, client_addr, state, query_start, query FROM pg_stat_activity WHERE pid = ${holder.pid};` +
    `\n  end it (if it is stuck): SELECT pg_terminate_backend(${holder.pid});`
  );
}
