import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { GeneratedFile } from './generate.js';
import { compareGenerated, type Freshness } from './staleness.js';

export interface FileOutcome {
  path: string;
  freshness: Freshness;
}

/** Reads what is on disk for each generated file and says whether it matches, byte for byte. */
export async function checkEmbedding(files: readonly GeneratedFile[]): Promise<FileOutcome[]> {
  return Promise.all(
    files.map(async (file) => ({ path: file.path, freshness: compareGenerated(await readIfPresent(file.path), file.contents) })),
  );
}

/**
 * Writes the files that differ and leaves the others untouched, so a watching bundler or `tsc
 * --watch` does not rebuild for nothing. Each write goes to a temporary file first and is renamed
 * into place, so a watcher never reads half a module.
 */
export async function writeEmbedding(files: readonly GeneratedFile[]): Promise<FileOutcome[]> {
  const outcomes = await checkEmbedding(files);
  for (const [i, outcome] of outcomes.entries()) {
    if (outcome.freshness.state === 'fresh') continue;
    const file = files[i]!;
    await mkdir(dirname(file.path), { recursive: true });
    const temporary = join(dirname(file.path), `.${basename(file.path)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(temporary, file.contents);
      await rename(temporary, file.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
  return outcomes;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
