/**
 * Issue 14, "Bounded stalls", the CLI's part: `strata run` through a network that stops
 * forwarding one connection (nothing cut) between the two round trips of a step. Before, the
 * command hung until the kernel gave up on TCP (~15 min) while the table stayed locked. With
 * `--stall-timeout 3` the server ends the stalled session (the table is free again), the command
 * exits 1 with CONNECTION_FAILED within the bound plus a margin, and nothing of the step is kept.
 * Every connection the CLI opens carries TCP keepalive, seen in the kernel's own socket table.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { pgServerAddress, startTcpProxy, type TcpProxy, throughPort } from '../../../../test-support/tcp-proxy.js';
import { type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { allOutput, jsonOf, strata } from './helpers/strata.js';

const MARKER = 'the network stalls after this';
const STALL_S = 3;
/** Process start, the watch's next look, a loaded 2-core machine. */
const MARGIN_MS = 12_000;

/**
 * Established IPv4 connections to 127.0.0.1:`port`, from /proc/net/tcp, with whether the kernel
 * has a keepalive timer armed on them (the `tr` column is 2).
 */
function connectionsTo(port: number): { keepalive: boolean; line: string }[] {
  const remote = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[2] === remote && fields[3] === '01')
    .map((fields) => ({ keepalive: fields[5]?.startsWith('02:') === true, line: fields.slice(0, 8).join(' ') }));
}

describe('--stall-timeout', () => {
  let project: Project | undefined;
  let db: TestDatabase | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    await db?.drop();
    await project?.cleanup();
  });

  it('on PostgreSQL: a run whose network stalls mid-step exits 1 with CONNECTION_FAILED within the bound; the table is free, nothing kept; its connections carry keepalive', async () => {
    project = await createProject({
      'migrations/0001_create_accounts.sql': 'CREATE TABLE accounts (id INTEGER PRIMARY KEY);\n',
      'migrations/0002_add_email.sql': `ALTER TABLE accounts ADD COLUMN email TEXT;\n-- ${MARKER}\n`,
    });
    db = await testDatabase('postgres', project.dir);
    proxy = await startTcpProxy(pgServerAddress());
    const stalled = proxy.stallAfter(MARKER);
    const run = strata(['run', '--stall-timeout', String(STALL_S), '--json'], {
      cwd: project.dir,
      env: { DATABASE_URL: throughPort(db.url, proxy.port) },
      timeoutMs: 60_000,
    });
    const stalledAt = await stalled;

    // Once what the CLI sent is acknowledged (loopback delays its ACKs a little), the keepalive timer runs.
    let connections = connectionsTo(proxy.port);
    for (let tries = 0; tries < 50 && !connections.every((connection) => connection.keepalive); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      connections = connectionsTo(proxy.port);
    }
    expect(connections.length).toBeGreaterThan(0);
    expect(
      connections.every((connection) => connection.keepalive),
      JSON.stringify(connections),
    ).toBe(true);

    const result = await run;
    const tookMs = performance.now() - stalledAt;
    expect(result.code, allOutput(result)).toBe(1);
    expect(jsonOf(result)).toMatchObject({
      error: {
        code: 'CONNECTION_FAILED',
        exitCode: 1,
        details: { version: '2', stallTimeoutMs: STALL_S * 1000, transient: true },
      },
    });
    expect(tookMs).toBeLessThan(STALL_S * 1000 + MARGIN_MS);
    // The server rolled the step back and let go of the table.
    expect(await db.appliedVersions()).toEqual(['1']);
    const columns = await db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts' ORDER BY ordinal_position",
    );
    expect(columns.map((row) => row.column_name)).toEqual(['id']);
    const locks = await db.query("SELECT 1 FROM pg_locks WHERE relation = 'accounts'::regclass AND granted");
    expect(locks).toEqual([]);

    // Straight to the server this time: the step applies.
    const again = await strata(['run'], { cwd: project.dir, env: { DATABASE_URL: db.url } });
    expect(again.code, allOutput(again)).toBe(0);
    expect(await db.appliedVersions()).toEqual(['1', '2']);
  });

  it('takes 0 (set nothing) or a number of seconds >= 1 (exit 2)', async () => {
    project = await createProject({ 'migrations/0001_create_notes.sql': 'CREATE TABLE notes (id INTEGER);\n' });
    for (const value of ['soon', '-1', '0.5', '']) {
      const result = await strata(['run', `--stall-timeout=${value}`], {
        cwd: project.dir,
        env: { DATABASE_URL: 'sqlite://app.db?mode=rwc' },
      });
      expect(result.code, value).toBe(2);
      expect(result.stderr).toContain('--stall-timeout takes');
    }
    const zero = await strata(['run', '--stall-timeout=0'], {
      cwd: project.dir,
      env: { DATABASE_URL: 'sqlite://app.db?mode=rwc' },
    });
    expect(zero.code, allOutput(zero)).toBe(0);
  });
});
