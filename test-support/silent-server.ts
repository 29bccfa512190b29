/**
 * A TCP server that accepts connections and never answers: what a client meets behind a stalled
 * load balancer, a half-dead host or a firewall that swallows packets. PostgreSQL's startup
 * packet arrives and nothing comes back, so only a client-side timeout ends the wait.
 */
import { createServer, type Socket } from 'node:net';

export interface SilentServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Connections still open (the client has not given up on them yet). */
  readonly open: number;
  /** `postgres://` URL to this server, with a password, so a test can check it is never shown. */
  url(database?: string, password?: string): string;
  /** Stops listening and destroys every socket it holds. */
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    // Read and drop whatever arrives (the startup packet), so the client's writes never block.
    socket.resume();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    get connections() {
      return connections;
    },
    get open() {
      return sockets.size;
    },
    url(database = 'app', password = 'Sup3rS3cretPw') {
      return `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
