/**
 * Issue 8, the Nest side of the fault suite:
 * - "The database unreachable at boot (refused port) then reachable: ... the Nest module retr[ies]
 *   with backoff and succeed[s]; past the deadline [it fails] with a clear error; readiness stays
 *   503 meanwhile." Foreground retry and deadline are in connection-retry.test.ts; here: the
 *   module in background mode with its probes, while it retries and past the deadline.
 * - "No password from a connection string appears in any error, log line ... or probe body": the
 *   app's Nest logger (the module's default) is captured whole, with Nest's own lines, and scanned
 *   with every error and probe body, in every state; and the output of a real Nest process.
 * - "Probe bodies never contain SQL text, stack traces, file paths of the server or connection
 *   details": the probe controller's bodies after a background migration failed.
 *
 * The database is reached as a role with a distinctive password, through a TCP proxy the test can
 * close (refusing connections) and open again.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { type INestApplication, type LoggerService, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
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
import { MigrationsModule, type MigrationsModuleOptions, MigrationsService } from '../src/index.js';
import { get, migrationsDir, recordingLogger, within } from './support/harness.js';
import { USERS_MIGRATIONS } from './support/migrations.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/nest-app.mjs', import.meta.url));
const BROKEN_MIGRATIONS: Record<string, string> = {
  ...USERS_MIGRATIONS,
  'migrations/0003_add_flag.up.sql':
    '-- adds the flag the app reads\nALTER TABLE users\n  ADD COLUMN leaked_column_xyz no_such_type_xyz;\n',
  'migrations/0003_add_flag.down.sql': 'ALTER TABLE users DROP COLUMN leaked_column_xyz;\n',
};

let role: PasswordRole;
let database: { url: string; name: string };
let proxy: TcpProxy;
let url: string;
let pool: pg.Pool;
let direct: pg.Pool;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  role = await createPasswordRole();
});
afterAll(async () => {
  await role?.drop();
});

beforeEach(async () => {
  database = await role.createDatabase('nest_faults');
  proxy = await startTcpProxy(pgServerAddress(), { listening: false });
  url = throughPort(database.url, proxy.port);
  pool = new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 2_000 });
  pool.on('error', () => {});
  direct = new pg.Pool({ connectionString: database.url, max: 2 });
  direct.on('error', () => {});
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await proxy.close();
  await pool.end().catch(() => {});
  await direct.end();
});

async function tree(files: Record<string, string>): Promise<{ migrations: string; root: string }> {
  const dir = await migrationsDir(files);
  cleanups.push(() => dir.cleanup());
  return { migrations: join(dir.path, 'migrations'), root: dir.path };
}

/** A Nest LoggerService keeping every line Nest or the module writes, arguments inspected deeply. */
function capturingNestLogger(): LoggerService & { lines: string[] } {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: unknown, ...rest: unknown[]) => {
      lines.push(
        `${level} ${[message, ...rest].map((part) => (typeof part === 'string' ? part : inspect(part, { depth: 10 }))).join(' ')}`,
      );
    };
  return {
    lines,
    log: record('log'),
    error: record('error'),
    warn: record('warn'),
    debug: record('debug'),
    verbose: record('verbose'),
    fatal: record('fatal'),
  };
}

type ModuleOptions = MigrationsModuleOptions & { probes?: boolean };

function moduleWith(options: ModuleOptions) {
  @Module({ imports: [MigrationsModule.forRoot({ connection: pool, probes: true, ...options })] })
  class AppModule {}
  return AppModule;
}

/** Creates the app with `logger` as Nest's logger, rejecting (not exiting) on a failed boot. */
async function create(options: ModuleOptions, logger: LoggerService | false = false): Promise<INestApplication> {
  const app = await NestFactory.create(moduleWith(options), { logger, abortOnError: false });
  cleanups.push(() => app.close());
  return app;
}

async function listen(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

/** Every probe's body and headers, as text. */
async function probeTexts(base: string): Promise<string[]> {
  const texts: string[] = [];
  for (const path of PROBE_PATHS) {
    const response = await fetch(`${base}${path}`);
    texts.push(await response.text(), JSON.stringify([...response.headers]));
  }
  return texts;
}

async function historyVersions(): Promise<string[] | undefined> {
  const present = await direct.query("SELECT to_regclass('_strata_migrations') IS NOT NULL AS present");
  if (!present.rows[0].present) return undefined;
  const { rows } = await direct.query<{ v: string }>('SELECT version::text AS v FROM _strata_migrations ORDER BY version');
  return rows.map((row) => row.v);
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the database refusing connections at boot, module in background mode with probes', () => {
  it('while it retries: /livez 200, /readyz and /healthz 503; once it accepts, it migrates and /readyz turns 200', async () => {
    const { migrations } = await tree(USERS_MIGRATIONS);
    const logger = recordingLogger();
    const app = await within(
      10_000,
      create({ migrations, background: true, connectDeadline: 60_000, logger, health: { pingCacheTtl: 0, pingTimeout: 1_000 } }),
      'create',
    );
    const base = await listen(app);
    const service = app.get(MigrationsService);

    await waitFor('two refused attempts', async () => logger.count('warn', /database not reachable \(attempt \d+\)/) >= 2);
    expect(service.state).toBe('migrating');
    const live = await get(`${base}/livez`);
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'pass' });
    const ready = await get(`${base}/readyz?verbose`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: 'fail',
      checks: {
        migrations: [{ status: 'fail', observedValue: { state: 'migrating' } }],
        'database:responseTime': [{ status: 'fail', output: 'unreachable' }],
      },
    });
    expect((await get(`${base}/readyz`)).status).toBe(503);
    expect((await get(`${base}/healthz`)).status).toBe(503);
    expect(await historyVersions()).toBeUndefined();

    await proxy.open();
    await within(20_000, service.whenReady(), 'whenReady');
    expect(service.state).toBe('ready');
    expect((await get(`${base}/readyz`)).status).toBe(200);
    expect(await historyVersions()).toEqual(['1', '2']);
  });

  it('past connectDeadline: CONNECTION_FAILED logged naming the server, and readiness stays 503 after the database returns', async () => {
    const { migrations } = await tree(USERS_MIGRATIONS);
    const logger = recordingLogger();
    const started = Date.now();
    const app = await create({ migrations, background: true, connectDeadline: 1_000, logger, health: { pingCacheTtl: 0 } });
    const base = await listen(app);
    const service = app.get(MigrationsService);

    await waitFor('the boot to fail', async () => service.state === 'failed');
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(10_000);
    await expect(service.whenReady()).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    const logged = await waitFor('the failure to be logged', async () =>
      logger.lines.find(
        (line) => line.level === 'error' && line.message.startsWith('migrations failed in the background; readiness stays 503: '),
      ),
    );
    expect(logged.message).toContain(
      `cannot reach the database at postgres://${role.role}:***@127.0.0.1:${proxy.port}/${database.name}`,
    );
    expect(logged.context).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(service.snapshot().error).toEqual({ code: 'CONNECTION_FAILED' });

    const failed = await get(`${base}/readyz?verbose`);
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({
      checks: { migrations: [{ observedValue: { state: 'failed', error: { code: 'CONNECTION_FAILED' } } }] },
    });
    expect((await get(`${base}/livez`)).status).toBe(200);

    await proxy.open();
    const after = await get(`${base}/readyz?verbose`);
    expect(after.status).toBe(503);
    expect(after.body).toMatchObject({
      status: 'fail',
      checks: { migrations: [{ status: 'fail' }], 'database:responseTime': [{ status: 'pass' }] },
    });
    expect((await get(`${base}/healthz`)).status).toBe(503);
    expect(await historyVersions()).toBeUndefined();
  });
});

describe('no password in the Nest log, errors or probe bodies (the module logging through Nest’s logger)', () => {
  it('booted, database gone, failing migration (foreground and background), refused at boot (foreground and background)', async () => {
    const good = await tree(USERS_MIGRATIONS);
    const broken = await tree(BROKEN_MIGRATIONS);
    const nestLog = capturingNestLogger();
    const texts: string[] = [];
    const health = { pingCacheTtl: 0, pingTimeout: 1_000 };

    // Booted and serving, then the database going away under it.
    await proxy.open();
    const healthy = await create({ migrations: good.migrations, health }, nestLog);
    const healthyUrl = await listen(healthy);
    texts.push(...(await probeTexts(healthyUrl)));
    await proxy.close();
    texts.push(...(await probeTexts(healthyUrl)));
    await proxy.open();

    // A failing migration: app creation rejects (foreground); in the background, probes report it.
    const foreground = await create({ migrations: broken.migrations, health }, nestLog).catch((error: unknown) => error);
    expect(foreground).toMatchObject({ code: 'MIGRATION_FAILED' });
    texts.push(errorTexts(foreground));
    const background = await create({ migrations: broken.migrations, health, background: true }, nestLog);
    const backgroundUrl = await listen(background);
    await waitFor('the background migration to fail', async () => background.get(MigrationsService).state === 'failed');
    texts.push(...(await probeTexts(backgroundUrl)));

    // Refused at boot past the deadline: the rejection, and the background probes while it retries and after.
    await proxy.close();
    const refused = await create({ migrations: good.migrations, health, connectDeadline: 600 }, nestLog).catch(
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: 'CONNECTION_FAILED' });
    texts.push(errorTexts(refused));
    const retrying = await create({ migrations: good.migrations, health, background: true, connectDeadline: 1_500 }, nestLog);
    const retryingUrl = await listen(retrying);
    texts.push(...(await probeTexts(retryingUrl)));
    await waitFor('the retries to give up', async () => retrying.get(MigrationsService).state === 'failed');
    texts.push(...(await probeTexts(retryingUrl)));
    await proxy.open();

    texts.push(...nestLog.lines);
    // The scan had something to find: the module's lines, Nest's exception lines, the server's name.
    const log = nestLog.lines.join('\n');
    expect(log).toContain('applied 2 migrations');
    expect(log).toContain('database not reachable');
    expect(log).toContain('migrations failed in the background');
    expect(log).toContain('no_such_type_xyz');
    expect(texts.join('\n')).toContain(`${role.role}:***@127.0.0.1:${proxy.port}`);
    expectNoPassword('a Nest log line, error or probe body', texts);
  });

  it('a real Nest process (fixtures/nest-app.mjs) that boots, and one whose migration fails: no output shows the password', async () => {
    const good = await tree(USERS_MIGRATIONS);
    await proxy.open();
    const served = await spawnNode([FIXTURE, JSON.stringify({ url, migrations: good.migrations })], { timeoutMs: 60_000 });
    expect(served.code, served.stderr).toBe(0);
    expect(served.stdout).toContain('"served":true');

    const broken = await tree(BROKEN_MIGRATIONS);
    const failed = await spawnNode([FIXTURE, JSON.stringify({ url, migrations: broken.migrations })], { timeoutMs: 60_000 });
    expect(failed.code).not.toBe(0);
    // Nest's logger printed the failure, with its stack: there was something to scan.
    expect(`${failed.stdout}\n${failed.stderr}`).toMatch(/0003_add_flag\.up\.sql:3:\d+/);
    expectNoPassword('the Nest process output', [served.stdout, served.stderr, failed.stdout, failed.stderr]);
  });
});

describe('probe bodies after a background migration failed', () => {
  it('carry no SQL, stack frame, server path or connection detail, with the database up and down', async () => {
    const { migrations, root } = await tree(BROKEN_MIGRATIONS);
    await proxy.open();
    const app = await create({ migrations, background: true, logger: false, health: { pingCacheTtl: 0, pingTimeout: 1_000 } });
    const base = await listen(app);
    const service = app.get(MigrationsService);
    await waitFor('the background migration to fail', async () => service.state === 'failed');
    // The error has every detail (for the logs); the probes must not.
    await expect(service.whenReady()).rejects.toThrow(/no_such_type_xyz/);

    const bodies: string[] = [];
    const collect = async () => {
      for (const path of PROBE_PATHS) {
        const answer = await get(`${base}${path}`);
        expect(answer.status, path).toBe(path.startsWith('/livez') ? 200 : 503);
        bodies.push(answer.text);
      }
    };
    await collect();
    expect(JSON.parse(bodies[PROBE_PATHS.indexOf('/healthz?verbose')]!)).toMatchObject({
      checks: { migrations: [{ observedValue: { state: 'failed', error: { code: 'MIGRATION_FAILED', version: '3' } } }] },
    });
    await proxy.close();
    await collect();

    expect(bodies).toHaveLength(PROBE_PATHS.length * 2);
    expectCleanProbeBodies(bodies, [
      ...FAILING_MIGRATION_WORDS,
      root,
      `:${proxy.port}`,
      `:${pgServerAddress().port}`,
      database.name,
      role.role,
    ]);
  });
});
