import type { Connection } from '../../dialects/connection.js';
import { StrataError } from '../../errors.js';

/**
 * A session advisory lock belongs to one server session. Behind a pooler in transaction mode
 * (PgBouncer's `pool_mode = transaction`, and most poolers in front of managed services) each
 * transaction may run on another server connection: the lock is taken on one, stays there after
 * the client leaves, and any client whose transaction lands there "takes" it again (advisory locks
 * are re-entrant). So the advisory lock checks, before it is taken, that the run's session is one
 * server session, and refuses otherwise, having changed nothing.
 */

/** A second connection from the caller's pool, for the check. */
export interface Companion {
  connection: Connection;
  /**
   * Hands it back destroyed: behind a pooler in session mode an idle client keeps a server
   * connection to itself, which other runners may be waiting for.
   */
  release(): void;
}

/** Opens a companion; undefined when the caller's handle has none to spare (one pg.Client, a full pool). */
export type OpenCompanion = () => Promise<Companion | undefined>;

/** Round trips the check makes on each side, behind a pooler only. */
const SAMPLES = 3;
/** How long the check waits for the companion's first answer before it samples the session alone. */
const COMPANION_WAIT_MS = 1_000;

const BACKEND_PID_SQL = 'SELECT pg_catalog.pg_backend_pid() AS pid';

/**
 * Behind a pooler (the pid PostgreSQL announced at connect time, which a pooler makes up, is not the
 * backend's: see PostgresSession.announcedPid), proves that `session` keeps one server
 * session, or throws POOLER_DETECTED. Two signs of transaction pooling, each sampled SAMPLES times:
 * the session's backend pid changes between round trips (a busy pooler), or a second client of the
 * same pool is served by the session's backend while the session sits idle (a quiet pooler hands
 * the most recently used server connection to whoever asks next, so the session alone would keep
 * seeing the same pid). In session mode neither can happen: the backend is the session's alone.
 * Reads only: nothing is set, locked or created on either connection.
 */
export async function requireOneServerSession(
  session: Connection,
  firstPid: number,
  openCompanion: OpenCompanion,
): Promise<void> {
  const sessionPids = [firstPid];
  const companionPids: number[] = [];
  const joined = await joinCompanion(openCompanion);
  try {
    if (joined) companionPids.push(joined.pid);
    for (let sample = 0; sample < SAMPLES; sample++) {
      if (joined && sample > 0) companionPids.push(await backendPid(joined.companion.connection));
      sessionPids.push(await backendPid(session));
    }
  } finally {
    joined?.companion.release();
  }
  const moved = sessionPids.some((pid) => pid !== firstPid);
  const shared = companionPids.some((pid) => sessionPids.includes(pid));
  if (moved || shared) {
    throw poolerDetected(
      moved
        ? `consecutive statements of one connection ran on different server sessions (backend pids ${[...new Set(sessionPids)].join(', ')})`
        : `another connection was served by this connection's server session (backend pid ${firstPid}) between its statements`,
      { backendPids: [...new Set([...sessionPids, ...companionPids])] },
    );
  }
}

/** POOLER_DETECTED saying what was seen, that nothing changed, and the two fixes. */
export function poolerDetected(seen: string, details: Record<string, unknown> = {}): StrataError {
  return new StrataError(
    'POOLER_DETECTED',
    `the database connection does not keep one PostgreSQL session: ${seen}. A pooler in transaction mode ` +
      '(PgBouncer with pool_mode = transaction, or a managed pooler) is between strata and PostgreSQL, and the ' +
      'session advisory lock would not keep other runners out through it. Nothing was changed. Either migrate over a ' +
      'direct connection (a URL that reaches PostgreSQL itself or a pooler in session mode: `directUrl`, CLI ' +
      "`--direct-url` or DIRECT_URL), or use the lease lock: `lock: 'lease'` (CLI `--lock lease`)",
    details,
  );
}

/**
 * The companion and its first backend pid; undefined when it failed, or when the pooler has no
 * server connection for it within COMPANION_WAIT_MS: in session mode, runners that each hold their
 * session can take the whole pool, and waiting for a second connection would keep every one of them
 * waiting. In transaction mode the pool runs out only while it is busy, and then the session's own
 * pid moves.
 */
async function joinCompanion(openCompanion: OpenCompanion): Promise<{ companion: Companion; pid: number } | undefined> {
  let companion: Companion | undefined;
  let late = false;
  const joining = (async () => {
    const opened = await openCompanion();
    // Given up on while it connected: it goes back at once, destroyed.
    if (late) opened?.release();
    if (!opened || late) return undefined;
    companion = opened;
    return { companion: opened, pid: await backendPid(opened.connection) };
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), COMPANION_WAIT_MS);
  });
  try {
    const joined = await Promise.race([joining, timeout]);
    if (joined) return joined;
    late = true;
    // Still waiting in the pooler's queue: ending the connection takes it out of the queue.
    companion?.release();
    joining.catch(() => {});
    return undefined;
  } catch {
    // The companion only helps: without it the session is sampled alone.
    companion?.release();
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

async function backendPid(connection: Connection): Promise<number> {
  const { rows } = await connection.query(BACKEND_PID_SQL);
  return Number(rows[0]?.pid);
}
