// Bundles @strata/core's JavaScript into dist/ after `tsc -b`, which type-checks and writes only the
// .d.ts files. Loading ~100 small modules dominated import time; a few bundles load much faster.
// All entry points go through ONE esbuild call with splitting, so code they share (StrataError
// above all) lives once, in dist/chunks/, and `instanceof` holds across entry points.
//   node packages/core/scripts/bundle.mjs
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const started = performance.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const fromDist = (file) => file.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
const toDist = (file) => file.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js');

// bin/strata.js (committed, so npm links it before any build) imports dist/cli/main.js.
const CLI_ENTRY = './dist/cli/main.js';
const published = [
  ...Object.values(manifest.exports).map((target) => (typeof target === 'string' ? target : target.default)),
  CLI_ENTRY,
].filter((file) => file?.startsWith('./dist/') && file.endsWith('.js'));
const bins = new Set([fromDist(CLI_ENTRY)]);
// The CLI imports each command by path (registry.ts), so every one stays a file of its own.
const commands = readdirSync(join(root, 'src/cli/commands'))
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
  .map((file) => `src/cli/commands/${file}`);
const entryPoints = [...new Set([...published.map(fromDist), ...commands])].sort();

removeJavaScript(join(root, 'dist'));

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints,
  outbase: 'src',
  outdir: 'dist',
  entryNames: '[dir]/[name]',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // Drivers and bundlers are peers the user installs; they stay imports, loaded when needed.
  packages: 'external',
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
const problems = [];

// A module bundled into two outputs would exist twice at run time: two StrataError classes.
const homes = new Map();
for (const [file, output] of outputs) {
  for (const input of Object.keys(output.inputs)) homes.set(input, [...(homes.get(input) ?? []), file]);
}
for (const [input, files] of homes) {
  if (files.length > 1) problems.push(`${input} is in ${files.length} outputs: ${files.join(', ')}`);
}

// Modules that find files relative to themselves (package.json, commands/) must land in the
// directory tsc would have put them in, or those paths break.
for (const input of homes.keys()) {
  const selfRelative = input === 'src/cli/registry.ts' || readFileSync(join(root, input), 'utf8').includes('import.meta.url');
  const home = homes.get(input)[0];
  if (selfRelative && dirname(home) !== dirname(toDist(input))) {
    problems.push(`${input} resolves paths from its own location but was bundled into ${home}`);
  }
}
if (problems.length > 0) {
  throw new Error(`bundle of @strata/core is unsound:\n  ${problems.join('\n  ')}`);
}

for (const [file, output] of outputs) {
  if (output.entryPoint && bins.has(output.entryPoint)) chmodSync(join(root, file), 0o755);
}

// The studio's page (HTML, CSS, its script) ships as files beside the bundles: served from disk, no network.
const STUDIO_PAGE = 'studio/page';
rmSync(join(root, 'dist', STUDIO_PAGE), { recursive: true, force: true });
cpSync(join(root, 'src', STUDIO_PAGE), join(root, 'dist', STUDIO_PAGE), { recursive: true });

const chunks = outputs.filter(([, output]) => !output.entryPoint).length;
console.log(
  `@strata/core: ${entryPoints.length} entry points + ${chunks} chunks in dist/ (${Math.round(performance.now() - started)} ms)`,
);

/** Drops the JavaScript of earlier builds (per-module tsc output, chunks with old hashes); keeps the .d.ts files. */
function removeJavaScript(directory) {
  if (!existsSync(directory)) return;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.js(\.map)?$/.test(entry.name)) rmSync(join(entry.parentPath, entry.name));
  }
}
