import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { EmbeddedMigrations, MigrationSource } from '../../source/resolve-source.js';
import type { CommandContext } from '../context.js';
import { UsageError } from '../usage-error.js';

/**
 * `--source` as a migration source: a directory, or a module `strata embed` generated (a built
 * `.js` / `.mjs` / `.cjs` file), so the checks also run from what ships.
 */
export async function migrationsSource(context: CommandContext): Promise<MigrationSource> {
  const path = context.config.sourcePath;
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    // Missing: the directory source reports SOURCE_NOT_FOUND with its own message.
  }
  if (!isFile) return path;
  if (!/\.(c|m)?js$/.test(path)) {
    throw new UsageError(`--source ${context.config.source} is a file but not a JavaScript module`, {
      hint: 'pass the migrations directory, or the .js/.mjs/.cjs module `strata embed` generated (built)',
    });
  }
  const loaded = (await import(pathToFileURL(path).href)) as Partial<EmbeddedMigrations> & { default?: EmbeddedMigrations };
  const embedded = Array.isArray(loaded.migrations) ? loaded : loaded.default;
  if (!embedded || !Array.isArray(embedded.migrations)) {
    throw new UsageError(`${context.config.source} exports no \`migrations\` array`, {
      hint: 'generate it with `strata embed`',
    });
  }
  return embedded as EmbeddedMigrations;
}
