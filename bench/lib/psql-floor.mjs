import { writeFile } from 'node:fs/promises';

/**
 * The psql floor (issue 21): what one `psql` session costs to run the same files, with `BEGIN` /
 * `COMMIT` around each transactional file and the no-transaction files bare. No history, no lock,
 * no validation: the least any runner of these files must do, and the whole process included.
 * psql sends each statement as its own query, so it makes one round trip per statement.
 */
export async function writePsqlScript(path, files) {
  const lines = ['\\set ON_ERROR_STOP on'];
  for (const file of files) {
    const include = `\\i '${file.path.replaceAll("'", "''")}'`;
    lines.push(...(file.transactional ? ['BEGIN;', include, 'COMMIT;'] : [include]));
  }
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** psql's command line for the script: quiet, no ~/.psqlrc, stop at the first error. */
export function psqlArgs(url, script) {
  return ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-f', script];
}
