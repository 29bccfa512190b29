import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { serverVersion } from './postgres.mjs';
import { BENCH_DIR } from './processes.mjs';

const PACKAGES = [
  'knex',
  'node-pg-migrate',
  'postgrator',
  'kysely',
  'umzug',
  'drizzle-orm',
  'dbmate',
  'pg',
  'better-sqlite3',
  '@strata/core',
];

/** A package's version as installed for the bench (bench/node_modules first, then the workspace root's). */
function installedVersion(name) {
  for (let dir = BENCH_DIR; ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).version;
    if (dirname(dir) === dir) return undefined;
  }
}

export async function collectMeta() {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    machine: {
      cpuModel: cpus[0]?.model?.trim(),
      cores: os.availableParallelism?.() ?? cpus.length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      postgres: await serverVersion(),
      sqlite: sqliteVersion(),
    },
    versions: Object.fromEntries(PACKAGES.map((name) => [name, installedVersion(name) ?? null])),
    loadAverageAtStart: os.loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

function sqliteVersion() {
  const db = new Database(':memory:');
  try {
    return db.prepare('SELECT sqlite_version()').pluck().get();
  } finally {
    db.close();
  }
}
