import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The `strata` key of the working directory's package.json (lint rules, generated files), or an
 * empty object when there is no file, no key, or the file does not parse: npm says when
 * package.json is broken, and a command that needs none of these settings must not fail on it.
 */
export function packageJsonStrata(cwd: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(join(cwd, 'package.json'), 'utf8');
  } catch {
    return {};
  }
  try {
    const strata = (JSON.parse(text) as { strata?: unknown } | null)?.strata;
    return strata && typeof strata === 'object' && !Array.isArray(strata) ? (strata as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
