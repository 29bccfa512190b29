/**
 * Runs the built example (dist/main.js, from the root `tsc -b`) as its own process, on SQLite and on
 * PostgreSQL, and talks to it over HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, spawnNode, tempDir } from '../../../test-support/databases.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Running {
  url: string;
  output(): string;
  /** Sends SIGTERM and resolves with how the process ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(env: Record<string, string>): Promise<Running> {
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  cleanups.push(stop);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Listening on" within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /Listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, output: () => output, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

async function http(method: string, url: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function exerciseUsers(url: string): Promise<void> {
  expect(await http('GET', `${url}/users`)).toEqual({ status: 200, body: [] });
  const created = await http('POST', `${url}/users`, { email: 'ada@example.com', name: 'Ada Lovelace' });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace', role: 'member' });
  expect(await http('GET', `${url}/users/${(created.body as { id: string }).id}`)).toEqual({ status: 200, body: created.body });
  expect((await http('POST', `${url}/users`, { email: 'ada@example.com', name: 'Again' })).status).toBe(409);
  expect((await http('POST', `${url}/users`, { email: 'nope', name: 'X' })).status).toBe(400);
  expect((await http('GET', `${url}/users/missing`)).status).toBe(404);

  const ready = await http('GET', `${url}/health/ready`);
  expect(ready.status).toBe(200);
  expect(ready.body).toMatchObject({
    status: 'ok',
    info: {
      migrations: { status: 'up', mode: 'run', state: 'ready' },
      database: { status: 'up' },
    },
  });
  const schema = await http('GET', `${url}/health/schema`);
  expect(schema.body).toMatchObject({
    info: { schema: { status: 'up', applied: 2, latest: '20260601000002', outstanding: [] } },
  });
  expect((await http('GET', `${url}/health/live`)).status).toBe(200);
}

describe('examples/nest-postgres', () => {
  it("the README's PostgreSQL URLs name a database of the app's own, never the maintenance database", async () => {
    const readme = await readFile(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const urls = [...readme.matchAll(/postgres:\/\/[^\s`'"]+/g)].map((match) => new URL(match[0].replace(/[.,;:)]+$/, '')));
    const named = urls.filter((url) => url.pathname.length > 1);
    expect(named.length).toBeGreaterThan(0);
    for (const url of named) expect(url.pathname, url.href).not.toBe('/postgres');
  });

  it('runs on SQLite via DATABASE_URL=sqlite://…, migrating once across restarts', async () => {
    const dir = await tempDir('nest-example');
    cleanups.push(() => dir.cleanup());
    const env = { DATABASE_URL: `sqlite://${join(dir.path, 'data', 'app.db')}` };

    const first = await start(env);
    expect(first.output()).toMatch(/\[Migrations\] applied migration 20260601000001 create users/);
    expect(first.output()).toMatch(/\[Migrations\] applied 2 migrations in \d+ ms \(0 already applied\)/);
    await exerciseUsers(first.url);
    const stopped = await first.stop();
    // enableShutdownHooks: Nest closes the app, then re-raises the signal.
    expect(stopped.signal ?? stopped.code).toBe('SIGTERM');

    const second = await start(env);
    expect(second.output()).toMatch(/\[Migrations\] schema up to date: 2 migrations already applied \(checked in \d+ ms\)/);
    const users = await http('GET', `${second.url}/users`);
    expect(users.body).toHaveLength(1);
  });

  it('runs on PostgreSQL via DATABASE_URL, reusing the app’s pool provider', async () => {
    const database = await createPostgresDatabase('nest_example');
    cleanups.push(() => database.drop());

    const running = await start({ DATABASE_URL: database.url });
    await exerciseUsers(running.url);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const history = await client.query('SELECT version::text AS version, success FROM _strata_migrations ORDER BY version');
      expect(history.rows).toEqual([
        { version: '20260601000001', success: true },
        { version: '20260601000002', success: true },
      ]);
      // One pool did everything, under the app's own application_name.
      const sessions = await client.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'nest-example'",
        [database.name],
      );
      expect(sessions.rows[0].n).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
    await running.stop();
  });

  it('refuses to start in verify mode when the schema is behind, exiting non-zero', async () => {
    const dir = await tempDir('nest-example');
    cleanups.push(() => dir.cleanup());

    const run = await spawnNode([MAIN], {
      env: { PORT: '0', NO_COLOR: '1', MIGRATIONS_MODE: 'verify', DATABASE_URL: `sqlite://${join(dir.path, 'app.db')}` },
      timeoutMs: 30_000,
    });

    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(
      /StrataError: the database schema is not up to date: 20260601000001 \(pending\), 20260601000002 \(pending\)/,
    );
    expect(run.stdout + run.stderr).not.toMatch(/Listening on/);
  });
});
