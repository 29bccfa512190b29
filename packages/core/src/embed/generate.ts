import { dirname, relative, resolve, sep } from 'node:path';
import type { Migration } from '../migration.js';
import { type DirectoryLayout, readMigrationsDirectory } from '../source/directory-source.js';
import type { NearMiss } from '../source/near-misses.js';
import { migrationsDigest } from './digest.js';
import { type EmbedFormat, renderEmbeddedModule } from './module-text.js';
import { embedTargets } from './output-files.js';

export interface EmbedOptions {
  /** The migrations directory. */
  source: string;
  /** The module to generate (`.ts`, `.mts`, `.js`, `.mjs` or `.cjs`). */
  out: string;
  /** What relative `source` and `out` resolve against; default `process.cwd()`. */
  cwd?: string;
}

export interface GeneratedFile {
  /** Absolute path. */
  path: string;
  format: EmbedFormat;
  contents: string;
}

export interface Embedding {
  migrations: Migration[];
  digest: string;
  layout: DirectoryLayout;
  /** Entries of the directory that are not migrations, for a warning. */
  ignored: string[];
  /** Of those, the ones named like a migration, which are not embedded (see DirectorySource). */
  nearMisses: NearMiss[];
  /** The module, and its declarations when it is JavaScript. */
  files: GeneratedFile[];
}

/**
 * Reads the migrations directory once and renders the module(s) `strata embed` writes, in memory.
 * The migrations come from the same reader the run-time directory source uses, so the checksums
 * written into the module are the ones a run from the directory would compute.
 */
export async function generateEmbedding(options: EmbedOptions): Promise<Embedding> {
  // Validated as typed first, so a wrong extension is reported with the path the person wrote.
  embedTargets(options.out);
  const cwd = options.cwd ?? process.cwd();
  const source = resolve(cwd, options.source);
  const out = resolve(cwd, options.out);
  const targets = embedTargets(out);
  const read = await readMigrationsDirectory(source);
  const label = sourceLabel(dirname(out), source);
  return {
    migrations: read.migrations,
    digest: migrationsDigest(read.migrations),
    layout: read.layout,
    ignored: read.ignored,
    nearMisses: read.nearMisses,
    files: targets.map((target) => ({
      path: target.path,
      format: target.format,
      contents: renderEmbeddedModule(read.migrations, { format: target.format, source: label, generator: 'cli' }),
    })),
  };
}

/**
 * The directory as seen from `from`, with `/` separators: the same on every machine and whatever
 * the working directory was, so the header never makes two generations differ.
 */
export function sourceLabel(from: string, directory: string): string {
  const path = relative(from, directory).split(sep).join('/');
  if (path === '') return '.';
  return path.startsWith('../') || path === '..' ? path : `./${path}`;
}
