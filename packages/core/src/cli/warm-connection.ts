import type { PgPool } from './load-driver.js';

type Connect = PgPool['connect'];

/**
 * Starts the pool's first PostgreSQL connection now, for a command about to run the engine: the
 * server forks the backend and answers the startup while the engine's modules still load, instead
 * of after they have loaded and the migrations have been read (the engine reads the source before
 * its first query). The pool's next `connect()` calls wait for this one to settle, so they get
 * that connection (idle by then) rather than opening a second; if it failed, the first of them
 * fails with the same error, so the engine reports it as it would have reported its own attempt
 * (one attempt, one connect timeout), and later calls connect afresh.
 */
export function warmFirstConnection(pool: PgPool): void {
  const connect = pool.connect;
  let failure: { error: unknown } | undefined;
  const settled = connect.call(pool).then(
    (client) => {
      client.release();
    },
    (error: unknown) => {
      failure = { error };
    },
  );
  const waiting = function waitForWarmConnection(this: PgPool, ...args: unknown[]) {
    const replay = () => {
      const failed = failure;
      failure = undefined;
      if (failed) throw failed.error;
      return (connect as (...inner: unknown[]) => unknown).apply(pool, args);
    };
    const callback = args[0];
    if (typeof callback === 'function') {
      settled.then(replay).catch((error: unknown) => callback(error));
      return undefined;
    }
    return settled.then(replay);
  } as Connect;
  pool.connect = waiting;
  void settled.then(() => {
    if (pool.connect === waiting) pool.connect = connect;
  });
}
