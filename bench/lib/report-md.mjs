import { toolLabel } from '../tools/index.mjs';

/** Where a variant runs, in words; results written before variants listed theirs ran in the no-op workloads. */
const WORKLOAD_NAMES = { apply: 'apply', growth: 'no-op', contention: 'contention' };
const workloadNames = (workloads = ['growth']) =>
  `${workloads.map((w) => WORKLOAD_NAMES[w] ?? w).join(' and ')} workload${workloads.length > 1 ? 's' : ''}`;

/** The results table as Markdown, written beside the JSON (and pasted into bench/README.md). */
const ms = (s) => (s?.median === null || s?.median === undefined ? '–' : `${fmt(s.median)}`);
const range = (s) => (s?.min === null || s?.min === undefined ? '–' : `${fmt(s.min)}–${fmt(s.max)}`);
const ratio = (r) =>
  r?.median === null || r?.median === undefined ? '–' : `${r.median.toFixed(2)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const mark = (met) => (met === true ? 'met' : met === false ? '**missed**' : 'n/a');

function table(headers, rows) {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/**
 * Replaces what sits between the results markers of a README with `markdown` (its first heading
 * dropped: the README has its own).
 */
export function spliceResults(readme, markdown) {
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) return undefined;
  const body = markdown.replace(/^# .*\n\n/, '').replace(/^## /gm, '### ');
  return `${readme.slice(0, from + start.length)}\n${body}\n${readme.slice(to)}`;
}

export function renderMarkdown(results, { charts = [] } = {}) {
  const { meta } = results;
  const out = [];
  out.push(
    `# strata bench: ${meta.mode} run, ${meta.date.slice(0, 16).replace('T', ' ')} UTC${meta.partial ? ' (partial)' : ''}`,
  );
  out.push('');
  out.push(
    `Machine: ${meta.machine.cpuModel}, ${meta.machine.cores} cores, ${meta.machine.memoryGiB} GiB, ${meta.machine.os}; ` +
      `Node ${meta.machine.node}; PostgreSQL ${meta.machine.postgres} (local, TCP); SQLite ${meta.machine.sqlite} (better-sqlite3 ${meta.versions['better-sqlite3']}). ` +
      `Load average at start ${meta.loadAverageAtStart.join(' / ')}, at end ${meta.loadAverageAtEnd?.join(' / ')}; the run took ${meta.durationS} s.`,
  );
  out.push('');
  out.push(
    `Versions: ${Object.entries(meta.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
  );
  out.push('');
  out.push(
    'Times in milliseconds: median of the measured runs, min–max beside it. A ratio is strata/peer computed run by run in the same round, then its median (min–max): below 1 means strata is faster.',
  );
  out.push('');
  for (const chart of charts) out.push(`![${chart}](${chart})`, '');

  if (results.targets?.length) {
    out.push('## Targets', '');
    out.push(
      table(
        ['target', 'result', 'measured'],
        results.targets.map((t) => [t.text, mark(t.met), t.measured]),
      ),
    );
    out.push('');
  }

  for (const dialect of ['postgres', 'sqlite']) {
    const apply = results.apply?.[dialect];
    if (!apply) continue;
    out.push(`## Apply ${apply.n} migrations: ${dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'}`, '');
    const rows = Object.entries(apply.tools)
      .sort((a, b) => (a[1].ms.median ?? Infinity) - (b[1].ms.median ?? Infinity))
      .map(([name, r]) => [
        name === apply.floor ? `${name} (floor)` : toolLabel(results.tools, name),
        ms(r.ms),
        range(r.ms),
        r.ms.median ? ((r.ms.median / apply.n) * 1000).toFixed(0) : '–',
        name === 'strata' ? '1' : ratio(r.strataRatio),
        r.error ? `failed: ${r.error}` : '',
      ]);
    out.push(table(['tool', 'median', 'min–max', 'µs / migration', 'strata / tool', 'note'], rows));
    out.push('');
    // A variant compared with every other tool, run by run like strata's own ratios.
    for (const [name, r] of Object.entries(apply.tools)) {
      if (!r.variantRatios) continue;
      const pairs = Object.entries(r.variantRatios)
        .filter(([, v]) => v.median !== null)
        .map(([peer, v]) => `${peer === apply.floor ? `${peer} (floor)` : toolLabel(results.tools, peer)} ${ratio(v)}`);
      if (pairs.length) out.push(`**${toolLabel(results.tools, name)} / tool**, run by run: ${pairs.join('; ')}.`, '');
    }
  }

  const growth = results.growth;
  if (growth) {
    const n = growth.headlineN;
    out.push(`## No-op boot with ${n.toLocaleString('en-US')} applied (PostgreSQL)`, '');
    out.push(
      "In process: the migrate call on an open connection, nothing pending. Whole process: spawn to exit; the minimal script imports the tool, connects, migrates and closes; CLI is the tool's own command.",
      '',
    );
    const rows = Object.entries(growth.tools).map(([name, t]) => {
      const m = t.byN[n];
      return [
        name,
        t.binary ? 'n/a (binary)' : `${ms(m.inProcessMs)} (${range(m.inProcessMs)})`,
        m.roundTrips ?? '–',
        name.startsWith('strata') || t.binary ? '' : ratio(m.ratios?.inProcess),
        name.startsWith('strata') || t.binary ? '' : ratio(m.ratios?.inProcessEmbedded),
        `${ms(m.scriptMs)} (${range(m.scriptMs)})`,
        m.cliMs ? `${ms(m.cliMs)} (${range(m.cliMs)}) \`${m.cliCommand}\`` : '–',
        name.startsWith('strata') ? '' : ratio(m.ratios?.cli),
      ];
    });
    out.push(
      table(
        [
          'tool',
          'in process',
          'queries',
          'strata / tool (in process)',
          'strata-embedded / tool (in process)',
          'whole process: script',
          'whole process: CLI',
          'strata / tool (CLI)',
        ],
        rows,
      ),
    );
    out.push('');
    out.push('## Growth: no-op against the size of the history (PostgreSQL)', '');
    const headers = [
      'tool',
      ...growth.ns.flatMap((k) => [`in process N=${k}`, `peak RSS N=${k}`]),
      `whole process N=${growth.ns.at(-1)}`,
    ];
    const growthRows = Object.entries(growth.tools).map(([name, t]) => [
      name,
      ...growth.ns.flatMap((k) => [
        t.binary ? 'n/a' : ms(t.byN[k].inProcessMs),
        t.byN[k].peakRssMb.median === null ? '–' : `${t.byN[k].peakRssMb.median.toFixed(1)} MB`,
      ]),
      ms(t.byN[growth.ns.at(-1)].scriptMs),
    ]);
    out.push(table(headers, growthRows));
    out.push('');
    out.push(
      "Peak RSS is the whole process's (node ≈ 40–50 MB of it): the minimal script for node tools, GNU time for dbmate.",
      '',
    );
  }

  const contention = results.contention;
  if (contention) {
    out.push(
      `## Contention: ${contention.processes} processes at once, ${contention.n} migrations, fresh database (PostgreSQL)`,
      '',
    );
    const rows = Object.entries(contention.tools).map(([name, r]) => [
      name,
      `${ms(r.singleMs)} (${range(r.singleMs)})`,
      `${ms(r.concurrentMs)} (${range(r.concurrentMs)})`,
      ratio(r.slowdown),
      r.exactlyOnce ? 'yes' : '**no**',
      r.allProcessesSucceeded ? 'all' : `**${r.failedProcesses} failed** (median)`,
      r.errors
        .map((e) => e.replace(/\|/g, '\\|'))
        .join('; ')
        .slice(0, 160),
    ]);
    out.push(
      table(
        [
          'tool',
          '1 process',
          `${contention.processes} processes`,
          `slowdown ${contention.processes}/1`,
          'each migration exactly once',
          'processes',
          'errors seen',
        ],
        rows,
      ),
    );
    out.push('');
  }

  const imports = results.imports;
  if (imports) {
    out.push('## Import cost (fresh process, `await import(...)`)', '');
    out.push(
      table(
        ['module', 'median', 'min–max'],
        Object.values(imports.importMs).map((s) => [`\`${s.specifier}\``, ms(s), range(s)]),
      ),
    );
    out.push(
      '',
      `An empty \`node -e ''\` process: ${ms(imports.nodeEmptyProcessMs)} ms (${range(imports.nodeEmptyProcessMs)}).`,
      '',
    );
  }

  out.push('## How each tool is configured', '');
  for (const [name, t] of Object.entries(results.tools)) {
    out.push(
      `- **${toolLabel(results.tools, name)}**${t.floor ? ' (floor)' : ''}${t.variantOf ? ` (${workloadNames(t.workloads)} only)` : ''} [${t.dialects.join(', ')}]: ${t.config}`,
    );
  }
  out.push('');
  return out.join('\n');
}
