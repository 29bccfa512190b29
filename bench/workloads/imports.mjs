import { runProcess } from '../lib/processes.mjs';
import { rotate, summarize } from '../lib/stats.mjs';

/** What each library costs to import in a fresh process, and what an empty node process costs. */
export const IMPORTS = {
  strata: '@strata/core',
  knex: 'knex',
  'node-pg-migrate': 'node-pg-migrate',
  postgrator: 'postgrator',
  kysely: 'kysely',
  umzug: 'umzug',
  drizzle: 'drizzle-orm/node-postgres/migrator',
  pg: 'pg',
};

const script = (specifier) =>
  `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;

export async function importsWorkload({ config, log }) {
  const samples = Object.fromEntries(Object.keys(IMPORTS).map((name) => [name, []]));
  const nodeStart = [];
  const names = Object.keys(IMPORTS);
  for (let round = config.warmup ? 0 : 1; round <= config.importRuns; round++) {
    for (const name of rotate(names, round)) {
      const run = await runProcess(process.execPath, ['--input-type=module', '-e', script(IMPORTS[name])]);
      if (run.code !== 0) throw new Error(`import(${IMPORTS[name]}) failed: ${run.stderr.trim().slice(0, 300)}`);
      if (round > 0) samples[name].push(Number(run.stdout));
    }
    const empty = await runProcess(process.execPath, ['-e', '']);
    if (round > 0) nodeStart.push(empty.wallMs);
  }
  const result = { nodeEmptyProcessMs: summarize(nodeStart), importMs: {} };
  for (const name of names) result.importMs[name] = { specifier: IMPORTS[name], ...summarize(samples[name]) };
  log(
    `imports: ${names.map((n) => `${n} ${result.importMs[n].median} ms`).join(', ')}; empty node ${result.nodeEmptyProcessMs.median} ms`,
  );
  return result;
}
