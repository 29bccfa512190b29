/**
 * A Debian package a test needs (PgBouncer, Chromium), installed when it is missing and the tests
 * run as root, as the throwaway PostgreSQL server is fetched by npm. When that cannot happen the
 * caller gets an error with apt's own words: a test that needs the program never skips.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Where Debian puts binaries; /usr/sbin is not on a non-root PATH. */
const SYSTEM_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];
const APT_LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=600'];

export function run(file: string, args: string[], env: Record<string, string> = {}): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ ok: !error, output: `${stdout}${stderr}${error ? `\n${String(error)}` : ''}` });
    });
  });
}

export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SYSTEM_DIRS];
  return dirs.map((dir) => join(dir, name)).find((candidate) => existsSync(candidate));
}

const installing = new Map<string, Promise<string>>();

/** The path of `executable`, installing Debian's `pkg` first when it is missing (as root). */
export function requireDebianPackage(pkg: string, executable: string = pkg): Promise<string> {
  let pending = installing.get(pkg);
  if (!pending) {
    pending = install(pkg, executable);
    installing.set(pkg, pending);
  }
  return pending;
}

async function install(pkg: string, executable: string): Promise<string> {
  const found = findExecutable(executable);
  if (found) return found;
  const how = `install it (\`apt-get install ${pkg}\` on Debian/Ubuntu) or run the tests as root, which installs it`;
  if (process.getuid?.() !== 0) throw new Error(`${pkg} is not installed and the tests do not run as root: ${how}`);
  if (!findExecutable('apt-get')) throw new Error(`${pkg} is not installed and this machine has no apt-get: ${how}`);
  // Under one lock across test files (concurrent files wait for one another's apt-get rather than
  // fail on dpkg's lock); the package lists are refreshed only when apt cannot find the package.
  const script = [
    'set -e',
    `if command -v ${executable} >/dev/null 2>&1 || [ -x /usr/sbin/${executable} ]; then exit 0; fi`,
    `fetch() { apt-get ${APT_LOCK_WAIT.join(' ')} install -y --no-install-recommends ${pkg}; }`,
    `fetch || { apt-get ${APT_LOCK_WAIT.join(' ')} update && fetch; }`,
  ].join('\n');
  const lockFile = join(tmpdir(), `strata-${pkg}-install.lock`);
  const lock = findExecutable('flock');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const result = lock ? await run(lock, ['-w', '900', lockFile, 'sh', '-c', script], env) : await run('sh', ['-c', script], env);
  const installed = findExecutable(executable);
  if (!result.ok || !installed) {
    throw new Error(`${pkg} is not installed and \`apt-get install ${pkg}\` failed:\n${result.output.slice(-6_000)}`);
  }
  return installed;
}
