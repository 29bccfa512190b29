import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StrataError } from '../errors.js';

export interface StudioAsset {
  body: Buffer;
  contentType: string;
}

/** The page's files, by the path the page asks for them. Nothing else on disk is ever served. */
const FILES: Record<string, { file: string; contentType: string }> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/assets/studio.css': { file: 'studio.css', contentType: 'text/css; charset=utf-8' },
  '/assets/studio.js': { file: 'studio.js', contentType: 'text/javascript; charset=utf-8' },
  '/assets/favicon.svg': { file: 'favicon.svg', contentType: 'image/svg+xml' },
};

/**
 * Reads the page's files once, at start: they ship in the package (built beside the command), so
 * the page needs no network, and a broken install fails before a URL is printed.
 */
export function loadStudioAssets(directory: string): Map<string, StudioAsset> {
  const assets = new Map<string, StudioAsset>();
  for (const [path, { file, contentType }] of Object.entries(FILES)) {
    try {
      assets.set(path, { body: readFileSync(join(directory, file)), contentType });
    } catch (error) {
      throw new StrataError(
        'STUDIO_ASSETS_MISSING',
        `the studio page's file ${file} is missing from ${directory}: reinstall @strata/core (or run npm run build)`,
        { file, directory },
        { cause: error },
      );
    }
  }
  return assets;
}
