import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The nearest directory at or above `cwd` holding package.json or .git: where dotenv-based tools
 * look for `.env`, and where a config file lives. Undefined outside any project, so a command run
 * in a stray directory never reads a file from some unrelated parent.
 */
export function findProjectRoot(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** `cwd`, then each parent up to and including the project root; `cwd` alone outside a project. */
export function directoriesUpToRoot(cwd: string, root: string | undefined): string[] {
  const dirs = [cwd];
  if (root === undefined) return dirs;
  for (let dir = cwd; dir !== root && dirname(dir) !== dir; ) {
    dir = dirname(dir);
    dirs.push(dir);
  }
  return dirs;
}
