import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * dbmate is a Go binary (the npm package `dbmate` ships it through an optional dependency), so every
 * measure of it is a whole process: the bench runs the binary itself, not the npm wrapper script.
 */
export function dbmateBinary() {
  const require = createRequire(import.meta.url);
  for (const pkg of [`@dbmate/${process.platform}-${process.arch}`]) {
    try {
      const bin = join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'dbmate');
      if (existsSync(bin)) return bin;
    } catch {}
  }
  return undefined;
}

function dbmateUrl({ dialect, url, file }) {
  if (dialect === 'sqlite') return `sqlite:${file}`;
  const parsed = new URL(url);
  if (!parsed.searchParams.has('sslmode')) parsed.searchParams.set('sslmode', 'disable');
  return parsed.toString();
}

function run(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`dbmate exited ${code}: ${out.trim()}`))));
  });
}

export default {
  name: 'dbmate',
  dialects: ['postgres', 'sqlite'],
  format: 'dbmate',
  binary: true,
  config:
    'dbmate --no-dump-schema migrate (the native binary): one transaction per migration (its default); no lock; schema.sql dump off',
  history: { table: 'schema_migrations', key: 'version' },

  async open(target) {
    return { target };
  },

  /** Applies through the binary: the time includes its process start (a few ms for a Go binary). */
  async migrate({ target }, { dir }) {
    const { command, args, env } = this.cli({ ...target, dir });
    const out = await run(command, args, env);
    return { applied: (out.match(/^Applying: /gm) ?? []).length };
  },

  async close() {},

  cli({ dialect, url, file, dir }) {
    const bin = dbmateBinary();
    if (!bin) return undefined;
    return {
      command: bin,
      args: ['--no-dump-schema', '--migrations-dir', dir, 'migrate'],
      env: { DATABASE_URL: dbmateUrl({ dialect, url, file }) },
      label: 'dbmate migrate',
    };
  },
};
