import { connect, createServer, type Server, type Socket } from 'node:net';

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
  port: number;
  /** Connections forwarded to the target so far. */
  readonly forwarded: number;
  /** Starts accepting (and forwarding) on `port`; until then, connections to it are refused. */
  open(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP forwarder on 127.0.0.1 that refuses connections (nothing listens) until `open()`, then
 * pipes each connection to the target server. Stopping it never touches the target.
 */
export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let forwarded = 0;
  return {
    port,
    get forwarded() {
      return forwarded;
    },
    open() {
      return new Promise((resolve, reject) => {
        server = createServer((client) => {
          forwarded++;
          const upstream = connect(target.port, target.host);
          sockets.add(client);
          sockets.add(upstream);
          const drop = () => {
            client.destroy();
            upstream.destroy();
            sockets.delete(client);
            sockets.delete(upstream);
          };
          client.on('error', drop).on('close', drop);
          upstream.on('error', drop).on('close', drop);
          client.pipe(upstream).pipe(client);
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
