import { loadProjectConfig, type ProjectConfig } from '../config/load-config.js';
import { stringOption } from './config.js';
import type { OptionValues } from './option-values.js';
import type { Output } from './output.js';

/** strata.config / sqlx.toml for this invocation (--config names the file), with what strata cannot honour said once. */
export async function readProjectConfig(values: OptionValues, cwd: string, out: Output): Promise<ProjectConfig> {
  const file = stringOption(values, 'config');
  const project = await loadProjectConfig({ cwd, ...(file !== undefined ? { file } : {}) });
  if (project.sqlxIgnoredChars) {
    out.warn(
      `sqlx.toml sets migrate.ignored-chars (${visible(project.sqlxIgnoredChars)}), which strata does not apply: ` +
        'its checksums are of the files exactly as stored (a CRLF/LF-only difference still matches), so a migration ' +
        'recorded by one may read as modified to the other',
    );
  }
  return project;
}

/** `["\u000D", "\uFEFF"]`: as TOML escapes, since most such characters are invisible. */
function visible(chars: readonly string[]): string {
  const asToml = (char: string) =>
    /[\x20-\x7e]/.test(char) ? char : `\\u${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return `[${chars.map((text) => `"${[...text].map(asToml).join('')}"`).join(', ')}]`;
}
