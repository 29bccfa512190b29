/**
 * `strata lint` end to end, as a person or CI runs it: a fresh `node strata lint` process each
 * time, so the figure includes Node's start, loading PostgreSQL's parser (WebAssembly) and
 * reading every file. On the example apps and on a generated 300-migration corpus; the target is
 * under 2 s. Run alone: `npm run build && node bench/workloads/lint.mjs [--runs N]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLintCorpus } from '../lib/lint-corpus.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STRATA = join(ROOT, 'packages/core/bin/strata.js');
const EXAMPLES = ['bundled', 'express-postgres', 'express-sqlite', 'nest-postgres'];

/** Wall times (ms) of `runs` fresh `strata lint` processes in `cwd`, and the last exit code. */
function timeLint(cwd, runs) {
  const times = [];
  let status;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [STRATA, 'lint', '--json'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '' },
    });
    times.push(performance.now() - started);
    status = result.status;
    if (status !== 0 && status !== 1) throw new Error(`strata lint crashed in ${cwd}: ${result.stderr}`);
  }
  return { times, status };
}

export async function lintWorkload({ runs = 5, log = () => {} } = {}) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const results = [];
  for (const name of EXAMPLES) {
    const { times } = timeLint(join(ROOT, 'examples', name), runs);
    results.push({ case: `examples/${name}`, medianMs: median(times), maxMs: Math.max(...times) });
    log(`lint examples/${name}: median ${median(times).toFixed(0)} ms`);
  }
  const tmp = await mkdtemp(join(os.tmpdir(), 'strata-lint-bench-'));
  try {
    await writeLintCorpus(join(tmp, 'migrations'), 300);
    const { times } = timeLint(tmp, runs);
    results.push({ case: '300 migrations', medianMs: median(times), maxMs: Math.max(...times) });
    log(`lint 300 migrations: median ${median(times).toFixed(0)} ms`);
    const baseline = spawnTimes(tmp, runs);
    results.push({ case: 'node strata --version (start-up alone)', medianMs: median(baseline), maxMs: Math.max(...baseline) });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return results;
}

function spawnTimes(cwd, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    spawnSync(process.execPath, [STRATA, '--version'], { cwd });
    times.push(performance.now() - started);
  }
  return times;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;
  const results = await lintWorkload({ runs, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`| case | median | max |\n| --- | ---: | ---: |\n`);
  for (const r of results) process.stdout.write(`| ${r.case} | ${r.medianMs.toFixed(0)} ms | ${r.maxMs.toFixed(0)} ms |\n`);
  process.stdout.write(
    `\n${os.cpus().length} × ${os.cpus()[0]?.model}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, Node ${process.version}\n`,
  );
}
