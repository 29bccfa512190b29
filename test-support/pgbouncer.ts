/**
 * A real PgBouncer (Debian's `pgbouncer` package) in front of the test PostgreSQL server, on a free
 * loopback port, in transaction or session pooling mode, with its own temp dir for its config and
 * pid file (its log is kept in memory). Pools are kept small so that, in transaction mode, a client's transactions really
 * move between server connections and other clients' transactions land on the one it used before.
 *
 * When the binary is missing and the tests run as root, it is installed with apt-get (as the
 * throwaway PostgreSQL server is fetched by npm); when that cannot happen the start throws with
 * apt's own words. It never skips: a test that needs a pooler and has none must fail.
 */
import { spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgAdminUrl } from './databases.js';
import { requireDebianPackage, run } from './debian-package.js';
import { freePort, pgServerAddress } from './tcp-proxy.js';

export type PoolMode = 'transaction' | 'session';

export interface PgBouncerOptions {
  mode: PoolMode;
  /** Server connections per database and user (default_pool_size); small, so they are shared. */
  poolSize?: number;
}

export interface PgBouncer {
  readonly port: number;
  readonly mode: PoolMode;
  readonly poolSize: number;
  /** The URL of `database` through this PgBouncer, as the test server's admin user (password kept). */
  url(database: string): string;
  /** Stops PgBouncer (its server connections close with it) and deletes its files. */
  stop(): Promise<void>;
  /** PgBouncer's own log, for failure messages. */
  log(): string;
}

const PACKAGE = 'pgbouncer';
const START_WITHIN_MS = 15_000;

/** The path of the pgbouncer binary, installing Debian's package first when it is missing (as root). */
export function requirePgBouncer(): Promise<string> {
  return requireDebianPackage(PACKAGE);
}

/** PgBouncer refuses to run as root: as root it runs as `postgres` (the package's postgresql-common creates it). */
async function runAsUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  if (!uid.ok || !gid.ok) throw new Error(`PgBouncer cannot run as root and there is no \`postgres\` user:\n${uid.output}`);
  return { uid: Number(uid.output.trim()), gid: Number(gid.output.trim()) };
}

function quoted(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const binary = await requirePgBouncer();
  const user = await runAsUser();
  const admin = new URL(pgAdminUrl());
  const role = decodeURIComponent(admin.username) || 'postgres';
  const password = decodeURIComponent(admin.password);
  const server = pgServerAddress();
  const poolSize = options.poolSize ?? 3;
  const dir = await mkdtemp(join(tmpdir(), `strata-pgbouncer-${options.mode}-`));
  const port = await freePort();
  const files = {
    ini: join(dir, 'pgbouncer.ini'),
    users: join(dir, 'userlist.txt'),
    pid: join(dir, 'pgbouncer.pid'),
  };
  // auth_type trust still wants the user listed; its password is what PgBouncer logs in to the server with.
  await writeFile(files.users, `${quoted(role)} ${quoted(password)}\n`, { mode: 0o600 });
  await writeFile(
    files.ini,
    [
      '[databases]',
      `* = host=${server.host} port=${server.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${files.users}`,
      `pool_mode = ${options.mode}`,
      `default_pool_size = ${poolSize}`,
      'min_pool_size = 0',
      'reserve_pool_size = 0',
      'max_client_conn = 500',
      // The defaults: in transaction mode nothing is reset between clients (as in production).
      'server_reset_query = DISCARD ALL',
      'server_reset_query_always = 0',
      'ignore_startup_parameters = extra_float_digits',
      `pidfile = ${files.pid}`,
      `admin_users = ${role}`,
      '',
    ].join('\n'),
  );
  if (user) {
    await chmod(dir, 0o700);
    for (const path of [dir, files.ini, files.users]) await chown(path, user.uid, user.gid);
  }

  const child = spawn(binary, [files.ini], { stdio: ['ignore', 'pipe', 'pipe'], ...(user ?? {}) });
  // In the foreground PgBouncer logs to stderr; the tail is enough for a failure message.
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-64_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // A worker that ends without afterAll (killed, crashed) must not leave PgBouncer running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.on('error', (error) => {
      keep(Buffer.from(String(error)));
      resolve();
    });
  });
  const log = () => output.slice(-6_000);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // SIGINT would wait for clients to leave; SIGTERM closes every client and server connection now.
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
  };

  const ready = await Promise.race([waitForPort(port, START_WITHIN_MS).then(() => true), exited.then(() => false)]).catch(
    () => false,
  );
  if (!ready) {
    const text = log();
    await stop();
    throw new Error(`PgBouncer (${binary}, ${options.mode} mode) did not start on port ${port}:\n${text}`);
  }

  return {
    port,
    mode: options.mode,
    poolSize,
    url(database) {
      const url = new URL(admin.toString());
      url.hostname = '127.0.0.1';
      url.port = String(port);
      url.pathname = `/${encodeURIComponent(database)}`;
      return url.toString();
    },
    stop,
    log,
  };
}

/** Resolves once something accepts TCP connections on `port`; rejects after `ms`. */
async function waitForPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() >= deadline) throw new Error(`nothing listens on ${port} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
