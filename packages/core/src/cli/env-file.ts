import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { directoriesUpToRoot } from '../config/project-root.js';

/** A `.env` file found for this invocation, parsed (dotenv syntax). */
export interface EnvFile {
  path: string;
  directory: string;
  values: Record<string, string | undefined>;
}

/**
 * The nearest `.env` from `cwd` up to the project root, as dotenv-based tools find it, so a command
 * typed in a subdirectory of the project sees the project's settings. Undefined when there is none.
 */
export function findEnvFile(cwd: string, root: string | undefined): EnvFile | undefined {
  for (const directory of directoriesUpToRoot(cwd, root)) {
    const path = join(directory, '.env');
    if (!existsSync(path)) continue;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    // parseEnv does not know the `export KEY=...` form some .env files use.
    return { path, directory, values: parseEnv(text.replace(/^[ \t]*export[ \t]+/gm, '')) };
  }
  return undefined;
}

/** One key of the file; an empty value counts as unset. */
export function envFileValue(file: EnvFile | undefined, key: string): string | undefined {
  const value = file?.values[key];
  return value === undefined || value === '' ? undefined : value;
}
