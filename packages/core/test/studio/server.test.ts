/**
 * The studio's server in process, on SQLite, without a browser: the token guard, the loopback
 * check, read-only refusals, actions through the Migrator, the lock as the lock file tells it, and
 * its typed failures. The page itself is driven in studio-page.test.ts.
 */
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../../../../test-support/databases.js';
import { Migrator } from '../../src/migrator.js';
import { type StudioServer, startStudio } from '../../src/studio/server.js';
import type { StudioActionEntry, StudioOptions } from '../../src/studio/studio-options.js';

const ASSETS_DIR = fileURLToPath(new URL('../../src/studio/page/', import.meta.url));
const MIGRATIONS = {
  'migrations/0001_create_users.up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n',
  'migrations/0001_create_users.down.sql': 'DROP TABLE users;\n',
  'migrations/0002_create_posts.up.sql':
    'CREATE TABLE posts (\n  id INTEGER PRIMARY KEY,\n  user_id INTEGER NOT NULL REFERENCES users (id)\n);\n',
  'migrations/0002_create_posts.down.sql': 'DROP TABLE posts;\n',
};

let dir: { path: string; cleanup(): Promise<void> };
let db: Database.Database;
let studio: StudioServer | undefined;
let actions: StudioActionEntry[];

beforeEach(async () => {
  dir = await tempDir('studio');
  await writeTree(dir.path, MIGRATIONS);
  db = new Database(`${dir.path}/app.db`);
  actions = [];
});

afterEach(async () => {
  await studio?.close();
  studio = undefined;
  db.close();
  await dir.cleanup();
});

async function start(options: Partial<StudioOptions> = {}): Promise<StudioServer> {
  const migrations = `${dir.path}/migrations`;
  studio = await startStudio({
    migrator: new Migrator({ db, migrations }),
    db,
    database: 'sqlite',
    migrations,
    assetsDir: ASSETS_DIR,
    onAction: (entry) => actions.push(entry),
    ...options,
  });
  return studio;
}

function call(server: StudioServer, path: string, init: RequestInit = {}, token: string | null = server.token) {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  return fetch(`http://127.0.0.1:${server.port}${path}`, { ...init, headers });
}

const post = (server: StudioServer, path: string, body: unknown = {}) =>
  call(server, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('strata studio server', () => {
  it('listens on 127.0.0.1 on a free port and prints a URL with a long random token', async () => {
    const server = await start();
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[\w-]{43}$/);
    const other = await startStudio({ ...(await optionsOf()), port: 0 });
    expect(other.token).not.toBe(server.token);
    await other.close();
  });

  it('answers 401 to every request without the right token, whatever it asks', async () => {
    const server = await start({ allowWrite: true });
    for (const path of ['/', '/assets/studio.js', '/api/state', '/api/plan/run', '/nope', '/../../etc/passwd']) {
      for (const token of [null, 'wrong', server.token.slice(0, -1)]) {
        const response = await call(server, path, {}, token);
        expect(response.status, `${path} ${token}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toContain('Bearer');
      }
    }
    const refused = await call(
      server,
      '/api/actions/run',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
      null,
    );
    expect(refused.status).toBe(401);
    // Nothing ran: the refused POST was not even read.
    expect(actions).toEqual([]);
  });

  it('opens the page with ?token= and sets a same-site cookie the page uses after that', async () => {
    const server = await start();
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const state = await fetch(`http://127.0.0.1:${server.port}/api/state`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(state.status).toBe(200);
  });

  it('refuses a request naming another host (DNS rebinding), token or not', async () => {
    const server = await start();
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const sent = request(
        {
          host: '127.0.0.1',
          port: server.port,
          path: `/api/state?token=${server.token}`,
          headers: { host: `attacker.example:${server.port}` },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode);
        },
      );
      sent.on('error', reject);
      sent.end();
    });
    expect(status).toBe(421);
  });

  it('shows the state: migrations with their SQL, the lock as the lock file tells it', async () => {
    const server = await start();
    await new Migrator({ db, migrations: `${dir.path}/migrations` }).run({ target: 1n });
    const state = (await (await call(server, '/api/state')).json()) as {
      migrations: { version: string; state: string; up: string; down: string }[];
      lock: { state: string; holder: { pid: number } | null };
      allowWrite: boolean;
    };
    expect(state.allowWrite).toBe(false);
    expect(state.migrations.map((m) => [m.version, m.state])).toEqual([
      ['1', 'applied'],
      ['2', 'pending'],
    ]);
    expect(state.migrations[1]!.up).toContain('REFERENCES users');
    expect(state.migrations[1]!.down).toBe('DROP TABLE posts;\n');
    expect(state.lock).toEqual({ state: 'free', holder: null });

    // Another runner holds the lock file (as a run does, with its note).
    const lockDb = new Database(`${dir.path}/app.db.strata-lock`);
    lockDb.exec('BEGIN EXCLUSIVE');
    await writeTree(dir.path, {
      'app.db.strata-lock.holder': JSON.stringify({ pid: 4242, host: 'ci-runner', since: '2026-06-01T10:00:00.000Z' }),
    });
    try {
      const held = (await (await call(server, '/api/state')).json()) as typeof state;
      expect(await (await call(server, '/api/lock')).json()).toEqual(held.lock);
      expect(held.lock).toEqual({
        state: 'held',
        holder: {
          pid: 4242,
          applicationName: null,
          hostname: 'ci-runner',
          clientAddress: null,
          since: '2026-06-01T10:00:00.000Z',
        },
      });
    } finally {
      lockDb.close();
    }
  });

  it('describes the schema: tables, key columns and foreign keys', async () => {
    const server = await start();
    await new Migrator({ db, migrations: `${dir.path}/migrations` }).run();
    const schema = (await (await call(server, '/api/schema')).json()) as {
      tables: { name: string; columns: { name: string; primaryKey: boolean; foreignKey: boolean }[]; foreignKeys: unknown[] }[];
      drift: unknown;
    };
    expect(schema.drift).toBeNull();
    const posts = schema.tables.find((table) => table.name === 'posts')!;
    expect(posts.columns.filter((c) => c.primaryKey || c.foreignKey).map((c) => c.name)).toEqual(['id', 'user_id']);
    expect(posts.foreignKeys).toEqual([
      {
        name: null,
        columns: ['user_id'],
        references: { schema: 'main', table: 'users', columns: ['id'] },
        onDelete: 'no action',
      },
    ]);
  });

  it('refuses plans and actions when read-only (403), and changes nothing', async () => {
    const server = await start();
    for (const action of ['run', 'revert', 'resolve']) {
      const acted = await post(server, `/api/actions/${action}`, { version: '1', resolution: 'applied' });
      expect(acted.status).toBe(403);
      expect(await errorCode(acted)).toBe('READ_ONLY');
      expect((await call(server, `/api/plan/${action}`)).status).toBe(403);
    }
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'users'").all()).toEqual([]);
    expect(actions).toEqual([]);
  });

  it('with allowWrite: plans, then runs and reverts one step through the Migrator, each logged', async () => {
    const server = await start({ allowWrite: true });
    const plan = (await (await call(server, '/api/plan/run')).json()) as { steps: { version: string }[]; text: string };
    expect(plan.steps.map((step) => step.version)).toEqual(['1', '2']);
    expect(plan.text).toContain('1  create users  in a transaction  0001_create_users.up.sql');
    const ran = await post(server, '/api/actions/run');
    expect(await ran.json()).toEqual({ action: 'run', versions: ['1', '2'] });
    const reverted = await post(server, '/api/actions/revert');
    expect(await reverted.json()).toEqual({ action: 'revert', versions: ['2'] });
    expect(db.prepare('SELECT version FROM _strata_migrations').all()).toEqual([{ version: 1 }]);
    expect(actions).toEqual([
      { action: 'run', outcome: 'done', versions: ['1', '2'] },
      { action: 'revert', outcome: 'done', versions: ['2'] },
    ]);
  });

  it('with allowWrite: refuses what is malformed, with a stable code', async () => {
    const server = await start({ allowWrite: true });
    expect((await call(server, '/api/actions/run')).status).toBe(405);
    expect((await call(server, '/api/plan/run', { method: 'POST' })).status).toBe(405);
    expect((await call(server, '/api/actions/run', { method: 'POST', body: '{}' })).status).toBe(415);
    expect((await post(server, '/api/actions/drop-everything')).status).toBe(404);
    const notDirty = await post(server, '/api/actions/resolve', { version: '1', resolution: 'applied' });
    expect(notDirty.status).toBe(404);
    expect(await errorCode(notDirty)).toBe('NOT_FOUND');
    const badResolution = await call(server, '/api/plan/resolve?version=1&resolution=maybe');
    expect(badResolution.status).toBe(400);
    expect(await errorCode(badResolution)).toBe('INVALID_OPTIONS');
    expect(actions).toEqual([
      {
        action: 'resolve',
        outcome: 'failed',
        versions: [],
        error: { code: 'NOT_FOUND', message: 'migration 1 is not dirty: only a dirty row can be resolved' },
      },
    ]);
  });

  it('fails with STUDIO_ASSETS_MISSING and STUDIO_LISTEN_FAILED before printing a URL', async () => {
    await expect(start({ assetsDir: dir.path })).rejects.toMatchObject({ code: 'STUDIO_ASSETS_MISSING' });
    const server = await start();
    await expect(startStudio({ ...(await optionsOf()), port: server.port })).rejects.toMatchObject({
      code: 'STUDIO_LISTEN_FAILED',
    });
  });
});

async function optionsOf(): Promise<StudioOptions> {
  const migrations = `${dir.path}/migrations`;
  return { migrator: new Migrator({ db, migrations }), db, database: 'sqlite', migrations, assetsDir: ASSETS_DIR };
}
