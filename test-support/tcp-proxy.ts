/**
 * A TCP proxy in front of the test PostgreSQL server, so a test can make "the database" go away
 * (refusing connections and cutting the ones it carries) and come back, without touching the
 * shared server. It also counts bytes sent to the server, to see whether a probe queried at all.
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

  const open = async (): Promise<void> => {
    if (server) return;
    const next = createServer((client) => {
      connections++;
      const upstream = tcpConnect(target.port, target.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        // A cut connection is what this proxy is for; its errors are expected.
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.on('data', (chunk: Buffer) => {
        bytesToServer += chunk.length;
      });
      client.pipe(upstream);
      upstream.pipe(client);
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
  };
}
