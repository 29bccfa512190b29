// Bundles the server into ONE file per entry: dist/server.mjs (from src/migrations.gen.ts) and
// dist/server-virtual.mjs (from the esbuild plugin). Only the database drivers stay outside:
// better-sqlite3 is a native addon and pg is loaded only for postgres:// URLs.
//   node build.mjs [--outdir DIR]
import { parseArgs } from 'node:util';
import { esbuildMigrations } from '@strata/core/bundler';
import * as esbuild from 'esbuild';

const here = new URL('.', import.meta.url).pathname;
const { values } = parseArgs({ options: { outdir: { type: 'string', default: 'dist' } } });

const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: { server: 'src/main.ts', 'server-virtual': 'src/main-virtual.ts' },
  outdir: values.outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pg'],
  plugins: [esbuildMigrations({ directory: 'migrations' })],
  metafile: true,
  logLevel: 'warning',
});

for (const [file, output] of Object.entries(result.metafile.outputs)) {
  console.log(`${file}  ${(output.bytes / 1024).toFixed(1)} KiB`);
}
