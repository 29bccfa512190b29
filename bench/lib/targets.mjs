/**
 * The issue's targets, each checked against the measured figures: `met` is true, false, or null
 * when the run did not measure what the target needs.
 */
const STRATA_VARIANTS = [
  { tool: 'strata-embedded', suffix: '-embedded', label: 'migrations embedded', ratioKey: 'inProcessEmbedded' },
  { tool: 'strata', suffix: '', label: 'directory read at boot', ratioKey: 'inProcess' },
];

export function evaluateTargets(results) {
  const targets = [];
  const add = (id, text, met, measured) => targets.push({ id, text, met, measured });

  for (const dialect of ['postgres', 'sqlite']) {
    const apply = results.apply?.[dialect];
    if (!apply) continue;
    const strata = apply.tools.strata?.ms.median;
    const floor = apply.floor ? apply.tools[apply.floor] : undefined;
    const floorRatio = floor?.strataRatio?.median ?? null;
    // Variants of strata (strata with singleTransaction) are strata, not peers: the targets judge plain strata.
    const peers = Object.entries(apply.tools).filter(
      ([name, r]) => name !== 'strata' && name !== apply.floor && !results.tools?.[name]?.variantOf && r.strataRatio,
    );
    // Like for like: a peer that runs the whole batch in one transaction (knex; Kysely on
    // PostgreSQL) is compared with strata's singleTransaction, the others with plain strata.
    const batchVariant = apply.tools['strata-single-transaction'];
    const compared = peers.map(([name, r]) => {
      const batch = r.batchTransaction === true && batchVariant?.variantRatios?.[name];
      return batch
        ? { name, ms: r.ms.median, against: 'strata (singleTransaction)', ratio: batch.median }
        : { name, ms: r.ms.median, against: 'strata', ratio: r.strataRatio.median };
    });
    const behind = compared.filter((c) => !(c.ratio < 1)).map((c) => c.name);
    add(
      `apply-${dialect}-floor`,
      `apply ${apply.n} on ${dialect}: strata within 1.10x of the ${apply.floor} floor`,
      floorRatio === null ? null : floorRatio <= 1.1,
      `strata ${strata} ms, floor ${floor?.ms.median} ms, ratio ${floorRatio}`,
    );
    add(
      `apply-${dialect}-peers`,
      `apply ${apply.n} on ${dialect}: strata ahead of every peer (in the peer's transaction mode)`,
      compared.length === 0 ? null : behind.length === 0,
      compared.map((c) => `${c.name} ${c.ms} ms (${c.against}/${c.name} ${c.ratio})`).join('; ') +
        (behind.length ? `; behind: ${behind.join(', ')}` : ''),
    );
  }

  const growth = results.growth;
  if (growth) {
    const n = growth.headlineN;
    const peers = Object.entries(growth.tools).filter(([name, t]) => !name.startsWith('strata') && t.byN[n]?.inProcessMs?.median);
    const fastest = peers.sort((a, b) => a[1].byN[n].inProcessMs.median - b[1].byN[n].inProcessMs.median)[0];
    // Each no-op target is judged for both ways strata is used: the migrations embedded in the
    // build (`strata embed`, the production path for a server) and the directory read at boot.
    for (const variant of STRATA_VARIANTS) {
      const byN = growth.tools[variant.tool]?.byN;
      if (!byN) continue;
      const strata = byN[n];
      add(
        `noop-one-round-trip${variant.suffix}`,
        `no-op in process at N=${n}, ${variant.label}: one round trip after connecting, no lock`,
        strata ? strata.roundTrips === 1 && strata.lockTaken === false : null,
        strata ? `${strata.roundTrips} round trip(s), lock taken: ${strata.lockTaken}` : 'not measured',
      );
      const ratio = fastest?.[1].byN[n].ratios?.[variant.ratioKey]?.median;
      add(
        `noop-5x${variant.suffix}`,
        `no-op in process at N=${n}, ${variant.label}: at least 5x faster than the fastest peer`,
        ratio === undefined || ratio === null ? null : ratio <= 0.2,
        fastest && strata
          ? `${variant.tool} ${strata.inProcessMs.median} ms, fastest peer ${fastest[0]} ${fastest[1].byN[n].inProcessMs.median} ms: ${ratio ? (1 / ratio).toFixed(2) : '?'}x`
          : 'not measured',
      );
      const top = growth.ns.at(-1);
      const low = growth.ns[0];
      const times = growth.ns.map((k) => byN[k].inProcessMs.median);
      // At most linear: the cost per migration does not grow with N (1.5x allows for noise).
      const perMigration = times.map((t, i) => t / growth.ns[i]);
      const linear = perMigration.every((cost, i) => i === 0 || cost <= 1.5 * perMigration[i - 1]);
      add(
        `growth-time${variant.suffix}`,
        `no-op in process, ${variant.label}: grows at most linearly with N and stays under 50 ms at N=${top}`,
        linear && times.at(-1) < 50,
        `${growth.ns.map((k, i) => `N=${k}: ${times[i]} ms`).join(', ')}; per migration ${perMigration.map((x) => `${(x * 1000).toFixed(2)} µs`).join(' → ')}`,
      );
      const rss = growth.ns.map((k) => byN[k].peakRssMb.median);
      add(
        `growth-memory${variant.suffix}`,
        `peak RSS, ${variant.label}: stays flat from N=${low} to N=${top} (criterion: grows by at most 15 MB)`,
        rss.at(-1) - rss[0] <= 15,
        growth.ns.map((k, i) => `N=${k}: ${rss[i]} MB`).join(', '),
      );
    }
    const clis = Object.entries(growth.tools)
      .filter(([, t]) => t.byN[n]?.cliMs?.median)
      .map(([name, t]) => [name, t.byN[n].cliMs.median]);
    const strataCli = clis.find(([name]) => name === 'strata');
    const faster = clis.filter(([name, ms]) => !name.startsWith('strata') && strataCli && ms <= strataCli[1]);
    add(
      'cli-fastest',
      `whole-process no-op at N=${n}: strata's CLI the fastest of the set`,
      strataCli ? faster.length === 0 : null,
      clis.map(([name, ms]) => `${name} ${ms} ms`).join('; ') + (strataCli ? '' : ' (strata CLI not built: not measured)'),
    );
  }

  const imports = results.imports?.importMs?.strata;
  if (imports) {
    add(
      'import-cost',
      "import('@strata/core') under 30 ms",
      imports.median < 30,
      `${imports.median} ms (min ${imports.min}, max ${imports.max})`,
    );
  }

  const contention = results.contention?.tools?.strata;
  if (contention) {
    const p = results.contention.processes;
    add(
      'contention-exactly-once',
      `contention: every migration applied exactly once, every one of ${p} processes succeeding`,
      contention.exactlyOnce && contention.allProcessesSucceeded,
      `exactly once: ${contention.exactlyOnce}, all processes succeeded: ${contention.allProcessesSucceeded}`,
    );
    add(
      'contention-time',
      `contention: ${p} processes finish within 1.5x of one`,
      contention.slowdown.median === null ? null : contention.slowdown.median <= 1.5,
      `1 process ${contention.singleMs.median} ms, ${p} processes ${contention.concurrentMs.median} ms: ${contention.slowdown.median}x`,
    );
  }
  return targets;
}
