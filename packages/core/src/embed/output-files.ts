import { StrataError } from '../errors.js';
import type { EmbedFormat } from './module-text.js';

export interface EmbedTarget {
  path: string;
  format: EmbedFormat;
}

/** Where `strata embed` writes when `--out` is not given, relative to the working directory. */
export const DEFAULT_EMBED_OUT = 'src/migrations.gen.ts';

/**
 * The files one `--out` stands for: TypeScript alone, or JavaScript with the declarations beside
 * it so a TypeScript project importing the `.js` still sees the types.
 */
export function embedTargets(out: string): EmbedTarget[] {
  const swap = (from: string, to: string) => out.slice(0, -from.length) + to;
  if (/\.d\.[cm]?ts$/.test(out)) throw unsupported(out, 'is a declaration file; name the module itself');
  if (out.endsWith('.ts') || out.endsWith('.mts')) return [{ path: out, format: 'ts' }];
  if (out.endsWith('.js')) {
    return [
      { path: out, format: 'esm' },
      { path: swap('.js', '.d.ts'), format: 'esm-declarations' },
    ];
  }
  if (out.endsWith('.mjs')) {
    return [
      { path: out, format: 'esm' },
      { path: swap('.mjs', '.d.mts'), format: 'esm-declarations' },
    ];
  }
  if (out.endsWith('.cjs')) {
    return [
      { path: out, format: 'cjs' },
      { path: swap('.cjs', '.d.cts'), format: 'cjs-declarations' },
    ];
  }
  if (out.endsWith('.cts')) throw unsupported(out, 'would be CommonJS TypeScript; use .ts, or .cjs for CommonJS');
  throw unsupported(out, 'has an extension strata cannot generate');
}

function unsupported(out: string, why: string): StrataError {
  return new StrataError(
    'INVALID_OPTIONS',
    `--out ${out} ${why}: use a .ts or .mts file, or .js / .mjs (written with a .d.ts / .d.mts beside it), or .cjs`,
    { file: out },
  );
}
