import { migrationsDir, pad } from '../lib/migrations.mjs';
import { queryRows } from '../lib/postgres.mjs';
import { runProcess, startServingWorker } from '../lib/processes.mjs';
import { pairedRatios, rotate, summarize } from '../lib/stats.mjs';
import { freshTarget, targetJob } from '../lib/targets-db.mjs';
import { runsIn } from '../tools/index.mjs';

/**
 * Workload 4: P processes start a run at the same moment on a fresh database with N migrations,
 * against one process alone. Library tools run in workers started beforehand, connected, and
 * released together over IPC (so the measure is the migration, not P node start-ups on two
 * cores); dbmate's P binaries are spawned together. Afterwards the database is checked: each
 * migration's table exists once and the history holds each migration exactly once.
 */
export async function contentionWorkload({ tools, config, tmp, log }) {
  const active = tools.filter((tool) => !tool.floor && runsIn(tool, 'contention') && tool.dialects.includes('postgres'));
  const results = {};
  const strataTimes = { single: [], concurrent: [] };
  const perTool = {};
  for (const tool of active) perTool[tool.name] = { single: [], concurrent: [], checks: [] };

  const pools = {};
  try {
    for (const tool of active) {
      if (tool.binary) continue;
      pools[tool.name] = Array.from({ length: config.contentionProcs }, () => startServingWorker(tool.name));
      await Promise.all(pools[tool.name].map((worker) => worker.loaded));
    }
    for (let round = config.warmup ? 0 : 1; round <= config.contentionRuns; round++) {
      for (const tool of rotate(active, round)) {
        // The warm-up round (JIT, connections, page cache) uses a tenth of the migrations.
        const n = round === 0 ? Math.max(1, Math.round(config.contentionN / 10)) : config.contentionN;
        const dir = await migrationsDir(tmp, 'schema', n, tool.format);
        for (const procs of round % 2 ? [config.contentionProcs, 1] : [1, config.contentionProcs]) {
          const outcome = await contend(tool, pools[tool.name], procs, dir, n);
          const kind = procs === 1 ? 'single' : 'concurrent';
          if (round > 0) {
            perTool[tool.name][kind].push(outcome.wallMs);
            perTool[tool.name].checks.push({ procs, ...outcome.check, failed: outcome.failed, errors: outcome.errors });
          }
          log(
            `contention ${round === 0 ? 'warm-up' : `run ${round}`} ${tool.name} x${procs}: ${outcome.wallMs.toFixed(0)} ms, ` +
              `history ${outcome.check.historyRows}/${n}, tables ${outcome.check.tables}, failed processes ${outcome.failed}`,
          );
        }
      }
    }
  } finally {
    await Promise.all(
      Object.values(pools)
        .flat()
        .map((worker) => worker.stop()),
    );
  }
  Object.assign(strataTimes, perTool.strata ?? {});
  for (const tool of active) {
    const t = perTool[tool.name];
    const concurrentChecks = t.checks.filter((check) => check.procs > 1);
    results[tool.name] = {
      singleMs: summarize(t.single),
      concurrentMs: summarize(t.concurrent),
      // P processes over one, pair by pair within each round.
      slowdown: pairedRatios(t.concurrent, t.single),
      exactlyOnce: t.checks.length > 0 && t.checks.every((check) => check.exactlyOnce),
      allProcessesSucceeded: t.checks.length > 0 && t.checks.every((check) => check.failed === 0),
      failedProcesses: summarize(concurrentChecks.map((check) => check.failed)).median,
      errors: [...new Set(t.checks.flatMap((check) => check.errors))].slice(0, 3),
      checks: t.checks,
      strataRatio: tool.name === 'strata' ? null : pairedRatios(strataTimes.concurrent, t.concurrent),
    };
  }
  return { processes: config.contentionProcs, n: config.contentionN, tools: results };
}

async function contend(tool, workers, procs, dir, n) {
  const target = await freshTarget('postgres', `contend_${tool.name}`);
  const job = { ...targetJob(target), dir };
  try {
    let wallMs;
    let outcomes;
    if (tool.binary) {
      const cli = tool.cli(job);
      const started = performance.now();
      const runs = await Promise.all(Array.from({ length: procs }, () => runProcess(cli.command, cli.args, { env: cli.env })));
      wallMs = performance.now() - started;
      outcomes = runs.map((run) => (run.code === 0 ? { ok: true } : { ok: false, error: (run.stderr || run.stdout).trim() }));
    } else {
      const team = workers.slice(0, procs);
      const ready = await Promise.all(
        team.map((worker) => {
          const next = worker.next('ready');
          worker.send({ type: 'open', job });
          return next;
        }),
      );
      const notReady = ready.find((message) => message.ok === false);
      if (notReady) throw new Error(`${tool.name} could not connect: ${notReady.error}`);
      const done = team.map((worker) => worker.next('done'));
      const started = performance.now();
      for (const worker of team) worker.send({ type: 'go' });
      outcomes = await Promise.all(done);
      wallMs = performance.now() - started;
      await Promise.all(
        team.map((worker) => {
          const next = worker.next('closed');
          worker.send({ type: 'close' });
          return next;
        }),
      );
    }
    const failed = outcomes.filter((outcome) => !outcome.ok);
    return {
      wallMs,
      failed: failed.length,
      errors: [...new Set(failed.map((outcome) => firstLine(outcome.error)))],
      check: await checkExactlyOnce(tool, target.url, n),
    };
  } finally {
    await target.drop();
  }
}

/** Exactly once: N history entries with N distinct keys, and each migration's table present with its 3 rows. */
async function checkExactlyOnce(tool, url, n) {
  const { table, key, where } = tool.history;
  const [history] = await queryRows(
    url,
    `SELECT count(*)::int AS total, count(DISTINCT ${key})::int AS distinct_keys FROM ${table}${where ? ` WHERE ${where}` : ''}`,
  ).catch(() => [{ total: 0, distinct_keys: 0 }]);
  const [{ tables }] = await queryRows(
    url,
    "SELECT count(*)::int AS tables FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'bench\\_%'",
  );
  let rowsOk = tables === n;
  if (rowsOk) {
    const union = Array.from({ length: n }, (_, i) => `SELECT count(*) AS c FROM bench_${pad(i + 1)}`).join(' UNION ALL ');
    const [{ bad }] = await queryRows(url, `SELECT count(*)::int AS bad FROM (${union}) counts WHERE c <> 3`);
    rowsOk = bad === 0;
  }
  return {
    historyRows: history.total,
    distinctKeys: history.distinct_keys,
    tables,
    exactlyOnce: history.total === n && history.distinct_keys === n && tables === n && rowsOk,
  };
}

function firstLine(text) {
  return String(text ?? '')
    .split('\n')[0]
    .slice(0, 200);
}
