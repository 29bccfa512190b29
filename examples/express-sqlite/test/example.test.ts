import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type NodeProcess, startNode } from '../../../packages/express/test/support/node-process.js';
import { tempDir } from '../../../test-support/databases.js';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

let data: Awaited<ReturnType<typeof tempDir>>;
const running: NodeProcess[] = [];

beforeEach(async () => {
  data = await tempDir('example-sqlite');
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.stop()));
  await data.cleanup();
});

async function start(): Promise<{ app: NodeProcess; base: string }> {
  // The package's own start script (`node src/server.mjs`), on a random port and a scratch data dir.
  const app = startNode(['src/server.mjs'], { cwd: EXAMPLE, env: { PORT: '0', DATA_DIR: data.path } });
  running.push(app);
  const port = await app.waitForLine((line) => /listening on http:\/\/localhost:(\d+)/.exec(line)?.[1]);
  return { app, base: `http://127.0.0.1:${port}` };
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.json() };
}

function post(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

describe('examples/express-sqlite', () => {
  it('is what `npm start` runs', async () => {
    const root = JSON.parse(await readFile(`${ROOT}/package.json`, 'utf8'));
    // `exec`: npm's shell becomes the server, so the signal npm forwards reaches it (a nested
    // `npm start -w` behind `sh -c` never passed SIGTERM on).
    expect(root.scripts.start).toBe('npm run build && exec node examples/express-sqlite/src/server.mjs');
    const example = JSON.parse(await readFile(`${EXAMPLE}/package.json`, 'utf8'));
    expect(example.name).toBe('@strata/example-express-sqlite');
    expect(example.scripts.start).toBe('node src/server.mjs');
  });

  it('`npm start` stops on SIGTERM: npm forwards it to the server, which drains and exits', async () => {
    const root = JSON.parse(await readFile(`${ROOT}/package.json`, 'utf8'));
    // The root script after its build step (the build is the suite's own, done before the tests),
    // run by npm through its shell as \`npm start\` runs it, from a scratch package.
    const serve = root.scripts.start.replace('npm run build && ', '').replace('examples/', `${ROOT}/examples/`);
    await writeFile(join(data.path, 'package.json'), JSON.stringify({ name: 'npm-start-probe', scripts: { start: serve } }));
    const npm = spawn('npm', ['start'], {
      cwd: data.path,
      env: { ...process.env, PORT: '0', DATA_DIR: join(data.path, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const exited = new Promise<number | null>((resolve) => npm.on('close', resolve));
    const deadline = Date.now() + 30_000;
    while (!/listening on http:\/\/localhost:(\d+)/.test(out) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const port = /listening on http:\/\/localhost:(\d+)/.exec(out)?.[1];
    expect(port, out).toBeDefined();
    npm.kill('SIGTERM');
    const timer = setTimeout(() => npm.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    expect(out).toContain('draining: readiness now answers 503');
    await expect(fetch(`http://127.0.0.1:${port}/livez`)).rejects.toThrow();
  });

  it('malformed JSON is a 400 problem document, not a 500', async () => {
    const { base } = await start();
    const response = await fetch(`${base}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'the request body is not valid JSON',
    });
  });

  it('migrates on first boot, serves its JSON routes and probes, and finds the schema up to date next time', async () => {
    const first = await start();
    expect(first.app.stdout()).toMatch(/\[strata\] applied 3 migrations in \d+ ms \(0 already applied\)/);
    expect(first.app.stdout()).toMatch(/listening on http:\/\/localhost:\d+ \(probes: \/livez \/readyz \/healthz/);

    for (const probe of ['/livez', '/readyz', '/healthz']) {
      const response = await fetch(`${first.base}${probe}`);
      expect(response.status, probe).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/health\+json/);
    }
    const created = await json(`${first.base}/users`, post({ email: 'ada@example.com' }));
    expect(created).toMatchObject({ status: 201, body: { id: 1, email: 'ada@example.com', displayName: 'ada' } });
    expect((await json(`${first.base}/users`, post({ email: 'ada@example.com' }))).status).toBe(409);
    expect((await json(`${first.base}/users`, post({ email: 'nope' }))).status).toBe(400);
    const postCreated = await json(`${first.base}/users/1/posts`, post({ title: 'Hello', body: 'first post' }));
    expect(postCreated).toMatchObject({ status: 201, body: { userId: 1, title: 'Hello' } });
    expect((await json(`${first.base}/users/9/posts`, post({ title: 'x' }))).status).toBe(404);
    expect(await json(`${first.base}/posts`)).toMatchObject({ status: 200, body: [{ title: 'Hello', author: 'ada' }] });
    expect(await json(`${first.base}/users`)).toMatchObject({ status: 200, body: [{ email: 'ada@example.com', posts: 1 }] });

    const exit = await first.app.stop();
    expect(exit.code, first.app.stderr()).toBe(0);
    expect(first.app.stdout()).toContain('draining: readiness now answers 503');

    const second = await start();
    expect(second.app.stdout()).toMatch(/\[strata\] schema up to date: 3 migrations already applied \(checked in \d+ ms\)/);
    expect(await json(`${second.base}/users/1`)).toMatchObject({
      status: 200,
      body: { displayName: 'ada', posts: [{ title: 'Hello' }] },
    });
  });
});
