/**
 * Shared harness for tests that hit real databases (see DESIGN.md, Conventions).
 *
 * The PostgreSQL server is resolved once per `vitest run` by ./global-setup.ts, which
 * publishes its admin URL in `process.env.STRATA_TEST_PG_URL`; Vitest copies the
 * environment into every worker it forks, so this module only has to read it.
 * Each test then gets its own throwaway database, so test files can run in parallel.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import pg from 'pg';

export const PG_URL_ENV = 'STRATA_TEST_PG_URL';

/** The URL of the test server's maintenance database; it may create and drop databases. */
export function pgAdminUrl(): string {
  const url = process.env[PG_URL_ENV];
  if (!url) {
    throw new Error(
      `${PG_URL_ENV} is not set. Run the tests through the root vitest.config.ts ` +
        '(its globalSetup, test-support/global-setup.ts, resolves the PostgreSQL server), ' +
        `or set ${PG_URL_ENV} to a server URL yourself.`,
    );
  }
  return url;
}

/** Runs `fn` with a short-lived client on the admin database. */
export async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgAdminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The admin URL with its database name swapped; user, password, host and query (sslmode...) are kept. */
function urlForDatabase(name: string): string {
  const url = new URL(pgAdminUrl());
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/**
 * Creates a fresh, uniquely named database (`strata_test_<prefix>_<random>`) on the test server.
 * `drop()` disconnects anyone still using it and drops it; calling it twice is harmless.
 */
export async function createPostgresDatabase(prefix = 'db'): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  // Identifiers are folded to lower case and capped at 63 bytes, so keep the name tame and short.
  const tag = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 24);
  const name = `strata_test_${tag}_${randomBytes(6).toString('hex')}`;

  await withAdminClient((client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));

  let dropped: Promise<void> | undefined;
  const drop = (): Promise<void> => {
    dropped ??= withAdminClient(async (client) => {
      // A test that failed half-way may leave pools connected; DROP DATABASE refuses while they are.
      await client.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      // WITH (FORCE) (PG 13+) also stops clients that reconnect between the terminate and the drop.
      const force = Number(rows[0]?.v) >= 130000 ? ' WITH (FORCE)' : '';
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)}${force}`);
    });
    return dropped;
  };

  return { url: urlForDatabase(name), name, drop };
}

/** A fresh directory under the OS temp dir; `cleanup()` removes it and everything in it. */
export async function tempDir(prefix = 'tmp'): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `strata-${prefix}-`));
  return {
    path,
    // Retries cover Windows, where a just-closed SQLite handle can keep the file locked briefly.
    cleanup: () => rm(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }),
  };
}

/**
 * A path to a not-yet-existing `.db` file in its own temp dir. `cleanup()` removes the whole dir,
 * so the `-wal`, `-shm` and `-journal` side files go too.
 */
export async function sqliteFile(): Promise<{ path: string; cleanup(): Promise<void> }> {
  const dir = await tempDir('sqlite');
  return { path: join(dir.path, 'test.db'), cleanup: dir.cleanup };
}

/**
 * Writes `files` under `root`, creating directories as needed.
 * Keys are relative paths with `/` separators, e.g. `{ 'migrations/0001_init.sql': 'CREATE TABLE ...' }`.
 */
export async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [relPath, content] of Object.entries(files)) {
    const target = resolve(root, ...relPath.split('/'));
    // Guard against a typo like '../x' quietly writing outside the test's temp dir.
    const rel = relative(resolve(root), target);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new Error(`writeTree: ${JSON.stringify(relPath)} is not a path inside ${root}`);
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

export interface SpawnNodeOptions {
  /** Merged over `process.env`; a key set to `undefined` removes that variable from the child's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** The child is killed with SIGKILL after this long. Default 60 000. */
  timeoutMs?: number;
  /** Written to the child's stdin, which is then closed (it is closed straight away when absent). */
  input?: string;
}

export interface SpawnNodeResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <args>` with the current Node binary and collects its output.
 * Never rejects because of the child's exit status; it rejects only if the process cannot be spawned.
 */
export function spawnNode(args: string[], opts: SpawnNodeOptions = {}): Promise<SpawnNodeResult> {
  const { cwd, input, timeoutMs = 60_000 } = opts;
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];

  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);

    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // 'close' (not 'exit') fires once stdio is drained, so no output is lost.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let err = Buffer.concat(stderr).toString('utf8');
      if (timedOut) err += `\n[spawnNode] killed after ${timeoutMs} ms: node ${args.join(' ')}\n`;
      resolvePromise({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: err });
    });

    // A child that exits before reading its stdin makes the write fail with EPIPE; that is not our error.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/**
 * Calls `start(0) ... start(n - 1)` back to back in one turn of the event loop, once all of them
 * are queued behind a shared barrier, so they race as closely as JavaScript allows (each runs to
 * its first `await` before the next begins). Resolves with the results in index order.
 * Waits for every call to settle before rejecting, so no straggler outlives the test; rejects with
 * the error if one call failed, or an AggregateError if several did.
 */
export async function startAll<T>(n: number, start: (i: number) => Promise<T>): Promise<T[]> {
  let open!: () => void;
  const barrier = new Promise<void>((r) => {
    open = r;
  });
  const runs = Array.from({ length: n }, (_, i) => barrier.then(() => start(i)));
  open();

  const settled = await Promise.allSettled(runs);
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `startAll: ${errors.length} of ${n} calls failed`);
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}
