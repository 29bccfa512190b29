import { loadProjectConfig, type ProjectConfig } from '../config/load-config.js';
import { stringOption } from './config.js';
import type { OptionValues } from './option-values.js';

/** strata.config / sqlx.toml for this invocation (--config names the file). */
export async function readProjectConfig(values: OptionValues, cwd: string): Promise<ProjectConfig> {
  const file = stringOption(values, 'config');
  return loadProjectConfig({ cwd, ...(file !== undefined ? { file } : {}) });
}
