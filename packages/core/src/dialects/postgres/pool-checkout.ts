import { withinDeadline } from '../../deadline.js';
import type { PgPoolClient, PgPoolLike, PgQueryable } from './pg-handles.js';

/** Why a checkout gave up: the server did not answer, or every connection of the pool was in use. */
export type CheckoutTimeout = { kind: 'no-answer' } | { kind: 'pool-busy'; size: number };

/** pg-pool's private state, read only to give up cleanly; a pool without it is still bounded. */
interface PoolInternals {
  _clients?: unknown[];
}

interface ConnectingClient {
  connection?: { stream?: { destroy?: () => void } };
}

/**
 * `pool.connect()` bounded by `timeoutMs` (0: unbounded), for a caller's pool built without
 * `connectionTimeoutMillis`: pg then waits for a server that accepted the socket but never answers
 * for as long as the socket lives. Past the bound the attempt is abandoned: the socket pg opened
 * for it is destroyed at once (as pg-pool's own timeout does, so the pool slot is freed), and a
 * client that still arrives later is released with destroy, never kept or leaked.
 */
export function checkout(
  pool: PgPoolLike,
  timeoutMs: number,
  timedOut: (why: CheckoutTimeout) => unknown,
): Promise<PgPoolClient> {
  if (!(timeoutMs > 0)) return pool.connect();
  const clients = (pool as PoolInternals)._clients;
  const before = Array.isArray(clients) ? new Set(clients) : undefined;
  const pending = pool.connect();
  // pg-pool creates the client synchronously inside connect() when it has room for one.
  const created = before ? (pool as PoolInternals)._clients?.find((client) => !before.has(client)) : undefined;
  return withinDeadline(pending, timeoutMs, {
    expired: () => {
      (created as ConnectingClient | undefined)?.connection?.stream?.destroy?.();
      return timedOut(before && !created ? { kind: 'pool-busy', size: before.size } : { kind: 'no-answer' });
    },
    late: (client) => client.release(true),
  });
}

interface ErrorSource {
  on?(event: 'error', listener: (error: Error) => void): unknown;
  off?(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * The pool as a PgQueryable whose queries wait for their connection at most `timeoutMs`: what
 * `pool.query()` does (check out, query, release; a client that failed is destroyed), with the
 * checkout bounded.
 */
export function boundedPool(pool: PgPoolLike, timeoutMs: number, timedOut: (why: CheckoutTimeout) => unknown): PgQueryable {
  return {
    async query(text: string, values?: unknown[]) {
      const client = await checkout(pool, timeoutMs, timedOut);
      let failure: Error | undefined;
      // A server that goes away mid-query emits 'error' on the client too; unheard, it ends the process.
      const onError = (error: Error) => {
        failure ??= error;
      };
      (client as ErrorSource).on?.('error', onError);
      try {
        return await client.query(text, values);
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        (client as ErrorSource).off?.('error', onError);
        client.release(failure ?? false);
      }
    },
  };
}
