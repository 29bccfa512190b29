import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SqliteTarget } from '../database-url.js';
import { UsageError } from '../usage-error.js';
import type { DatabaseAdmin } from './admin.js';

/**
 * The files kept beside a database: SQLite's own, and strata's run lock (a small database runs take
 * turns on) with the note naming its holder. Once the database is gone they only mislead.
 */
const SIDE_FILES = [
  '-wal',
  '-shm',
  '-journal',
  '.strata-lock',
  '.strata-lock-wal',
  '.strata-lock-shm',
  '.strata-lock-journal',
  '.strata-lock.holder',
];

export function sqliteAdmin(target: SqliteTarget): DatabaseAdmin {
  if (target.memory) {
    throw new UsageError('sqlite::memory: is not a file: there is nothing to create or drop', {
      hint: 'use a file URL such as sqlite://app.db',
    });
  }
  const path = target.path;
  return {
    name: path,
    location: path,
    async exists() {
      return existsSync(path);
    },
    async create() {
      // As sqlx-cli does: the file's directories are created too.
      await mkdir(dirname(path), { recursive: true });
      // An empty file is a valid, empty SQLite database; 'wx' never truncates an existing one.
      await writeFile(path, '', { flag: 'wx' });
    },
    async drop() {
      for (const file of [path, ...SIDE_FILES.map((suffix) => `${path}${suffix}`)]) await rm(file, { force: true });
    },
    async close() {},
  };
}
