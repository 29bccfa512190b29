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
 * `pool.query()` does (check out, query, release), with the checkout bounded. Unlike
 * `pool.query()`, a connection whose query the server refused is kept when it is sound (see
 * {@link keepAfter}): on a fresh database the history reads fail with "relation does not exist",
 * and destroying the connection for that made a first `strata run` fork three backends, not one.
 */
export function boundedPool(pool: PgPoolLike, timeoutMs: number, timedOut: (why: CheckoutTimeout) => unknown): PgQueryable {
  return {
    async query(text: string, values?: unknown[]) {
      const client = await checkout(pool, timeoutMs, timedOut);
      let failure: Error | undefined;
      let broken = false;
      // A server that goes away mid-query emits 'error' on the client too; unheard, it ends the process.
      const onError = (error: Error) => {
        broken = true;
        failure ??= error;
      };
      (client as ErrorSource).on?.('error', onError);
      try {
        return await client.query(text, values);
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
        throw error;
      } finally {
        const keep = failure === undefined || (!broken && isServerError(failure) && (await idleAgain(client)));
        (client as ErrorSource).off?.('error', onError);
        client.release(keep ? false : failure);
      }
    },
  };
}

interface ServerErrorShape {
  severity?: unknown;
  code?: unknown;
}

/** An ErrorResponse the server sent for a statement (a severity and a SQLSTATE), short of ending the session. */
function isServerError(failure: unknown): boolean {
  const { severity, code } = (failure ?? {}) as ServerErrorShape;
  return typeof severity === 'string' && typeof code === 'string' && severity !== 'FATAL' && severity !== 'PANIC';
}

interface ReadyState {
  readyForQuery?: unknown;
  getTransactionStatus?: () => string | null;
  once?(event: string, listener: () => void): unknown;
  off?(event: string, listener: () => void): unknown;
}

/**
 * Whether a connection whose statement the server refused is sound again: its ReadyForQuery (pg
 * rejects the query on the ErrorResponse, just before it) says idle outside any transaction. Such
 * a connection is kept rather than destroyed as `pool.query()` would: on a fresh database the
 * history reads fail with "relation does not exist", and destroying the connection for that made
 * a first `strata run` fork three backends instead of one. An open or failed transaction, a socket
 * that ends meanwhile, or a pg too old to say the status: destroyed, as before.
 */
function idleAgain(client: unknown): Promise<boolean> {
  const state = client as ReadyState;
  const idle = () => state.getTransactionStatus?.() === 'I';
  if (state.readyForQuery === true || typeof state.once !== 'function') return Promise.resolve(idle());
  return new Promise((resolve) => {
    const settle = (value: boolean) => () => {
      for (const [event, listener] of listeners) state.off?.(event, listener);
      resolve(value && idle());
    };
    // pg emits 'drain' once ReadyForQuery arrives with nothing queued (nothing else uses a checked-out client).
    const listeners: [string, () => void][] = [
      ['drain', settle(true)],
      ['end', settle(false)],
      ['error', settle(false)],
    ];
    for (const [event, listener] of listeners) state.once?.(event, listener);
  });
}
