import type { PgQueryable } from '../../dialects/postgres/pg-handles.js';

/**
 * Runners waiting for the advisory lock poll it (a waiter blocked inside pg_advisory_lock would
 * deadlock with CREATE INDEX CONCURRENTLY), so on its own a waiter notices a release only at its
 * next poll, up to the longest pause later. When many replicas boot at once that pause is most of
 * their wait. So the holder announces the release with NOTIFY and waiters LISTEN: they wake at
 * once. Polling stays as the fallback for holders that do not announce (a runner that died, SQLx).
 */
export const LOCK_RELEASED_CHANNEL = 'strata_migration_lock_released';

/** The holder's release: unlock and announce in one round trip (NOTIFY is per database, like the key). */
export const UNLOCK_AND_ANNOUNCE_SQL = `SELECT pg_advisory_unlock($1::bigint), pg_notify('${LOCK_RELEASED_CHANNEL}', $1::bigint::text)`;

interface NotificationSource {
  on(event: 'notification', listener: (message: { channel?: string }) => void): unknown;
  off(event: 'notification', listener: (message: { channel?: string }) => void): unknown;
}

/** A waiter's subscription to release announcements, on the connection that polls the lock. */
export class LockReleaseSignal {
  readonly #connection: PgQueryable & NotificationSource;
  #wake: (() => void) | undefined;
  #announced = false;
  readonly #onNotification = (message: { channel?: string }) => {
    if (message.channel !== LOCK_RELEASED_CHANNEL) return;
    this.#announced = true;
    this.#wake?.();
  };

  private constructor(connection: PgQueryable & NotificationSource) {
    this.#connection = connection;
  }

  /** Subscribes; undefined when the connection cannot deliver notifications (the waiter just polls). */
  static async listen(connection: PgQueryable): Promise<LockReleaseSignal | undefined> {
    const candidate = connection as PgQueryable & Partial<NotificationSource>;
    if (typeof candidate.on !== 'function' || typeof candidate.off !== 'function') return undefined;
    const signal = new LockReleaseSignal(candidate as PgQueryable & NotificationSource);
    candidate.on('notification', signal.#onNotification);
    try {
      await connection.query(`LISTEN ${LOCK_RELEASED_CHANNEL}`);
    } catch (error) {
      candidate.off('notification', signal.#onNotification);
      throw error;
    }
    return signal;
  }

  /** Resolves after `ms`, or as soon as a release is announced: true when one was (meanwhile or now). */
  async wait(ms: number): Promise<boolean> {
    if (!this.#announced) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    const announced = this.#announced;
    this.#announced = false;
    return announced;
  }

  /**
   * Unsubscribes, so a pooled connection goes back to the application as it came. A connection
   * that broke (cut, or stalled and cut by strata) took its subscription with it; its failure is
   * the one the waiter reports, not this UNLISTEN's.
   */
  async close(): Promise<void> {
    this.#wake?.();
    this.#connection.off('notification', this.#onNotification);
    await this.#connection.query(`UNLISTEN ${LOCK_RELEASED_CHANNEL}`).catch(() => {});
  }
}
