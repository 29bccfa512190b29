/** What each mode runs. Full: the published figures; quick: proves the harness in well under a minute. */
export const FULL = {
  mode: 'full',
  applyN: 500,
  warmupN: 50,
  runs: 5,
  growthNs: [100, 1000, 10000],
  headlineN: 1000,
  wholeRuns: 5,
  // Whole-process runs at the N other than the headline, where they are there for peak memory.
  memoryRuns: 3,
  contentionProcs: 16,
  contentionN: 100,
  contentionRuns: 5,
  importRuns: 5,
  warmup: true,
};

export const QUICK = {
  mode: 'quick',
  applyN: 20,
  warmupN: 0,
  runs: 1,
  growthNs: [10, 40],
  headlineN: 40,
  wholeRuns: 1,
  memoryRuns: 1,
  contentionProcs: 4,
  contentionN: 10,
  contentionRuns: 1,
  importRuns: 1,
  warmup: false,
};

export const WORKLOADS = ['apply', 'growth', 'contention', 'imports'];

export function parseArgs(argv) {
  const args = { quick: false, out: undefined, only: WORKLOADS, tools: undefined };
  for (const arg of argv) {
    if (arg === '--quick') args.quick = true;
    else if (arg.startsWith('--out=')) args.out = arg.slice('--out='.length);
    else if (arg.startsWith('--only=')) args.only = arg.slice('--only='.length).split(',');
    else if (arg.startsWith('--tools=')) args.tools = arg.slice('--tools='.length).split(',');
    else if (arg === '--render') args.render = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else throw new Error(`unknown argument ${arg} (try --help)`);
  }
  for (const name of args.only) if (!WORKLOADS.includes(name)) throw new Error(`unknown workload ${name}`);
  return args;
}

export const USAGE = `node bench/run.mjs [--quick] [--out=DIR] [--only=${WORKLOADS.join(',')}] [--tools=strata,knex,...]
  --quick   small N and one run: proves the harness (writes quick.json / quick.md)
  --out     directory for the results (default bench/results)
  --only    run only these workloads (partial results; for development)
  --tools   run only these tools (strata, its variants and the floors are always kept)
  --render  measure nothing: redraw the Markdown, the charts and the README from the last JSON`;
