import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The `.sql` files of a directory in name order: what the bench's SQL-file providers for library tools read. */
export async function listSqlFiles(dir) {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  return names.map((file) => ({ name: file.slice(0, -'.sql'.length), file, path: join(dir, file) }));
}

export const readSql = (path) => readFile(path, 'utf8');
