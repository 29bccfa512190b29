import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sourceLabel } from '../embed/generate.js';
import { renderEmbeddedModule } from '../embed/module-text.js';
import { readMigrationsDirectory } from '../source/directory-source.js';
import { describeNearMiss } from '../source/near-misses.js';

/** The specifier `import migrations from 'virtual:strata-migrations'` uses unless the plugin is told another. */
export const VIRTUAL_MIGRATIONS_ID = 'virtual:strata-migrations';

export interface MigrationsPluginOptions {
  /** The migrations directory; a relative path resolves against `root`. Default `migrations`. */
  directory?: string;
  /** The specifier that imports the migrations. Default `virtual:strata-migrations`; give each directory its own when there are several. */
  id?: string;
  /** What a relative `directory` resolves against. Default: the bundler's root (Vite's `root`, esbuild's `absWorkingDir`), else the working directory. */
  root?: string;
}

/** What every adapter hands its bundler: the module, or why there is none, and what to watch either way. */
export interface LoadedMigrationsModule {
  /** The ES module text, or undefined when the directory could not be read as migrations. */
  code: string | undefined;
  error: Error | undefined;
  /** Files named like migrations that are not read (`0001_a.SQL`), one line each, for the bundler to show. */
  warnings: string[];
  /** Every file in the directory and its migration sub-directories: an edit to any of them changes the module. */
  watchFiles: string[];
  /** The directory and its sub-directories: a file added to or removed from them changes the module. */
  watchDirs: string[];
}

/**
 * The one implementation behind the esbuild and Rollup/Vite adapters: reads the directory with
 * the run-time directory source and renders the same module `strata embed` writes, as JavaScript.
 * Never throws: a broken directory (a duplicate version, a bad file name) comes back as `error`
 * together with the watch lists, so fixing the file in watch mode triggers the next build.
 */
export async function loadMigrationsModule(directory: string, root: string): Promise<LoadedMigrationsModule> {
  const absolute = resolve(root, directory);
  const { watchFiles, watchDirs } = await watchListFor(absolute);
  try {
    const { migrations, nearMisses } = await readMigrationsDirectory(absolute);
    const code = renderEmbeddedModule(migrations, { format: 'esm', source: sourceLabel(root, absolute), generator: 'bundler' });
    const warnings = nearMisses.map((miss) => describeNearMiss(miss, directory));
    return { code, error: undefined, warnings, watchFiles, watchDirs };
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return { code: undefined, error: failure, warnings: [], watchFiles, watchDirs };
  }
}

async function watchListFor(directory: string): Promise<{ watchFiles: string[]; watchDirs: string[] }> {
  const watchFiles: string[] = [];
  const watchDirs: string[] = [directory];
  for (const entry of await entriesOf(directory)) {
    const path = join(directory, entry.name);
    if (await isDirectory(entry, path)) {
      watchDirs.push(path);
      for (const inner of await entriesOf(path)) if (!inner.isDirectory()) watchFiles.push(join(path, inner.name));
    } else {
      watchFiles.push(path);
    }
  }
  return { watchFiles: watchFiles.sort(), watchDirs: watchDirs.sort() };
}

/** Symbolic links count as what they point to, as they do for the directory source. */
async function isDirectory(entry: Dirent, path: string): Promise<boolean> {
  if (!entry.isSymbolicLink()) return entry.isDirectory();
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** A directory that cannot be listed has nothing to watch inside; reading it reports the real problem. */
async function entriesOf(directory: string): Promise<Dirent[]> {
  try {
    return (await readdir(directory, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.'));
  } catch {
    return [];
  }
}
