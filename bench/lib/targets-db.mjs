import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createDatabase, databaseName, dropDatabase } from './postgres.mjs';

/** A fresh, empty database for one tool: a new PostgreSQL database or a new SQLite file. */
export async function freshTarget(dialect, tag, { tmp, settings } = {}) {
  const name = databaseName(tag);
  if (dialect === 'sqlite') {
    const file = join(tmp, `${name}.db`);
    return {
      dialect,
      file,
      drop: () => Promise.all(['', '-journal', '-wal', '-shm'].map((suffix) => rm(`${file}${suffix}`, { force: true }))),
    };
  }
  const url = await createDatabase(name, settings);
  return { dialect, url, name, drop: () => dropDatabase(name) };
}

/** What a tool needs to reach a target (no functions: it also travels to child processes as JSON). */
export const targetJob = (target) => ({ dialect: target.dialect, url: target.url, file: target.file });
