import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type NodeProcess, startNode } from '../../../packages/express/test/support/node-process.js';
import { createPostgresDatabase, spawnNode } from '../../../test-support/databases.js';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));

let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
const running: NodeProcess[] = [];

beforeEach(async () => {
  db = await createPostgresDatabase('example_express');
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
  await db.drop();
});

async function start(env: Record<string, string> = {}): Promise<{ app: NodeProcess; base: string }> {
  const app = startNode(['src/server.mjs'], { cwd: EXAMPLE, env: { PORT: '0', DATABASE_URL: db.url, ...env } });
  running.push(app);
  const port = await app.waitForLine((line) => /listening on http:\/\/localhost:(\d+)/.exec(line)?.[1]);
  return { app, base: `http://127.0.0.1:${port}` };
}

function post(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

describe('examples/express-postgres', () => {
  it('migrates on DATABASE_URL, serves its JSON routes and probes, and finds the schema up to date next time', async () => {
    const first = await start();
    expect(first.app.stdout()).toMatch(/\[strata\] applied 4 migrations in \d+ ms \(0 already applied\)/);
    for (const probe of ['/livez', '/readyz', '/healthz']) expect((await fetch(`${first.base}${probe}`)).status, probe).toBe(200);

    const user = await fetch(`${first.base}/users`, post({ email: 'grace@example.com' }));
    expect(user.status).toBe(201);
    expect(await user.json()).toMatchObject({ id: '1', displayName: 'grace' });
    expect((await fetch(`${first.base}/users/1/posts`, post({ title: 'Hello' }))).status).toBe(201);
    expect(await (await fetch(`${first.base}/posts`)).json()).toMatchObject([{ title: 'Hello', author: 'grace' }]);

    // The Diesel-style migration with run_in_transaction = false built its index concurrently, and validly.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'posts_created_at'",
      );
      expect(rows).toEqual([{ valid: true }]);
    } finally {
      await client.end();
    }

    expect((await first.app.stop()).code, first.app.stderr()).toBe(0);
    const second = await start();
    expect(second.app.stdout()).toMatch(/\[strata\] schema up to date: 4 migrations already applied/);
    expect((await fetch(`${second.base}/users/1`)).status).toBe(200);
  });

  it('listens at once in background mode and turns ready when migrations finish', async () => {
    const { app, base } = await start({ STRATA_BACKGROUND: '1' });
    expect(app.stdout()).toContain('continue in the background');
    await app.waitForLine((line) => (line.includes('applied 4 migrations') ? true : undefined));
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/users`)).status).toBe(200);
  });

  it('refuses to start in verify mode against a database that was never migrated', async () => {
    const result = await spawnNode(['src/server.mjs'], {
      cwd: EXAMPLE,
      env: { PORT: '0', DATABASE_URL: db.url, STRATA_MODE: 'verify' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot start: the database schema is not up to date: 20260601000001 \(pending\)/);
    expect(result.stdout).not.toContain('listening');
  });

  it('says what is missing when DATABASE_URL is not set', async () => {
    const result = await spawnNode(['src/server.mjs'], { cwd: EXAMPLE, env: { PORT: '0', DATABASE_URL: undefined } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL is not set');
  });
});
