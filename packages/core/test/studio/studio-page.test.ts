/**
 * `strata studio` end to end: the built CLI serves the page for a real PostgreSQL database, and
 * Debian's headless Chromium (through playwright-core, installed by the test setup when missing)
 * drives it. The screenshots in docs/studio/ are taken here, from the express-postgres example.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Chromium, launchChromium } from '../../../../test-support/chromium.js';
import { advisoryLockKey } from '../../src/lock/advisory/lock-key.js';
import { type TestDatabase, testDatabase } from '../cli/helpers/databases.js';
import { createProject, type Project } from '../cli/helpers/project.js';
import { STRATA_MAIN, strata } from '../cli/helpers/strata.js';

const EXAMPLE_MIGRATIONS = fileURLToPath(new URL('../../../../examples/express-postgres/migrations', import.meta.url));
/**
 * The screenshots in docs/studio are taken by these tests, but rewritten only when asked
 * (STRATA_UPDATE_SCREENSHOTS=1 npx vitest run packages/core/test/studio): a plain test run leaves
 * the clone as it found it and writes them to a temporary directory.
 */
const SCREENSHOTS = process.env.STRATA_UPDATE_SCREENSHOTS
  ? fileURLToPath(new URL('../../../../docs/studio/', import.meta.url))
  : `${mkdtempSync(join(tmpdir(), 'strata-studio-shots-'))}/`;
const V = {
  users: '20260601000001',
  posts: '20260601000002',
  displayName: '20260601000003',
  index: '20260601000004',
  published: '20260601000005',
};
/** A migration beyond the example's, with a lint finding on its second line. */
const PUBLISHED_MIGRATION = {
  'migrations/2026-06-01-000005_require_post_published/up.sql':
    '-- Every post says whether it is published.\nALTER TABLE posts ADD COLUMN published BOOLEAN NOT NULL;\n',
  'migrations/2026-06-01-000005_require_post_published/down.sql': 'ALTER TABLE posts DROP COLUMN published;\n',
};
const ROUTES: [string, string][] = [
  ['GET', '/'],
  ['GET', '/assets/studio.js'],
  ['GET', '/assets/studio.css'],
  ['GET', '/api/state'],
  ['GET', '/api/schema'],
  ['GET', '/api/fleet'],
  ['GET', '/api/plan/run'],
  ['POST', '/api/actions/run'],
  ['POST', '/api/actions/revert'],
  ['POST', '/api/actions/resolve'],
  ['GET', '/no/such/page'],
];

interface Studio {
  url: string;
  origin: string;
  token: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** `strata studio --no-open` as a child process, until it prints its URL. */
function startStudio(project: Project, databaseUrl: string | undefined, args: string[] = []): Promise<Studio> {
  const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: databaseUrl, NO_COLOR: '1' };
  if (databaseUrl === undefined) delete env.DATABASE_URL;
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const child: ChildProcess = spawn(process.execPath, [STRATA_MAIN, 'studio', '--no-open', ...args], {
    cwd: project.dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`strata studio printed no URL within 30 s:\n${stdout}\n${stderr}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`strata studio exited (${code}) before printing a URL:\n${stdout}\n${stderr}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[0],
        origin: match[1]!,
        token: match[2]!,
        stderr: () => stderr,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}

interface Fixture {
  project: Project;
  db: TestDatabase;
  /** Leaves `version` as a -- no-transaction migration that stopped part-way would: a dirty row. */
  insertDirty(version: string, description: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** The example's migrations (plus `extra`), applied through `through`, on a fresh database. */
async function fixture(through: string, extra: Record<string, string> = {}): Promise<Fixture> {
  const project = await createProject(extra);
  cpSync(EXAMPLE_MIGRATIONS, `${project.dir}/migrations`, { recursive: true });
  const db = await testDatabase('postgres', project.dir);
  const ran = await strata(['run', '--target-version', through], { cwd: project.dir, env: { DATABASE_URL: db.url } });
  expect(ran.code, ran.stderr).toBe(0);
  return {
    project,
    db,
    insertDirty: async (version, description) => {
      await db.query(
        `INSERT INTO _strata_migrations (version, description, success, checksum, execution_time)
         VALUES ($1, $2, false, sha384(convert_to($2, 'UTF8')), 0)`,
        [version, description],
      );
    },
    cleanup: async () => {
      await db.drop();
      await project.cleanup();
    },
  };
}

async function openPage(browser: Chromium, url: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(url);
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
  expect(await page.evaluate(() => document.body.dataset.ready), (await page.locator('#message').textContent()) ?? '').toBe(
    'true',
  );
  return page;
}

const timeline = (page: Page) =>
  page.$$eval('#timeline > li', (items) =>
    items.map((li) => [(li as HTMLElement).dataset.version, (li as HTMLElement).dataset.state]),
  );

let browser: Chromium;

beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

describe('strata studio --drift --targets, read-only, on a database with a dirty row, a pending migration and drift', () => {
  let fx: Fixture;
  let studio: Studio;
  /** One page for the tests that only look. */
  let page: Page;

  beforeAll(async () => {
    fx = await fixture(V.displayName, PUBLISHED_MIGRATION);
    await fx.insertDirty(V.index, 'index posts created at');
    // A change made by hand, outside the migrations: drift.
    await fx.db.query('ALTER TABLE users ADD COLUMN nickname TEXT');
    await fx.project.write({ 'targets.txt': `${fx.db.url}\n` });
    studio = await startStudio(fx.project, fx.db.url, ['--drift', '--targets', 'targets.txt']);
    page = await openPage(browser, studio.url);
  });

  afterAll(async () => {
    await page?.close();
    await studio?.stop();
    await fx?.cleanup();
  });

  it('refuses every route without the token, or with a wrong one (401)', async () => {
    for (const [method, path] of ROUTES) {
      for (const auth of [{}, { authorization: 'Bearer not-the-token' }]) {
        const response = await fetch(`${studio.origin}${path}`, { method, headers: auth });
        expect(response.status, `${method} ${path}`).toBe(401);
        const body = (await response.json()) as { error: { code: string } };
        expect(body.error.code).toBe('UNAUTHORIZED');
      }
    }
    expect((await fetch(`${studio.origin}/api/state?token=${studio.token.slice(1)}`)).status).toBe(401);
    expect((await fetch(`${studio.origin}/api/state?token=${studio.token}`)).status).toBe(200);
  });

  it('refuses every action and every plan without --allow-write (403), and changes nothing', async () => {
    const before = await fx.db.appliedVersions();
    const headers = { authorization: `Bearer ${studio.token}`, 'content-type': 'application/json' };
    for (const action of ['run', 'revert', 'resolve']) {
      const body = JSON.stringify({ version: V.index, resolution: 'rolled-back' });
      const acted = await fetch(`${studio.origin}/api/actions/${action}`, { method: 'POST', headers, body });
      expect(acted.status, action).toBe(403);
      expect(((await acted.json()) as { error: { code: string } }).error.code).toBe('READ_ONLY');
      const planned = await fetch(`${studio.origin}/api/plan/${action}`, { headers });
      expect(planned.status, action).toBe(403);
    }
    expect(await fx.db.appliedVersions()).toEqual(before);
    const dirty = await fx.db.query<{ success: boolean }>('SELECT success FROM _strata_migrations WHERE version = $1', [V.index]);
    expect(dirty).toEqual([{ success: false }]);
  });

  it('shows the timeline: applied, dirty and pending migrations, each with its SQL', async () => {
    expect(await timeline(page)).toEqual([
      [V.users, 'applied'],
      [V.posts, 'applied'],
      [V.displayName, 'applied'],
      [V.index, 'dirty'],
      [V.published, 'pending'],
    ]);
    const dirty = page.locator(`#timeline > li[data-version="${V.index}"]`);
    expect(await dirty.locator('.badge').textContent()).toBe('dirty');
    expect(await dirty.locator('.callout').textContent()).toContain('did not finish');
    expect(await page.locator('#summary').textContent()).toBe('3 applied, 1 pending, 1 dirty');
    // Read-only: no action buttons, and the page says how to allow them.
    expect(await page.locator('#actions').isHidden()).toBe(true);
    expect(await page.locator('#read-only').isVisible()).toBe(true);
    expect(await dirty.locator('button').count()).toBe(0);
    expect(await page.locator('#lock').textContent()).toBe('Lock: free');
    // The token left the address bar once the cookie carried it.
    expect(page.url()).not.toContain('token=');
  });

  it('shows a lint finding right under the line it is on', async () => {
    const pending = page.locator(`#timeline > li[data-version="${V.published}"]`);
    const finding = pending.locator('.finding[data-line="2"][data-rule="add-column-not-null-without-default"]');
    await finding.waitFor({ state: 'visible' });
    expect(await finding.textContent()).toContain('line 2');
    // The finding follows its line in the code block.
    const previous = await finding.evaluate((node) => {
      let line = node.previousElementSibling;
      while (line && !line.classList.contains('line')) line = line.previousElementSibling;
      return line?.textContent ?? '';
    });
    expect(previous).toContain('ADD COLUMN published BOOLEAN NOT NULL');
    expect(await pending.locator('.line[data-line="2"] .tok-keyword').first().textContent()).toBe('ALTER');
  });

  it('draws the schema: the tables and their foreign keys, with drift marked', async () => {
    const tables = await page.$$eval('#diagram g.er-table', (groups) => groups.map((g) => g.getAttribute('data-table')).sort());
    expect(tables).toEqual(['posts', 'users']);
    expect(await page.locator('#diagram path.fk[data-from="posts"][data-to="users"]').count()).toBe(1);
    expect(await page.locator('#diagram g.er-table[data-table="posts"] text[data-column="user_id"]').count()).toBe(1);
    expect(await page.locator('#relations').textContent()).toContain('posts.user_id → users.id');
    expect(await page.locator('#diagram g.er-table.drift-changed[data-table="users"]').count()).toBe(1);
    expect(await page.locator('#diagram g.er-table[data-table="posts"]').getAttribute('class')).toBe('er-table');
    expect(await page.locator('#drift').textContent()).toContain('changed table public.users: columns[nickname]');
    await page.screenshot({ path: `${SCREENSHOTS}timeline.png`, fullPage: true });
    await page.locator('#diagram').screenshot({ path: `${SCREENSHOTS}schema.png` });
  });

  it('lists the fleet in a table that filters', async () => {
    const rows = page.locator('#fleet tbody tr');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator('td').allTextContents()).toEqual(['3', '1', '1', '0', 'done']);
    expect(await rows.first().locator('th').textContent()).toContain(new URL(fx.db.url).pathname.slice(1));
    await page.selectOption('#fleet-state', 'dirty');
    expect(await rows.count()).toBe(1);
    await page.selectOption('#fleet-state', 'failed');
    expect(await rows.count()).toBe(0);
    await page.selectOption('#fleet-state', 'all');
    await page.fill('#fleet-filter', 'no-such-target');
    expect(await rows.count()).toBe(0);
    expect(await page.locator('#fleet-caption').textContent()).toBe('0 of 1 targets');
    await page.fill('#fleet-filter', '');
  });

  it('with --targets and no database URL, shows the first target in detail', async () => {
    const fleetOnly = await startStudio(fx.project, undefined, ['--targets', 'targets.txt']);
    try {
      const headers = { authorization: `Bearer ${fleetOnly.token}` };
      const state = (await (await fetch(`${fleetOnly.origin}/api/state`, { headers })).json()) as {
        database: string;
        fleet: boolean;
        migrations: unknown[];
      };
      expect(state.database).toContain(new URL(fx.db.url).pathname);
      expect(state.fleet).toBe(true);
      expect(state.migrations).toHaveLength(5);
      expect((await fetch(`${fleetOnly.origin}/api/fleet`, { headers })).status).toBe(200);
    } finally {
      await fleetOnly.stop();
    }
  });

  it('names the session holding the migration lock', async () => {
    const holder = new pg.Client({ connectionString: fx.db.url, application_name: 'deploy-job' });
    await holder.connect();
    try {
      const database = new URL(fx.db.url).pathname.slice(1);
      await holder.query('SELECT pg_advisory_lock($1)', [String(advisoryLockKey(database))]);
      const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await page.click('#refresh');
      await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
      const lock = page.locator('#lock');
      expect(await lock.getAttribute('data-state')).toBe('held');
      expect(await lock.textContent()).toMatch(new RegExp(`^Lock: held by pid ${pid} "deploy-job" since \\d{4}-\\d\\d-\\d\\d `));
    } finally {
      await holder.end();
    }
    await page.click('#refresh');
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    expect(await page.locator('#lock').textContent()).toBe('Lock: free');
  });

  it('fits a narrow window: nothing but code and the diagram scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => window.scrollTo(0, 0));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${SCREENSHOTS}narrow.png` });
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});

describe('strata studio --allow-write', () => {
  let fx: Fixture;
  let studio: Studio;

  let page: Page;

  beforeAll(async () => {
    fx = await fixture(V.posts);
    studio = await startStudio(fx.project, fx.db.url, ['--allow-write']);
    page = await openPage(browser, studio.url);
  });

  afterAll(async () => {
    await page?.close();
    await studio?.stop();
    await fx?.cleanup();
  });

  it('runs the pending migrations after a confirmation that shows the plan, and the page updates', async () => {
    expect(await timeline(page)).toEqual([
      [V.users, 'applied'],
      [V.posts, 'applied'],
      [V.displayName, 'pending'],
      [V.index, 'pending'],
    ]);
    await page.click('#action-run');
    const dialog = page.locator('#confirm');
    await dialog.waitFor({ state: 'visible' });
    const plan = (await page.locator('#confirm-plan').textContent()) ?? '';
    expect(plan).toContain(`${V.displayName}  add users display name  in a transaction`);
    expect(plan).toContain(`${V.index}  index posts created at  without a transaction`);
    // Nothing happens before the confirmation.
    expect(await fx.db.appliedVersions()).toEqual([V.users, V.posts]);
    await page.screenshot({ path: `${SCREENSHOTS}confirm.png` });
    // The confirm button has the focus: the keyboard confirms.
    await page.keyboard.press('Enter');
    await page.locator(`#timeline > li[data-version="${V.index}"][data-state="applied"]`).waitFor();
    expect(await timeline(page)).toEqual([
      [V.users, 'applied'],
      [V.posts, 'applied'],
      [V.displayName, 'applied'],
      [V.index, 'applied'],
    ]);
    expect(await page.locator('#message').textContent()).toBe(`Applied ${V.displayName}, ${V.index}.`);
    expect(await fx.db.appliedVersions()).toEqual([V.users, V.posts, V.displayName, V.index]);
    expect(studio.stderr()).toContain(`studio: run done ${V.displayName}, ${V.index}`);
  });

  it('cancelling the confirmation changes nothing', async () => {
    await page.click('#action-revert');
    await page.locator('#confirm').waitFor({ state: 'visible' });
    expect(await page.locator('#confirm-plan').textContent()).toContain(`${V.index}  index posts created at`);
    await page.keyboard.press('Escape');
    await page.locator('#confirm').waitFor({ state: 'hidden' });
    expect(await fx.db.appliedVersions()).toEqual([V.users, V.posts, V.displayName, V.index]);
  });

  it('resolves a dirty row through the page', async () => {
    await fx.insertDirty('20260601000009', 'dirty one');
    await page.click('#refresh');
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    const dirty = page.locator('#timeline > li[data-version="20260601000009"]');
    expect(await dirty.getAttribute('data-state')).toBe('dirty');
    await dirty.locator('button[data-resolve="rolled-back"]').click();
    // The page fetches the plan before it opens the dialog: until then the dialog still holds the
    // previous (cancelled) plan, so wait for it to open before reading it.
    await page.locator('#confirm').waitFor({ state: 'visible' });
    expect(await page.locator('#confirm-plan').textContent()).toContain('Resolve dirty migration 20260601000009');
    await page.click('#confirm-ok');
    await dirty.waitFor({ state: 'detached' });
    expect(await fx.db.appliedVersions()).toEqual([V.users, V.posts, V.displayName, V.index]);
    expect(studio.stderr()).toContain('studio: resolve done 20260601000009');
  });
});
