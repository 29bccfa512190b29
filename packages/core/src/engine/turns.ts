import { StrataError } from '../errors.js';

const queues = new WeakMap<object, Promise<void>>();

/**
 * Runs on one handle take turns inside the process. The database lock cannot do it: PostgreSQL's
 * advisory lock is re-entrant within a session, so two runs sharing one pg.Client would both
 * "hold" it and interleave their statements; SQLite's handle is one session. Resolves with the
 * function that ends this turn; `timeoutMs` bounds the wait like the database lock's.
 */
export async function takeTurn(handle: object, timeoutMs: number | undefined): Promise<() => void> {
  const previous = queues.get(handle) ?? Promise.resolve();
  let end!: () => void;
  const mine = new Promise<void>((resolve) => {
    end = resolve;
  });
  const queue = previous.then(() => mine);
  queues.set(handle, queue);
  const finish = () => {
    end();
    if (queues.get(handle) === queue) queues.delete(handle);
  };
  if (timeoutMs === undefined || !Number.isFinite(timeoutMs)) {
    await previous;
    return finish;
  }
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), timeoutMs);
  });
  const outcome = await Promise.race([previous.then(() => 'ready' as const), expired]);
  clearTimeout(timer);
  if (outcome === 'expired') {
    // Leave the queue in order: the turn after this one starts when the one before it ends.
    previous.then(finish, finish);
    throw new StrataError(
      'LOCK_TIMEOUT',
      `gave up after ${timeoutMs} ms waiting for another run on the same database handle in this process to finish`,
      { sameProcess: true },
    );
  }
  return finish;
}
