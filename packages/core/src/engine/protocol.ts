/**
 * A step's protocol written once as a generator: each `yield` hands over what an operation on the
 * session returned, a value (an in-process connection answers at once) or a promise (a socket).
 * `drive` awaits only the promises, so on SQLite a whole step runs without a promise per
 * operation, and on PostgreSQL it awaits exactly what it awaited before.
 */
export type Protocol<T> = Generator<unknown, T, unknown>;

/** What one operation returned, once it has settled: at once when it is not a promise. */
export function* settle<T>(result: T | PromiseLike<T>): Protocol<T> {
  return (yield result) as T;
}

/** An operation whose failure does not matter (a rollback on the way out of an error). */
export function* quietly(operation: () => unknown): Protocol<void> {
  try {
    yield* settle(operation());
  } catch {
    // Already on a failure path: the error being reported is the one that counts.
  }
}

/** Runs a protocol to its end; a rejected promise is thrown into it where it was yielded. */
export async function drive<T>(protocol: Protocol<T>): Promise<T> {
  let next = protocol.next();
  while (!next.done) {
    const value = next.value;
    if (!isThenable(value)) {
      next = protocol.next(value);
      continue;
    }
    let settled: unknown;
    try {
      settled = await value;
    } catch (error) {
      next = protocol.throw(error);
      continue;
    }
    next = protocol.next(settled);
  }
  return next.value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
