/**
 * A TCP proxy in front of the test PostgreSQL server, so a test can make "the database" go away
 * (refusing connections and cutting the ones it carries) and come back, without touching the
 * shared server; or make one connection stall: nothing forwarded either way any more, nothing
 * closed, as when a network drops a flow's packets. It also counts bytes sent to the server, to
 * see whether a probe queried at all.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { pgAdminUrl } from './databases.js';

/** Where the test PostgreSQL server listens. */
export function pgServerAddress(): { host: string; port: number } {
  const url = new URL(pgAdminUrl());
  return { host: url.hostname || '127.0.0.1', port: Number(url.port || 5432) };
}

/** `url` with its host and port replaced by 127.0.0.1:`port` (a proxy in front of the server). */
export function throughPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}

/** A port nothing listens on right now (the OS picks it; the listener is closed again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface TcpProxy {
  /** The local port; stable across close() and open(). */
  readonly port: number;
  /** Bytes clients sent towards the server so far. */
  readonly bytesToServer: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Stops listening (new connections are refused) and cuts every open connection. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  open(): Promise<void>;
  /**
   * Arms a stall: the connection whose client sends `marker` (in any SQL it sends), after `skip`
   * earlier sightings were let through, has that data forwarded, and from then on nothing more in
   * either direction: what either side sends is dropped, a close or reset by either side is not
   * passed on. Other connections, and new ones, are unaffected. Resolves when it happened, with
   * `performance.now()` at that moment.
   */
  stallAfter(marker: string, skip?: number): Promise<number>;
}

/** One proxied connection. */
interface Link {
  client: Socket;
  upstream: Socket;
  stalled: boolean;
  /** The last bytes the client sent, so a marker split across two chunks is still seen. */
  tail: Buffer;
}

/**
 * Listening at once by default; `{ listening: false }` reserves the port but refuses connections
 * until `open()` (a database that is not there yet at boot).
 */
export async function startTcpProxy(
  target: { host: string; port: number },
  { listening = true }: { listening?: boolean } = {},
): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = listening ? 0 : await freePort();
  let bytesToServer = 0;
  let connections = 0;
  let armed: { marker: Buffer; skip: number; resolve: (at: number) => void } | undefined;

  const open = async (): Promise<void> => {
    if (server) return;
    const next = createServer((client) => {
      connections++;
      const link: Link = { client, upstream: tcpConnect(target.port, target.host), stalled: false, tail: Buffer.alloc(0) };
      const { upstream } = link;
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        // A cut connection is what this proxy is for; its errors are expected. A stalled one hears nothing of them.
        socket.on('error', () => {
          if (link.stalled) return;
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (chunk: Buffer) => {
        if (link.stalled) return;
        bytesToServer += chunk.length;
        upstream.write(chunk);
        const stall = armed;
        if (!stall) return;
        const seen = Buffer.concat([link.tail, chunk]);
        // Kept short of a whole marker, so one sighting is never counted twice.
        link.tail = seen.subarray(Math.max(0, seen.length - stall.marker.length + 1));
        if (seen.includes(stall.marker) && stall.skip-- <= 0) {
          armed = undefined;
          link.stalled = true;
          stall.resolve(performance.now());
        }
      });
      upstream.on('data', (chunk: Buffer) => {
        if (!link.stalled) client.write(chunk);
      });
      client.on('end', () => {
        if (!link.stalled) upstream.end();
      });
      upstream.on('end', () => {
        if (!link.stalled) client.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        next.off('error', reject);
        resolve();
      });
    });
    const address = next.address();
    port = typeof address === 'object' && address ? address.port : port;
    server = next;
  };

  const close = async (): Promise<void> => {
    const current = server;
    if (!current) return;
    server = undefined;
    const closed = new Promise<void>((resolve) => current.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  if (listening) await open();
  return {
    get port() {
      return port;
    },
    get bytesToServer() {
      return bytesToServer;
    },
    get connections() {
      return connections;
    },
    close,
    open,
    stallAfter(marker: string, skip = 0) {
      if (armed) throw new Error('a stall is already armed');
      return new Promise<number>((resolve) => {
        armed = { marker: Buffer.from(marker), skip, resolve };
      });
    },
  };
}
