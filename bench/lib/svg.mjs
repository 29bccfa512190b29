/**
 * Hand-written SVG charts from the results JSON (no dependencies): apply time per tool, and the
 * no-op time against the size of the history per tool.
 */
const COLORS = {
  strata: '#d9480f',
  'raw-pg': '#868e96',
  'raw-sqlite': '#868e96',
  knex: '#1c7ed6',
  'node-pg-migrate': '#37b24d',
  postgrator: '#7048e8',
  kysely: '#f59f00',
  umzug: '#0ca678',
  drizzle: '#82c91e',
  dbmate: '#e64980',
};
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';
/** A variant (strata-embedded) is drawn in its tool's colour, dashed. */
const color = (name) => COLORS[name] ?? COLORS[name.split('-')[0]] ?? '#495057';
const dashed = (name) => (!COLORS[name] && COLORS[name.split('-')[0]] ? ' stroke-dasharray="6 4"' : '');
const esc = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

function text(x, y, content, attrs = '') {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${FONT} ${attrs}>${esc(content)}</text>`;
}

function svgDocument(width, height, body, title) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Horizontal bars (median) with min–max whiskers, one panel per dialect. */
function barPanel(x0, y0, width, title, rows) {
  const out = [text(x0, y0 + 14, title, 'font-size="15" font-weight="600" fill="#212529"')];
  const labelWidth = 180;
  const valueWidth = 70;
  const plotWidth = width - labelWidth - valueWidth;
  const max = Math.max(...rows.map((r) => r.max ?? r.median), 1);
  const barHeight = 20;
  rows.forEach((row, i) => {
    const y = y0 + 30 + i * (barHeight + 8);
    const scale = (v) => x0 + labelWidth + (v / max) * plotWidth;
    out.push(text(x0 + labelWidth - 8, y + 15, row.label ?? row.name, 'font-size="12" text-anchor="end" fill="#343a40"'));
    out.push(
      `<rect x="${x0 + labelWidth}" y="${y}" width="${Math.max(1, scale(row.median) - x0 - labelWidth).toFixed(1)}" height="${barHeight}" fill="${color(row.name)}" opacity="${row.floor ? 0.55 : row.variant ? 0.5 : 0.9}"/>`,
    );
    if (row.min !== null && row.max !== null) {
      const cy = y + barHeight / 2;
      out.push(
        `<path d="M${scale(row.min).toFixed(1)} ${cy}H${scale(row.max).toFixed(1)}M${scale(row.min).toFixed(1)} ${cy - 5}V${cy + 5}M${scale(row.max).toFixed(1)} ${cy - 5}V${cy + 5}" stroke="#212529" stroke-width="1.2" fill="none"/>`,
      );
    }
    out.push(text(scale(row.max ?? row.median) + 6, y + 15, `${fmt(row.median)} ms`, 'font-size="12" fill="#343a40"'));
  });
  return { svg: out, height: 30 + rows.length * (barHeight + 8) };
}

export function applyChart(results) {
  const panels = [];
  for (const dialect of ['postgres', 'sqlite']) {
    const apply = results.apply?.[dialect];
    if (!apply) continue;
    const rows = Object.entries(apply.tools)
      .filter(([, r]) => r.ms.median !== null)
      .map(([name, r]) => ({
        name,
        label: results.tools?.[name]?.label ?? name,
        floor: name === apply.floor,
        variant: Boolean(results.tools?.[name]?.variantOf),
        ...r.ms,
      }))
      .sort((a, b) => a.median - b.median);
    panels.push({
      title: `${dialect === 'postgres' ? 'PostgreSQL' : 'SQLite'}: apply ${apply.n} migrations (median, min–max)`,
      rows,
    });
  }
  if (panels.length === 0) return undefined;
  const width = 760;
  let y = 10;
  const body = [];
  for (const panel of panels) {
    const { svg, height } = barPanel(16, y, width - 32, panel.title, panel.rows);
    body.push(...svg);
    y += height + 24;
  }
  body.push(
    text(
      16,
      y,
      'shorter is faster · grey: hand-written floors · pale: a strata variant · one fresh database per tool and run',
      'font-size="11" fill="#868e96"',
    ),
  );
  return svgDocument(width, y + 14, body, 'apply time per tool');
}

/** Log-log lines of time against N, one line per tool. */
function linePanel(x0, y0, width, height, title, series, ns) {
  const out = [text(x0, y0 + 14, title, 'font-size="15" font-weight="600" fill="#212529"')];
  const left = x0 + 56;
  const top = y0 + 30;
  const plotW = width - 56 - 40;
  const plotH = height - 30 - 40;
  const values = series.flatMap((s) => s.points.map((p) => p.ms)).filter((v) => v > 0);
  if (values.length === 0) return out;
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const xs = (n) =>
    left +
    (ns.length === 1 ? plotW / 2 : ((Math.log10(n) - Math.log10(ns[0])) / (Math.log10(ns.at(-1)) - Math.log10(ns[0]))) * plotW);
  const ys = (v) => top + plotH - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo) || 1)) * plotH;
  for (let decade = lo; decade <= hi * 1.0001; decade *= 10) {
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${ys(decade).toFixed(1)}" y2="${ys(decade).toFixed(1)}" stroke="#e9ecef"/>`,
    );
    out.push(
      text(
        left - 6,
        ys(decade) + 4,
        `${decade >= 1 ? decade : decade.toPrecision(1)} ms`,
        'font-size="11" text-anchor="end" fill="#868e96"',
      ),
    );
  }
  for (const n of ns) {
    out.push(`<line x1="${xs(n).toFixed(1)}" x2="${xs(n).toFixed(1)}" y1="${top}" y2="${top + plotH}" stroke="#e9ecef"/>`);
    out.push(
      text(xs(n), top + plotH + 16, `N = ${n.toLocaleString('en-US')}`, 'font-size="11" text-anchor="middle" fill="#868e96"'),
    );
  }
  for (const s of series) {
    const pts = s.points.filter((p) => p.ms > 0);
    if (pts.length === 0) continue;
    const d = pts.map((p, i) => `${i ? 'L' : 'M'}${xs(p.n).toFixed(1)} ${ys(p.ms).toFixed(1)}`).join('');
    const width = s.name.startsWith('strata') ? 3 : 1.8;
    out.push(`<path d="${d}" stroke="${color(s.name)}" stroke-width="${width}"${dashed(s.name)} fill="none"/>`);
    for (const p of pts)
      out.push(`<circle cx="${xs(p.n).toFixed(1)}" cy="${ys(p.ms).toFixed(1)}" r="3" fill="${color(s.name)}"/>`);
  }
  // Legend under the plot.
  let lx = left;
  const ly = top + plotH + 32;
  for (const s of series) {
    out.push(
      `<line x1="${lx}" x2="${lx + 12}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color(s.name)}" stroke-width="3"${dashed(s.name)}/>`,
    );
    out.push(text(lx + 16, ly, s.name, 'font-size="11" fill="#343a40"'));
    lx += 28 + s.name.length * 6.5;
  }
  return out;
}

export function noopChart(results) {
  const growth = results.growth;
  if (!growth) return undefined;
  const ns = growth.ns;
  const series = (pick) =>
    Object.entries(growth.tools)
      .map(([name, t]) => ({ name, points: ns.map((n) => ({ n, ms: pick(t.byN[n]) ?? 0 })) }))
      .filter((s) => s.points.some((p) => p.ms > 0));
  const width = 760;
  const panelH = 320;
  const body = [
    ...linePanel(
      16,
      10,
      width - 32,
      panelH,
      'No-op in process: the migrate call with nothing pending (median)',
      series((m) => m?.inProcessMs?.median),
      ns,
    ),
    ...linePanel(
      16,
      10 + panelH + 20,
      width - 32,
      panelH,
      'No-op as a whole process: spawn to exit (minimal script; dbmate: its binary)',
      series((m) => m?.scriptMs?.median),
      ns,
    ),
  ];
  const y = 10 + 2 * panelH + 40;
  body.push(text(16, y, 'log–log; PostgreSQL; N = migrations already applied', 'font-size="11" fill="#868e96"'));
  return svgDocument(width, y + 14, body, 'no-op time against N per tool');
}

export function renderCharts(results) {
  const charts = {};
  const apply = applyChart(results);
  if (apply) charts.apply = apply;
  const noop = noopChart(results);
  if (noop) charts.noop = noop;
  return charts;
}
