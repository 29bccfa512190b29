import { RoundTripWatch } from '../round-trip-watch.js';
import type { PgQueryable } from './pg-handles.js';

/** Which backend a session is: a pid alone may be reused by another backend once this one ends. */
export interface BackendIdentity {
  pid: number;
  /** `backend_start` in microseconds since the epoch, as text: exact, and compared by the server. */
  startedUs: string;
}

/** What the server said about a session strata has been waiting on. */
export type StallVerdict = { kind: 'gone' } | { kind: 'idle'; idleMs: number };

/** Reads the identity of the backend `session` is connected to (one round trip, on that session). */
export async function backendIdentity(session: PgQueryable): Promise<BackendIdentity | undefined> {
  const { rows } = await session.query(
    `SELECT pid, (extract(epoch FROM backend_start) * 1000000)::bigint::text AS started_us
       FROM pg_catalog.pg_stat_activity WHERE pid = pg_catalog.pg_backend_pid()`,
  );
  const row = rows[0];
  if (!row || row.started_us === null || row.started_us === undefined) return undefined;
  return { pid: Number(row.pid), startedUs: String(row.started_us) };
}

/** States in which a backend waits for its client: nothing of ours is running on it. */
const IDLE_STATES = new Set(['idle', 'idle in transaction', 'idle in transaction (aborted)']);

const SAME_BACKEND = `pid = $1 AND (extract(epoch FROM backend_start) * 1000000)::bigint = $2::bigint`;

export interface StallWatchOptions {
  /** How long a round trip may wait before the server is asked, and how long the backend may sit idle meanwhile. */
  stallMs: number;
  /** Another connection to the same server (never the watched one). */
  look: PgQueryable;
  /** Ends the watched connection from the client's side (its socket destroyed): the pending round trip fails at once. */
  cut: () => void;
  /** Called once, before `cut`, with what the server said. */
  stalled: (verdict: StallVerdict) => void;
}

/**
 * A RoundTripWatch asking PostgreSQL: a backend that is gone (the server ended it, as
 * `idle_in_transaction_session_timeout` does) or that has sat idle for `stallMs` while strata
 * waited for its answer is stalled. Then the backend is terminated (its locks go now, if the
 * server has not ended it already) and the session is cut, so the run fails instead of hanging. A
 * backend that is busy (`active`: the migration's own long statement, a lock wait) is never judged
 * stalled. When the server cannot be asked either, nothing is concluded.
 */
export function stallWatch(backend: BackendIdentity, options: StallWatchOptions): RoundTripWatch<StallVerdict> {
  const { stallMs, look } = options;
  const same = [backend.pid, backend.startedUs];
  return new RoundTripWatch<StallVerdict>({
    stallMs,
    everyMs: Math.min(5_000, Math.max(1_000, Math.round(stallMs / 4))),
    async ask() {
      const { rows } = await look.query(
        `SELECT state, extract(epoch FROM clock_timestamp() - state_change) * 1000 AS idle_ms
           FROM pg_catalog.pg_stat_activity WHERE ${SAME_BACKEND}`,
        same,
      );
      const row = rows[0];
      if (!row) return { kind: 'gone' };
      const idleMs = Number(row.idle_ms);
      const idle = typeof row.state === 'string' && IDLE_STATES.has(row.state) && idleMs >= stallMs;
      return idle ? { kind: 'idle', idleMs } : undefined;
    },
    stalled(verdict) {
      options.stalled(verdict);
      if (verdict.kind === 'idle') {
        // Its transaction and locks go now, not whenever the server's own timeout would end it.
        look
          .query(`SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE ${SAME_BACKEND}`, same)
          .catch(() => {});
      }
      options.cut();
    },
  });
}
