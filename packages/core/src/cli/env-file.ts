import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/** Reads one key from `.env` in `cwd` (dotenv syntax), as SQLx's CLI does; undefined when there is no such file or key. */
export function readEnvFileValue(cwd: string, key: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(cwd, '.env'), 'utf8');
  } catch {
    return undefined;
  }
  // parseEnv does not know the `export KEY=...` form some .env files use.
  const value = parseEnv(text.replace(/^[ \t]*export[ \t]+/gm, ''))[key];
  return value === undefined || value === '' ? undefined : value;
}
