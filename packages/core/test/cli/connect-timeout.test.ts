/**
 * Issue 14, "Deadlines everywhere", the CLI's part: `--connect-timeout SECONDS` (sqlx-cli's flag,
 * default 10) and libpq's `connect_timeout` URL parameter, against a server that accepts the TCP
 * connection and never answers the startup packet. Before, `strata info` hung until killed, with
 * or without `?connect_timeout=3`. Each command exits 1 with CONNECTION_FAILED naming the server
 * without its password, within the timeout plus a generous margin (process start included).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEAKABLE_PASSWORD } from '../../../../test-support/password-role.js';
import { type SilentServer, startSilentServer } from '../../../../test-support/silent-server.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { allOutput, jsonOf, type StrataResult, strata } from './helpers/strata.js';

const SLACK_MS = 5_000;

let server: SilentServer;
let project: Project;

beforeEach(async () => {
  server = await startSilentServer();
  project = await createProject(USERS_AND_POSTS);
});
afterEach(async () => {
  await server.close();
  await project.cleanup();
});

async function timedStrata(args: string[], url: string): Promise<{ result: StrataResult; ms: number }> {
  const started = performance.now();
  const result = await strata(args, { cwd: project.dir, env: { DATABASE_URL: url }, timeoutMs: 40_000 });
  return { result, ms: performance.now() - started };
}

function expectGaveUp(result: StrataResult, within: string, database = 'app'): void {
  expect(result.code, allOutput(result)).toBe(1);
  expect(result.stderr).toContain(
    `error[CONNECTION_FAILED]: cannot reach the database at postgres://postgres:***@127.0.0.1:${server.port}/${database}: no connection within ${within} (connect timeout)`,
  );
  expect(allOutput(result)).not.toContain(LEAKABLE_PASSWORD);
}

describe('strata against a server that accepts and never answers', () => {
  it('--connect-timeout 2: info exits 1 with CONNECTION_FAILED after 2 s', async () => {
    const { result, ms } = await timedStrata(['info', '--connect-timeout', '2'], server.url());
    expectGaveUp(result, '2 s');
    expect(ms).toBeGreaterThanOrEqual(2_000);
    expect(ms).toBeLessThan(2_000 + SLACK_MS);
    expect(server.connections).toBeGreaterThan(0);
  });

  it('honours the URL connect_timeout (seconds, as libpq) when no flag is given; --json carries the bound', async () => {
    const { result, ms } = await timedStrata(['run', '--json'], `${server.url()}?connect_timeout=2`);
    expect(result.code).toBe(1);
    expect(jsonOf(result)).toMatchObject({
      error: { code: 'CONNECTION_FAILED', details: { timeoutMs: 2_000, transient: true }, exitCode: 1 },
    });
    expectGaveUp(result, '2 s');
    expect(ms).toBeLessThan(2_000 + SLACK_MS);
  });

  it('--connect-timeout wins over the URL connect_timeout', async () => {
    const { result, ms } = await timedStrata(['--connect-timeout', '1', 'revert'], `${server.url()}?connect_timeout=60`);
    expectGaveUp(result, '1 s');
    expect(ms).toBeLessThan(1_000 + SLACK_MS);
  });

  it('gives up after 10 s by default, as sqlx-cli does', async () => {
    const { result, ms } = await timedStrata(['info'], server.url());
    expectGaveUp(result, '10 s');
    expect(ms).toBeGreaterThanOrEqual(10_000);
    expect(ms).toBeLessThan(10_000 + SLACK_MS);
  });

  it('bounds `strata database create` too (it connects to the maintenance database)', async () => {
    const { result, ms } = await timedStrata(['database', 'create', '--connect-timeout', '1'], server.url());
    expect(result.code, allOutput(result)).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `error\\[CONNECTION_FAILED\\]: cannot reach the database at postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${server.port}/postgres: no connection within 1 s \\(connect timeout\\)`,
      ),
    );
    expect(allOutput(result)).not.toContain(LEAKABLE_PASSWORD);
    expect(ms).toBeLessThan(1_000 + SLACK_MS);
  });

  it('refuses a timeout that is not a number of seconds (exit 2), before connecting', async () => {
    for (const value of ['soon', '-1', '']) {
      const { result } = await timedStrata(['info', `--connect-timeout=${value}`], server.url());
      expect(result.code, value).toBe(2);
      expect(result.stderr).toContain('--connect-timeout takes a number of seconds >= 0');
    }
    const { result } = await timedStrata(['info'], `${server.url()}?connect_timeout=2.5`);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('connect_timeout in the database URL');
    expect(result.stderr).toContain('must be a whole number of seconds, not "2.5"');
    expect(allOutput(result)).not.toContain(LEAKABLE_PASSWORD);
    expect(server.connections).toBe(0);
  });
});
