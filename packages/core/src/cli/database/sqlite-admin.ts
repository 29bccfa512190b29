import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StrataError } from '../../errors.js';
import type { SqliteTarget } from '../database-url.js';
import { UsageError } from '../usage-error.js';
import type { DatabaseAdmin } from './admin.js';

/** The files SQLite may keep beside a database. */
const SIDE_FILES = ['-wal', '-shm', '-journal'];

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
      if (!existsSync(dirname(path))) {
        throw new StrataError(
          'CONNECTION_FAILED',
          `cannot create SQLite database ${path}: the directory ${dirname(path)} does not exist`,
        );
      }
      // An empty file is a valid, empty SQLite database; 'wx' never truncates an existing one.
      await writeFile(path, '', { flag: 'wx' });
    },
    async drop() {
      for (const file of [path, ...SIDE_FILES.map((suffix) => `${path}${suffix}`)]) await rm(file, { force: true });
    },
    async close() {},
  };
}
