/**
 * strata side by side with the Node migration tools. `npm run bench` (from the repository root)
 * builds the packages and runs this; `--quick` proves the harness in well under a minute.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { FULL, parseArgs, QUICK, USAGE, WORKLOADS } from './lib/config.mjs';
import { collectMeta } from './lib/meta.mjs';
import { adminUrl, dropStaleDatabases, redact } from './lib/postgres.mjs';
import { BENCH_DIR } from './lib/processes.mjs';
import { renderMarkdown, spliceResults } from './lib/report-md.mjs';
import { countRoundTrips } from './lib/round-trips.mjs';
import { renderCharts } from './lib/svg.mjs';
import { evaluateTargets } from './lib/targets.mjs';
import { loadTools, TOOL_NAMES } from './tools/index.mjs';
import { applyWorkload } from './workloads/apply.mjs';
import { contentionWorkload } from './workloads/contention.mjs';
import { growthWorkload } from './workloads/growth.mjs';
import { importsWorkload } from './workloads/imports.mjs';

const args = parseArgs(process.argv.slice(2));
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const config = args.quick ? QUICK : FULL;
const base = args.quick ? 'quick' : 'latest';
const outDir = args.out ?? join(BENCH_DIR, 'results');
const started = performance.now();
const log = (line) => process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${line}\n`);

const results = args.render ? JSON.parse(await readFile(join(outDir, `${base}.json`), 'utf8')) : await measure();
// Redrawing re-judges the stored figures, so a change to a target's criterion shows without re-measuring.
if (args.render) results.targets = evaluateTargets(results);

/** Runs the workloads and returns the results, targets evaluated. */
async function measure() {
  // strata, its variants (each runs only where it differs) and the floors are always kept.
  const wanted = args.tools
    ? TOOL_NAMES.filter((n) => n.startsWith('strata') || ['raw-pg', 'raw-sqlite', ...args.tools].includes(n))
    : TOOL_NAMES;
  const tools = await loadTools(wanted);
  countRoundTrips();
  const tmp = await mkdtemp(join(os.tmpdir(), 'strata-bench-'));
  log(`${config.mode} bench on ${redact(adminUrl())}, temp files in ${tmp}`);
  await dropStaleDatabases();

  const results = {
    meta: {
      ...(await collectMeta()),
      mode: config.mode,
      config,
      partial: args.only.length < WORKLOADS.length || Boolean(args.tools),
    },
    tools: Object.fromEntries(
      tools.map((t) => [
        t.name,
        {
          floor: Boolean(t.floor),
          variantOf: t.variantOf,
          label: t.label,
          workloads: t.workloads,
          dialects: t.dialects,
          config: t.config,
        },
      ]),
    ),
  };
  try {
    if (args.only.includes('apply')) {
      results.apply = {};
      for (const dialect of ['postgres', 'sqlite'])
        results.apply[dialect] = await applyWorkload({ tools, dialect, config, tmp, log });
    }
    if (args.only.includes('growth')) results.growth = await growthWorkload({ tools, config, tmp, log });
    if (args.only.includes('contention')) results.contention = await contentionWorkload({ tools, config, tmp, log });
    if (args.only.includes('imports')) results.imports = await importsWorkload({ config, log });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  results.meta.loadAverageAtEnd = os.loadavg().map((value) => Math.round(value * 100) / 100);
  results.meta.durationS = Math.round((performance.now() - started) / 100) / 10;
  results.targets = evaluateTargets(results);
  return results;
}

await mkdir(outDir, { recursive: true });
const charts = renderCharts(results);
for (const [name, svg] of Object.entries(charts)) await writeFile(join(outDir, `${base}-${name}.svg`), svg);
await writeFile(join(outDir, `${base}.json`), `${JSON.stringify(results, null, 2)}\n`);
const chartFiles = Object.keys(charts).map((name) => `${base}-${name}.svg`);
await writeFile(join(outDir, `${base}.md`), renderMarkdown(results, { charts: chartFiles }));
// A complete full run into the default directory is what bench/README.md shows.
if (results.meta.mode === 'full' && !args.out && !results.meta.partial) {
  const readmePath = join(BENCH_DIR, 'README.md');
  const readme = await readFile(readmePath, 'utf8').catch(() => '');
  const updated = spliceResults(readme, renderMarkdown(results, { charts: chartFiles.map((file) => `results/${file}`) }));
  if (updated) {
    await writeFile(readmePath, updated);
    formatWithBiome(readmePath);
  }
}
log(`${args.render ? 'redrawn from' : `done in ${results.meta.durationS} s:`} ${join(outDir, `${base}.json`)}`);
for (const target of results.targets)
  log(`${target.met === true ? 'MET ' : target.met === false ? 'MISS' : 'n/a '} ${target.text}: ${target.measured}`);

/** The repository lints Markdown too: lay the rewritten README out the way `biome check` wants it. Best effort. */
function formatWithBiome(path) {
  const biome = join(BENCH_DIR, '..', 'node_modules', '.bin', 'biome');
  const result = spawnSync(biome, ['format', '--write', path], { encoding: 'utf8' });
  if (result.status !== 0) log(`could not format ${path} with biome: ${(result.stderr || result.error?.message || '').trim()}`);
}
