/**
 * Some tests run code as another user: the unreadable-file tests as `nobody` (so mode 000 means
 * what it says), and the throwaway server's binaries as `postgres` (initdb refuses root). Both
 * need every directory above the checkout to let other users through. A clone made inside
 * `mktemp -d` (mode 700) does not, and the failure would be a bare EACCES from a child: this
 * names the directory and the fix instead.
 */
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Checks each directory above `path` (a file or a directory) for the others' x bit. */
export function requireReachableByOthers(path: string, why: string): void {
  const start = resolve(path);
  for (let dir = statSync(start).isDirectory() ? start : dirname(start); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `${why}, but ${dir} (mode ${(mode & 0o777).toString(8)}) lets no other user through: ` +
          `\`chmod o+x ${dir}\`, or put the checkout under a directory others can enter`,
      );
    }
    if (dirname(dir) === dir) return;
  }
}
