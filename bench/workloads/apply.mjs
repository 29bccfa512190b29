import { migrationsDir } from '../lib/migrations.mjs';
import { pairedRatios, rotate, summarize } from '../lib/stats.mjs';
import { freshTarget, targetJob } from '../lib/targets-db.mjs';
import { runsIn } from '../tools/index.mjs';

/**
 * Workload 1: apply N migrations onto an empty database, every tool in its own fresh database,
 * all tools once per round (in a rotating order), a smaller warm-up round first.
 */
export async function applyWorkload({ tools, dialect, config, tmp, log }) {
  const active = tools.filter((tool) => tool.dialects.includes(dialect) && runsIn(tool, 'apply'));
  const times = Object.fromEntries(active.map((tool) => [tool.name, []]));
  const failures = {};
  const rounds = [...(config.warmupN > 0 ? [config.warmupN] : []), ...Array(config.runs).fill(config.applyN)];
  for (const [round, n] of rounds.entries()) {
    const warm = config.warmupN > 0 && round === 0;
    for (const tool of rotate(active, round)) {
      const dir = await migrationsDir(tmp, 'schema', n, tool.format);
      const target = await freshTarget(dialect, `apply_${tool.name}`, { tmp });
      try {
        const ctx = await tool.open(targetJob(target));
        const started = performance.now();
        const result = await tool.migrate(ctx, { ...targetJob(target), dir });
        const ms = performance.now() - started;
        await tool.close(ctx);
        if (result.applied !== n) throw new Error(`applied ${result.applied} of ${n}`);
        if (!warm) times[tool.name].push(ms);
        log(`apply ${dialect} ${warm ? 'warm-up' : `run ${round}`} ${tool.name}: ${ms.toFixed(0)} ms`);
      } catch (error) {
        failures[tool.name] = String(error?.message ?? error);
        if (!warm) times[tool.name].push(Number.NaN);
        log(`apply ${dialect} ${tool.name} FAILED: ${failures[tool.name]}`);
      } finally {
        await target.drop();
      }
    }
  }
  const floor = active.find((tool) => tool.floor)?.name;
  const results = {};
  for (const tool of active) {
    results[tool.name] = {
      ms: summarize(times[tool.name]),
      samples: times[tool.name].map((ms) => Math.round(ms * 10) / 10),
      ...(failures[tool.name] ? { error: failures[tool.name] } : {}),
      // Runs the whole pending batch in one transaction on this database (its default).
      batchTransaction: tool.batchTransaction?.includes(dialect) ?? false,
      // strata's time over this tool's, pair by pair within each round.
      strataRatio: tool.name === 'strata' ? null : pairedRatios(times.strata ?? [], times[tool.name]),
      // A variant's time over every other tool's, the same way (e.g. strata with singleTransaction / knex).
      ...(tool.variantOf
        ? {
            variantRatios: Object.fromEntries(
              active.filter((peer) => peer !== tool).map((peer) => [peer.name, pairedRatios(times[tool.name], times[peer.name])]),
            ),
          }
        : {}),
    };
  }
  return { n: config.applyN, floor, tools: results };
}
