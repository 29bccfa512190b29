import { StrataError } from '../../errors.js';
import { describeLockHolder, type LockHolder, type LockWaitOptions, lockLost, type RunLock } from '../../lock/run-lock.js';
import { every, pollWithBackoff } from '../../poll-with-backoff.js';
import type { Connection, Session } from '../connection.js';
import { sqlxMysqlLockName } from './lock-name.js';

const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 500;
const WAIT_REPORT_EVERY_MS = 5_000;

/**
 * MySQL's named lock with SQLx's name, held by the run's session. Polled with `GET_LOCK(name, 0)`
 * rather than waited for inside the server (SQLx waits with -1: forever), so a lock timeout,
 * `stopWaiting` and the holder's report all work; the server frees it when the session ends,
 * a killed runner's included.
 */
export class GetLock implements RunLock {
  readonly exclusive = true;
  #name: string | undefined;

  async inspect(reader: Connection): Promise<LockHolder | null> {
    return (await findHolder(reader, sqlxMysqlLockName(await currentDatabase(reader)))) ?? null;
  }

  async acquire(session: Session, options: LockWaitOptions): Promise<number | undefined> {
    const name = sqlxMysqlLockName(await currentDatabase(session));
    const attempt = async () => {
      const [row] = await session.values('SELECT GET_LOCK(?, 0)', [name]);
      // NULL: the server could not take it (killed, out of memory); say so rather than wait.
      if (row?.[0] === null || row?.[0] === undefined) {
        throw new StrataError('LOCK_TIMEOUT', `GET_LOCK('${name}') failed on the server (it returned NULL)`, { lockName: name });
      }
      return Number(row[0]) === 1;
    };
    const started = performance.now();
    const holder = () => findHolder(session, name).catch((): LockHolder | undefined => undefined);
    const outcome = await pollWithBackoff<'locked' | 'not-needed'>(
      async () => {
        if (await attempt()) return 'locked';
        return (await options.stopWaiting?.(session)) ? 'not-needed' : undefined;
      },
      {
        firstMs: FIRST_POLL_MS,
        maxMs: MAX_POLL_MS,
        timeoutMs: options.timeoutMs,
        timedOut: async (waited) => {
          const found = await holder();
          return new StrataError(
            'LOCK_TIMEOUT',
            `gave up waiting for the migration lock after ${Math.round(waited)} ms: GET_LOCK('${name}') is held by ${describeLockHolder(found)}`,
            { lockName: name, holder: found },
          );
        },
        onWait: every(WAIT_REPORT_EVERY_MS, async (waited) => options.onWait?.(waited, await holder())),
      },
    );
    if (outcome === 'not-needed') return undefined;
    this.#name = name;
    return performance.now() - started;
  }

  /** A migration can free it (`RELEASE_LOCK`, `RELEASE_ALL_LOCKS()`) without an error: checked before each history write. */
  async verify(session: Session): Promise<void> {
    if (this.#name === undefined) throw lockLost('it was never taken');
    const [row] = await session.values('SELECT IS_USED_LOCK(?) = CONNECTION_ID()', [this.#name]);
    if (Number(row?.[0]) !== 1) throw lockLost(`this session no longer holds GET_LOCK('${this.#name}')`);
  }

  async release(session: Session): Promise<void> {
    const name = this.#name;
    this.#name = undefined;
    // A connection that died took its named locks with it.
    if (name === undefined || session.broken) return;
    await session.values('SELECT RELEASE_LOCK(?)', [name]);
  }
}

/** The database the session is in, whose name keys the lock (SQLx's `SELECT DATABASE()`). */
export async function currentDatabase(session: Connection): Promise<string> {
  const [row] = await session.values('SELECT DATABASE()');
  const name = row?.[0];
  if (typeof name !== 'string') {
    throw new StrataError(
      'INVALID_OPTIONS',
      'the MySQL connection has no database selected: name one in the URL (mysql://user@host/app) or the `database` option of the pool',
    );
  }
  return name;
}

/**
 * The session holding the lock (IS_USED_LOCK), and what the processlist says of it: without the
 * PROCESS privilege only a user's own sessions are listed, and the holder is named by id alone.
 */
async function findHolder(session: Connection, name: string): Promise<LockHolder | undefined> {
  const [row] = await session.values(
    `SELECT held.id, p.USER, p.HOST FROM (SELECT IS_USED_LOCK(?) AS id) AS held
       LEFT JOIN information_schema.PROCESSLIST AS p ON p.ID = held.id`,
    [name],
  );
  if (!row || row[0] === null || row[0] === undefined) return undefined;
  const [id, user, host] = row;
  return {
    pid: Number(id),
    ...(typeof user === 'string' ? { applicationName: user } : {}),
    ...(typeof host === 'string' ? { clientAddress: host } : {}),
  };
}
