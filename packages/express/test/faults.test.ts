/**
 * Issue 8, the Express side of the fault suite:
 * - "The database unreachable at boot (refused port) then reachable: migrateOnBoot [retries] with
 *   backoff and succeed[s]; past the deadline [it fails] with a clear error; readiness stays 503
 *   meanwhile." Foreground retry and deadline are in database-outage.test.ts; here: background
 *   mode while it retries (in-process and as a real app process), and past the deadline.
 * - "No password from a connection string appears in any error, log line, CLI output or probe
 *   body": every logger line, every error text and every probe body, in every state.
 * - "Probe bodies never contain SQL text, stack traces, file paths of the server or connection
 *   details": a real app process whose background migration failed, over HTTP.
 *
 * The database is reached as a role with a distinctive password, through a TCP proxy the test can
 * close (refusing connections) and open again, never touching the shared server.
 */
import type { Logger } from '@strata/core';
import { type MigrationRouter, migrateOnBoot } from '@strata/express';
import express from 'express';
import pg from 'pg';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawnNode } from '../../../test-support/databases.js';
import {
  errorTexts,
  expectCleanProbeBodies,
  expectNoPassword,
  FAILING_MIGRATION_WORDS,
  PROBE_PATHS,
} from '../../../test-support/leak-scan.js';
import { createPasswordRole, type PasswordRole } from '../../../test-support/password-role.js';
import { pgServerAddress, startTcpProxy, type TcpProxy, throughPort } from '../../../test-support/tcp-proxy.js';
import { FIXTURE_APP, migrationsDir, waitUntil } from './support/helpers.js';
import { startNode } from './support/node-process.js';

const GOOD = {
  '0001_create_items.sql': 'CREATE TABLE items (id serial PRIMARY KEY, name text);\n',
  '0002_add_note.sql': 'ALTER TABLE items ADD COLUMN note text;\n',
};
const BROKEN = {
  ...GOOD,
  '0003_add_flag.sql': '-- adds the flag the app reads\nALTER TABLE items\n  ADD COLUMN leaked_column_xyz no_such_type_xyz;\n',
};

let role: PasswordRole;
let database: { url: string; name: string };
let proxy: TcpProxy;
/** The app's URL: the role with its password, through the proxy. */
let url: string;
let pool: pg.Pool;
/** Straight to the server, for the test's own checks while the proxy refuses. */
let direct: pg.Pool;
const cleanups: (() => Promise<unknown>)[] = [];
const routers: MigrationRouter[] = [];

beforeAll(async () => {
  role = await createPasswordRole();
});
afterAll(async () => {
  await role?.drop();
});

beforeEach(async () => {
  database = await role.createDatabase('express_faults');
  proxy = await startTcpProxy(pgServerAddress());
  url = throughPort(database.url, proxy.port);
  pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 2_000 });
  pool.on('error', () => {});
  direct = new pg.Pool({ connectionString: database.url, max: 2 });
  direct.on('error', () => {});
});

afterEach(async () => {
  // Background boots still retrying must settle before their pool closes.
  await proxy.open();
  for (const router of routers.splice(0)) await router.whenReady().catch(() => {});
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await proxy.close();
  await pool.end();
  await direct.end();
});

async function dirOf(files: Record<string, string>): Promise<{ path: string; root: string }> {
  const dir = await migrationsDir(files);
  cleanups.push(dir.cleanup);
  return dir;
}

/** A logger that keeps every line with its context, as a JSON log shipper would write it. */
function recordingLogger(): Logger & { lines: { level: string; text: string }[]; count(level: string, pattern: RegExp): number } {
  const lines: { level: string; text: string }[] = [];
  const record = (level: string) => (message: string, context?: Record<string, unknown>) => {
    lines.push({
      level,
      text: `${message} ${JSON.stringify(context ?? {}, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))}`,
    });
  };
  return {
    lines,
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    debug: record('debug'),
    count: (level, pattern) => lines.filter((line) => line.level === level && pattern.test(line.text)).length,
  };
}

function appWith(router: MigrationRouter): express.Express {
  const app = express();
  app.use(router);
  app.get('/items', async (_req, res) => {
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM items');
    res.json({ count: rows[0].n });
  });
  return app;
}

/** Every probe's body and headers, as text. */
async function probeTexts(router: MigrationRouter): Promise<string[]> {
  const app = appWith(router);
  const texts: string[] = [];
  for (const path of PROBE_PATHS) {
    const response = await request(app).get(path);
    texts.push(response.text, JSON.stringify(response.headers));
  }
  return texts;
}

async function historyVersions(): Promise<string[] | undefined> {
  const present = await direct.query("SELECT to_regclass('_strata_migrations') IS NOT NULL AS present");
  if (!present.rows[0].present) return undefined;
  const { rows } = await direct.query<{ v: string }>('SELECT version::text AS v FROM _strata_migrations ORDER BY version');
  return rows.map((row) => row.v);
}

describe('the database refusing connections at boot, background mode', () => {
  it('while it retries: /livez 200, /readyz and /healthz 503, app routes gated; once it accepts, it migrates and turns ready', async () => {
    const dir = await dirOf(GOOD);
    await proxy.close();
    const logger = recordingLogger();
    const router = await migrateOnBoot(pool, {
      migrations: dir.path,
      background: true,
      connectDeadline: 60_000,
      pingCacheTtl: 0,
      pingTimeout: 1_000,
      logger,
    });
    routers.push(router);
    const app = appWith(router);

    // Retrying, with backoff: at least two refused attempts logged as such.
    await waitUntil(() => logger.count('warn', /database not reachable \(attempt \d+\); retrying in \d+ ms/) >= 2, 15_000);
    expect(router.state).toBe('migrating');
    const live = await request(app).get('/livez');
    expect(live.status).toBe(200);
    expect(JSON.parse(live.text)).toEqual({ status: 'pass' });
    const ready = await request(app).get('/readyz?verbose');
    expect(ready.status).toBe(503);
    const readyBody = JSON.parse(ready.text);
    expect(readyBody.status).toBe('fail');
    expect(readyBody.checks.migrations[0]).toMatchObject({ status: 'fail', observedValue: { state: 'migrating' } });
    expect(readyBody.checks['database:responseTime'][0]).toMatchObject({ status: 'fail', output: 'unreachable' });
    expect((await request(app).get('/readyz')).status).toBe(503);
    expect((await request(app).get('/healthz')).status).toBe(503);
    const gated = await request(app).get('/items');
    expect(gated.status).toBe(503);
    expect(gated.headers['retry-after']).toBeDefined();
    expect(await historyVersions()).toBeUndefined();

    await proxy.open();
    await router.whenReady();
    expect(router.state).toBe('ready');
    expect(router.status().applied).toEqual(['1', '2']);
    expect(await historyVersions()).toEqual(['1', '2']);
    expect((await request(app).get('/readyz')).status).toBe(200);
    const items = await request(app).get('/items');
    expect(items.status).toBe(200);
    expect(items.body).toEqual({ count: 0 });
  });

  it('past connectDeadline: a clear CONNECTION_FAILED (server named, password not), and readiness stays 503 after the database returns', async () => {
    const dir = await dirOf(GOOD);
    await proxy.close();
    const logger = recordingLogger();
    const failures: unknown[] = [];
    const started = Date.now();
    const router = await migrateOnBoot(pool, {
      migrations: dir.path,
      background: true,
      connectDeadline: 1_000,
      pingCacheTtl: 0,
      logger,
      onError: (error) => failures.push(error),
    });
    routers.push(router);
    const app = appWith(router);

    await waitUntil(() => router.state === 'failed', 15_000);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(10_000);
    expect(failures).toHaveLength(1);
    const error = failures[0] as Error & { code: string };
    expect(error.code).toBe('CONNECTION_FAILED');
    expect(error.message).toContain(
      `cannot reach the database at postgres://${role.role}:***@127.0.0.1:${proxy.port}/${database.name}`,
    );
    expect(error.message).toContain('ECONNREFUSED');
    expectNoPassword('the CONNECTION_FAILED error', [errorTexts(error)]);
    expect(logger.count('error', /migrations failed in the background; readiness stays 503: cannot reach the database at/)).toBe(
      1,
    );
    expect(router.status().error).toEqual({ code: 'CONNECTION_FAILED' });

    const failed = await request(app).get('/readyz?verbose');
    expect(failed.status).toBe(503);
    expect(JSON.parse(failed.text).checks.migrations[0]).toMatchObject({
      status: 'fail',
      observedValue: { state: 'failed', error: { code: 'CONNECTION_FAILED' } },
    });
    expect((await request(app).get('/livez')).status).toBe(200);

    // The database is back and answers the ping, but the migrations never ran: still not ready.
    await proxy.open();
    const after = await request(app).get('/readyz?verbose');
    expect(after.status).toBe(503);
    const afterBody = JSON.parse(after.text);
    expect(afterBody.checks['database:responseTime'][0].status).toBe('pass');
    expect(afterBody.checks.migrations[0].status).toBe('fail');
    expect((await request(app).get('/healthz')).status).toBe(503);
    expect((await request(app).get('/items')).status).toBe(503);
    expect(await historyVersions()).toBeUndefined();
    await expect(router.whenReady()).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
  });
});

describe('no password in any log line, error or probe body (in-process, every line captured)', () => {
  it('booted, database gone, failing migration (foreground and background), refused at boot (foreground and background)', async () => {
    const good = await dirOf(GOOD);
    const broken = await dirOf(BROKEN);
    const logger = recordingLogger();
    const texts: string[] = [];
    const base = { logger, pingCacheTtl: 0, pingTimeout: 1_000 };

    // Booted and serving.
    const healthy = await migrateOnBoot(pool, { ...base, migrations: good.path });
    expect(healthy.state).toBe('ready');
    texts.push(...(await probeTexts(healthy)));
    // The database going away under it.
    await proxy.close();
    texts.push(...(await probeTexts(healthy)));
    await proxy.open();

    // A failing migration: the foreground rejection, then the background state and probes.
    const foreground = await migrateOnBoot(pool, { ...base, migrations: broken.path }).catch((error: unknown) => error);
    expect(foreground).toMatchObject({ code: 'MIGRATION_FAILED' });
    texts.push(errorTexts(foreground));
    const background = await migrateOnBoot(pool, { ...base, migrations: broken.path, background: true, onError: () => {} });
    routers.push(background);
    await waitUntil(() => background.state === 'failed');
    texts.push(...(await probeTexts(background)), errorTexts(background.boot.error));

    // Refused at boot, past the deadline: the foreground rejection, and the background's probes
    // while it retries and after it gave up.
    await proxy.close();
    const refused = await migrateOnBoot(pool, { ...base, migrations: good.path, connectDeadline: 600 }).catch(
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: 'CONNECTION_FAILED' });
    texts.push(errorTexts(refused));
    const retrying = await migrateOnBoot(pool, {
      ...base,
      migrations: good.path,
      background: true,
      connectDeadline: 1_500,
      onError: () => {},
    });
    routers.push(retrying);
    texts.push(...(await probeTexts(retrying)));
    await waitUntil(() => retrying.state === 'failed', 15_000);
    texts.push(...(await probeTexts(retrying)), errorTexts(retrying.boot.error));
    await proxy.open();

    texts.push(...logger.lines.map((line) => `${line.level} ${line.text}`));
    // The scan had something to find: errors and log lines name the role and the server.
    const everything = texts.join('\n');
    expect(everything).toContain(`${role.role}:***@127.0.0.1:${proxy.port}`);
    expect(logger.count('warn', /database not reachable/)).toBeGreaterThanOrEqual(2);
    expect(logger.count('error', /migrations failed in the background/)).toBeGreaterThanOrEqual(2);
    expectNoPassword('a log line, error or probe body', texts);
  });
});

describe('a real app process (fixtures/app.mjs) with a password in its DATABASE_URL', () => {
  it('booting in the background while the database refuses: /livez 200 and /readyz 503 over HTTP, then 200 once it accepts; no output shows the password', async () => {
    const dir = await dirOf(GOOD);
    await proxy.close();
    const app = startNode([FIXTURE_APP], {
      env: { DATABASE_URL: url, MIGRATIONS_DIR: dir.path, STRATA_BACKGROUND: '1' },
    });
    const bodies: string[] = [];
    try {
      const port = await app.waitForLine((line) => (line.includes('"listening"') ? JSON.parse(line).port : undefined));
      await app.waitForLine((line) => (line.includes('database not reachable') ? true : undefined), 15_000);
      const base = `http://127.0.0.1:${port}`;
      const live = await fetch(`${base}/livez`);
      expect(live.status).toBe(200);
      const ready = await fetch(`${base}/readyz?verbose`);
      expect(ready.status).toBe(503);
      const readyText = await ready.text();
      expect(JSON.parse(readyText).checks.migrations[0]).toMatchObject({ status: 'fail', observedValue: { state: 'migrating' } });
      expect((await fetch(`${base}/healthz`)).status).toBe(503);
      expect((await fetch(`${base}/items`)).status).toBe(503);
      bodies.push(await live.text(), readyText);

      await proxy.open();
      // The backoff caps at 5 s between attempts, then the ping is cached for 1 s.
      await waitUntil(async () => (await fetch(`${base}/readyz`)).status === 200, 20_000);
      const items = await fetch(`${base}/items`);
      expect(items.status).toBe(200);
      for (const path of PROBE_PATHS) bodies.push(await (await fetch(`${base}${path}`)).text());
    } finally {
      const exit = await app.stop();
      expect(exit.code, app.stderr()).toBe(0);
    }
    expect(app.stdout()).toContain('database not reachable');
    expect(await historyVersions()).toEqual(['1', '2']);
    expectNoPassword('the app’s output or probe bodies', [app.stdout(), app.stderr(), ...bodies]);
  });

  it('a failing background migration: probe bodies carry no SQL, stack frame, path or host:port; no output shows the password', async () => {
    const dir = await dirOf(BROKEN);
    const app = startNode([FIXTURE_APP], {
      env: { DATABASE_URL: url, MIGRATIONS_DIR: dir.path, STRATA_BACKGROUND: '1' },
    });
    const bodies: string[] = [];
    try {
      const port = await app.waitForLine((line) => (line.includes('"listening"') ? JSON.parse(line).port : undefined));
      const failure = await app.waitForLine((line) => (line.includes('"onError"') ? JSON.parse(line) : undefined));
      // The error itself has every detail (it goes to the app's logs): the probes must not.
      expect(failure.code).toBe('MIGRATION_FAILED');
      expect(failure.message).toContain('no_such_type_xyz');
      const base = `http://127.0.0.1:${port}`;
      const collect = async () => {
        for (const path of PROBE_PATHS) {
          const response = await fetch(`${base}${path}`);
          if (path.startsWith('/livez')) expect(response.status).toBe(200);
          else expect(response.status, path).toBe(503);
          bodies.push(await response.text());
        }
      };
      await collect();
      const health = JSON.parse(bodies[PROBE_PATHS.indexOf('/healthz?verbose')]!);
      expect(health.checks.migrations[0].observedValue).toMatchObject({
        state: 'failed',
        error: { code: 'MIGRATION_FAILED', version: '3' },
      });
      // Failed, and then the database gone as well.
      await proxy.close();
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await collect();
    } finally {
      await proxy.open();
      await app.stop();
    }

    expect(bodies.length).toBe(PROBE_PATHS.length * 2);
    expectCleanProbeBodies(bodies, [
      // SQL from the migration, and the database's words about it.
      ...FAILING_MIGRATION_WORDS,
      dir.root,
      `:${proxy.port}`,
      `:${pgServerAddress().port}`,
      database.name,
      role.role,
    ]);
    expectNoPassword('the app’s output', [app.stdout(), app.stderr()]);
  });

  it('booting in the foreground, applying and failing: the process output never shows the password', async () => {
    const good = await dirOf(GOOD);
    const applied = await spawnNode([FIXTURE_APP], {
      env: { DATABASE_URL: url, MIGRATIONS_DIR: good.path, EXIT_AFTER_BOOT: '1' },
    });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('"booted"');

    const broken = await dirOf(BROKEN);
    const failed = await spawnNode([FIXTURE_APP], { env: { DATABASE_URL: url, MIGRATIONS_DIR: broken.path } });
    // Node prints the unhandled rejection with a deep inspect: message, stack, details and cause.
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(/0003_add_flag\.sql:3:\d+/);
    expect(failed.stderr).toContain('[cause]');
    expectNoPassword('the app’s output', [applied.stdout, applied.stderr, failed.stdout, failed.stderr]);
  });
});
