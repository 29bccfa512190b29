/**
 * Drives fixtures/run-migrator.mjs: one OS process per migrator, as replicas booting at once are.
 * The fixture imports the built engine (packages/core/dist), so these tests exercise what an app loads.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  createPostgresDatabase,
  type SpawnNodeResult,
  spawnNode,
  startAll,
  tempDir,
  writeTree,
} from '../../../../test-support/databases.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/run-migrator.mjs', import.meta.url));

export interface FixtureConfig {
  dialect: 'postgres' | 'sqlite' | 'mysql';
  /** PostgreSQL or MySQL URL (dialect postgres, mysql). */
  url?: string;
  /** SQLite file (dialect sqlite). */
  file?: string;
  /** The migrations directory. */
  migrations: string;
  /** PostgreSQL application_name of the fixture's connections. */
  applicationName?: string;
  lockTimeout?: number;
  /** Migrator's singleTransaction option. */
  singleTransaction?: boolean;
  pidFile?: string;
  readyFile?: string;
  goFile?: string;
  /** SQLite: overrides how long strata_test_pause(ms) blocks; the file it writes when called. */
  pauseMs?: number;
  pauseMarkerFile?: string;
}

/** What the fixture prints: versions are decimal strings (they are bigints in the engine). */
export interface FixtureOutput {
  ok: boolean;
  pid: number;
  report?: { applied: string[]; skipped: string[]; lockTaken: boolean; lockWaitMs: number; totalMs: number };
  error?: { code: string | null; message: string; details: Record<string, unknown> | null };
  warnings: { message: string; holderPid: number | null }[];
  events: string[];
}

export interface FixtureRun {
  result: SpawnNodeResult;
  /** Undefined when the process printed no report (killed, or crashed before printing). */
  output: FixtureOutput | undefined;
}

export async function runFixture(config: FixtureConfig, timeoutMs = 90_000): Promise<FixtureRun> {
  const result = await spawnNode([FIXTURE, JSON.stringify(config)], { timeoutMs });
  return { result, output: parseOutput(result.stdout) };
}

function parseOutput(stdout: string): FixtureOutput | undefined {
  const line = stdout.trim().split('\n').at(-1);
  try {
    return line ? (JSON.parse(line) as FixtureOutput) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether this machine lets us start a process in a new PID namespace (`unshare --pid`, root or
 * user namespaces). That is what a container is: its first process is PID 1, again after a restart.
 */
export function canUsePidNamespaces(): boolean {
  if (process.platform !== 'linux') return false;
  const probe = spawnSync('unshare', ['--pid', '--fork', process.execPath, '-e', 'process.exit(process.pid === 1 ? 0 : 1)'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  return probe.status === 0;
}

/**
 * Runs the fixture as PID 1 of a new PID namespace, like the app process of a container, with
 * this host's hostname (a restarted container keeps its own). `hostPid()` is the fixture's pid
 * as seen from here, to SIGKILL it with.
 */
export function runFixtureAsPid1(
  config: FixtureConfig,
  timeoutMs = 90_000,
): { run: Promise<FixtureRun>; hostPid(): Promise<number> } {
  const child = spawn('unshare', ['--pid', '--kill-child=SIGKILL', process.execPath, FIXTURE, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const run = new Promise<FixtureRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout).toString('utf8');
      resolve({
        result: { code, signal, stdout: out, stderr: Buffer.concat(stderr).toString('utf8') },
        output: parseOutput(out),
      });
    });
  });
  const outer = child.pid;
  const hostPid = () =>
    waitFor('the fixture inside the PID namespace to start', async () => {
      if (outer === undefined) throw new Error('unshare did not start');
      const children = await readFile(`/proc/${outer}/task/${outer}/children`, 'utf8').catch(() => '');
      return Number(children.trim().split(/\s+/)[0]) || undefined;
    });
  return { run, hostPid };
}

/** A failed run, in a form an assertion message can show. */
export function describeRun(run: FixtureRun): string {
  return JSON.stringify({
    code: run.result.code,
    signal: run.result.signal,
    output: run.output ?? run.result.stdout,
    stderr: run.result.stderr.slice(-2_000),
  });
}

/** Polls `probe` until it returns something other than undefined/false; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Starts `n` fixtures, waits until every one has connected, then creates the go file so they all
 * call run() at the same moment. `configure(i, signals)` builds each one's config. Resolves with
 * every run, in index order, and how long they took from the go signal.
 */
export async function runConcurrently(
  n: number,
  signalsDir: string,
  configure: (i: number, signals: { readyFile: string; goFile: string }) => FixtureConfig,
): Promise<{ runs: FixtureRun[]; msFromGo: number }> {
  const goFile = join(signalsDir, 'go');
  const finished: FixtureRun[] = [];
  const all = startAll(n, async (i) => {
    const run = await runFixture(configure(i, { readyFile: join(signalsDir, `ready-${i}`), goFile }));
    finished.push(run);
    return run;
  });
  // Keep an early rejection from being reported as unhandled while we wait for readiness.
  all.catch(() => {});
  try {
    await waitFor(`${n} fixture processes to connect`, async () => {
      // A fixture that died before it was ready would otherwise leave us waiting for nothing.
      const early = finished[0];
      if (early) throw new Error(`a fixture exited before the go signal: ${describeRun(early)}`);
      const entries = await readdir(signalsDir);
      return entries.filter((name) => name.startsWith('ready-')).length === n;
    });
  } catch (error) {
    // Stop the fixtures that are waiting for a go signal that will not come (each wrote its pid).
    for (const name of await readdir(signalsDir)) {
      if (!name.startsWith('ready-')) continue;
      const pid = Number(await readFile(join(signalsDir, name), 'utf8'));
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    await all.catch(() => {});
    throw error;
  }
  const go = performance.now();
  await writeFile(goFile, '');
  const runs = await all;
  return { runs, msFromGo: performance.now() - go };
}

export async function readPid(pidFile: string): Promise<number> {
  const pid = await waitFor(`the fixture to write ${pidFile}`, async () =>
    existsSync(pidFile) ? Number(await readFile(pidFile, 'utf8')) || undefined : undefined,
  );
  return pid;
}

/** What a test that kills a runner on PostgreSQL sets up: all of it undone by `cleanups`. */
export interface DoomedPostgresScene {
  database: { url: string; name: string };
  /** The migrations directory the doomed runner and its successor read. */
  migrations: string;
  /** Where the doomed runner writes its pid (see readPid). */
  pidFile: string;
  /** The test's own connection, to watch the runner from outside. */
  client: pg.Client;
}

export async function doomedPostgresScene(
  prefix: string,
  files: Record<string, string>,
  cleanups: (() => Promise<void> | void)[],
): Promise<DoomedPostgresScene> {
  const database = await createPostgresDatabase(prefix);
  cleanups.push(database.drop);
  const dir = await tempDir(prefix.replace(/_/g, '-'));
  cleanups.push(dir.cleanup);
  await writeTree(dir.path, files);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  cleanups.push(() => client.end());
  return { database, migrations: join(dir.path, 'migrations'), pidFile: join(dir.path, 'doomed.pid'), client };
}
