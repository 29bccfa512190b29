import { migrationsDir } from '../lib/migrations.mjs';
import { canMeasureNativeRss, runProcess, runWorkerOnce } from '../lib/processes.mjs';
import { roundTrips } from '../lib/round-trips.mjs';
import { pairedRatios, rotate, summarize } from '../lib/stats.mjs';
import { freshTarget, targetJob } from '../lib/targets-db.mjs';
import { runsIn } from '../tools/index.mjs';

/**
 * Workloads 2 and 3: the no-op boot against a history of N applied migrations, for each N.
 * Each tool keeps one PostgreSQL database that grows from one N to the next (built with
 * synchronous_commit off: only the building is faster, the measured no-op only reads).
 * In process: the migrate call on an open connection that finds nothing to do. Whole process:
 * the bench's minimal script (import, connect, migrate, close; it also reports peak RSS) and,
 * at the headline N, each tool's CLI.
 */
export async function growthWorkload({ tools, config, tmp, log }) {
  const active = tools.filter((tool) => !tool.floor && tool.dialects.includes('postgres') && runsIn(tool, 'growth'));
  const state = {};
  for (const tool of active) {
    const target = await freshTarget('postgres', `growth_${tool.name}`, { settings: { synchronous_commit: 'off' } });
    const job = targetJob(target);
    state[tool.name] = { target, job, ctx: await tool.open(job), applied: 0, byN: {} };
  }
  try {
    for (const n of config.growthNs) {
      for (const tool of active) {
        const s = state[tool.name];
        const dir = await migrationsDir(tmp, 'growth', n, tool.format);
        const started = performance.now();
        const result = await tool.migrate(s.ctx, { ...s.job, dir });
        const setupMs = performance.now() - started;
        if (result.applied !== n - s.applied)
          throw new Error(`${tool.name}: applied ${result.applied}, expected ${n - s.applied}`);
        s.applied = n;
        s.dir = dir;
        s.byN[n] = { setupMs: Math.round(setupMs), inProcess: [], roundTrips: [], lockTaken: [], script: [], rssKb: [], cli: [] };
        log(`growth N=${n} ${tool.name}: built (${result.applied} applied in ${setupMs.toFixed(0)} ms)`);
      }

      await measureInProcess(active, state, n, config, log);
      await measureScript(active, state, n, config, log);
      if (n === config.headlineN) await measureCli(active, state, n, config, log);
    }
  } finally {
    for (const tool of active) {
      await tool.close(state[tool.name].ctx).catch(() => {});
      await state[tool.name].target.drop();
    }
  }
  return summarizeGrowth(active, state, config);
}

/** The build call just before ran the same code path on the same connection: it is the warm-up. */
async function measureInProcess(active, state, n, config, log) {
  const library = active.filter((tool) => !tool.binary);
  for (let round = 1; round <= config.runs; round++) {
    for (const tool of rotate(library, round)) {
      const s = state[tool.name];
      const before = roundTrips();
      const started = performance.now();
      const result = await tool.migrate(s.ctx, { ...s.job, dir: s.dir });
      const ms = performance.now() - started;
      const trips = roundTrips() - before;
      if (result.applied !== 0) throw new Error(`${tool.name}: the no-op applied ${result.applied}`);
      s.byN[n].inProcess.push(ms);
      s.byN[n].roundTrips.push(trips);
      if (result.lockTaken !== undefined) s.byN[n].lockTaken.push(result.lockTaken);
    }
  }
  log(
    `growth N=${n} in-process: ${library.map((t) => `${t.name} ${summarize(state[t.name].byN[n].inProcess).median} ms`).join(', ')}`,
  );
}

/** One warm-up round at the first N only: after it the page cache holds every tool's files. */
async function measureScript(active, state, n, config, log) {
  const runs = n === config.headlineN ? config.wholeRuns : config.memoryRuns;
  for (let round = config.warmup && n === config.growthNs[0] ? 0 : 1; round <= runs; round++) {
    for (const tool of rotate(active, round)) {
      const s = state[tool.name];
      let wallMs;
      let rssKb;
      if (tool.binary) {
        const cli = tool.cli({ ...s.job, dir: s.dir });
        const run = await runProcess(cli.command, cli.args, { env: cli.env, rss: canMeasureNativeRss });
        if (run.code !== 0) throw new Error(`${tool.name} exited ${run.code}: ${run.stderr.trim().slice(0, 300)}`);
        ({ wallMs } = run);
        rssKb = run.maxRssKb;
      } else {
        const report = await runWorkerOnce({ tool: tool.name, ...s.job, dir: s.dir });
        if (!report.ok) throw new Error(`${tool.name} worker: ${report.error}`);
        if (report.applied !== 0) throw new Error(`${tool.name}: the no-op script applied ${report.applied}`);
        ({ wallMs } = report);
        rssKb = report.maxRssKb;
      }
      if (round === 0) continue;
      s.byN[n].script.push(wallMs);
      if (rssKb !== undefined) s.byN[n].rssKb.push(rssKb);
    }
  }
  log(
    `growth N=${n} whole process: ${active.map((t) => `${t.name} ${summarize(state[t.name].byN[n].script).median} ms`).join(', ')}`,
  );
}

async function measureCli(active, state, n, config, log) {
  const withCli = active.filter((tool) => tool.cli?.({ ...state[tool.name].job, dir: state[tool.name].dir }));
  for (let round = config.warmup ? 0 : 1; round <= config.wholeRuns; round++) {
    for (const tool of rotate(withCli, round)) {
      const s = state[tool.name];
      const cli = tool.cli({ ...s.job, dir: s.dir });
      const run = await runProcess(cli.command, cli.args, { env: cli.env });
      if (run.code !== 0) throw new Error(`${cli.label} exited ${run.code}: ${(run.stderr || run.stdout).trim().slice(0, 300)}`);
      if (round > 0) s.byN[n].cli.push(run.wallMs);
    }
  }
  log(`growth N=${n} CLI: ${withCli.map((t) => `${t.name} ${summarize(state[t.name].byN[n].cli).median} ms`).join(', ')}`);
}

function summarizeGrowth(active, state, config) {
  const tools = {};
  for (const tool of active) {
    const byN = {};
    for (const n of config.growthNs) {
      const m = state[tool.name].byN[n];
      const strata = state.strata?.byN[n];
      const embedded = state['strata-embedded']?.byN[n];
      const cli = tool.cli?.({ ...state[tool.name].job, dir: state[tool.name].dir });
      byN[n] = {
        setupMs: m.setupMs,
        inProcessMs: tool.binary ? null : summarize(m.inProcess),
        roundTrips: tool.binary ? null : summarize(m.roundTrips).median,
        lockTaken: m.lockTaken.length ? m.lockTaken.some(Boolean) : undefined,
        scriptMs: summarize(m.script),
        peakRssMb: summarize(m.rssKb.map((kb) => kb / 1024)),
        cliMs: m.cli.length ? summarize(m.cli) : null,
        cliCommand: m.cli.length ? cli?.label : undefined,
        ratios:
          tool.name === 'strata' || !strata
            ? undefined
            : {
                inProcess: tool.binary ? null : pairedRatios(strata.inProcess, m.inProcess),
                inProcessEmbedded: tool.binary || !embedded ? null : pairedRatios(embedded.inProcess, m.inProcess),
                script: pairedRatios(strata.script, m.script),
                cli: m.cli.length && strata.cli.length ? pairedRatios(strata.cli, m.cli) : null,
              },
      };
    }
    tools[tool.name] = { binary: Boolean(tool.binary), byN };
  }
  return { ns: config.growthNs, headlineN: config.headlineN, tools };
}
