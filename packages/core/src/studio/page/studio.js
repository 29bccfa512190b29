// strata studio's page: plain DOM, no framework, no network beyond its own JSON API.
const SVG_NS = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);
let state;

/** An element with attributes (`text` sets textContent, `data-*`/`aria-*` as given) and children. */
function el(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}
function svg(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}
function build(node, attrs, children) {
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else if (name === 'class') node.setAttribute('class', value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) node.append(child);
  }
  return node;
}

async function api(path, init = {}) {
  const response = await fetch(path, { credentials: 'same-origin', ...init });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.error?.message ?? `${response.status} ${response.statusText}`);
    error.code = body.error?.code;
    throw error;
  }
  return body;
}

function say(text, kind = 'info') {
  const message = $('message');
  message.hidden = false;
  message.dataset.kind = kind;
  message.textContent = text;
}

// --- SQL highlighting: a small tokenizer, enough to colour what migrations hold.
const KEYWORDS = new Set(
  `add all alter and as asc begin between by cascade case cast check column commit concurrently constraint create
  default deferrable delete desc distinct do drop else end enum exists extension foreign from function grant group
  having if in index inner insert into is join key language left like limit lock materialized not null nulls on or
  order outer primary procedure references rename replace restrict returning returns revoke rollback schema select
  sequence set table then to transaction trigger type union unique update using valid validate values view when
  where with without integer int bigint smallint serial bigserial text varchar char boolean bool timestamp
  timestamptz date time numeric decimal real double precision jsonb json uuid bytea blob`.split(/\s+/),
);
const TOKEN =
  /(--[^\n]*)|(\/\*[\s\S]*?(?:\*\/|$))|('(?:[^']|'')*'?)|("(?:[^"]|"")*"?)|(\$([A-Za-z_]\w*)?\$[\s\S]*?(?:\$\6\$|$))|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][\w$]*)|(\s+)|([\s\S])/g;

function tokenize(sql) {
  const tokens = [];
  for (const match of sql.matchAll(TOKEN)) {
    const [text] = match;
    let kind = 'plain';
    if (match[1] || match[2]) kind = 'comment';
    else if (match[3] || match[5]) kind = 'string';
    else if (match[4]) kind = 'ident';
    else if (match[7]) kind = 'number';
    else if (match[8] && KEYWORDS.has(text.toLowerCase())) kind = 'keyword';
    tokens.push({ kind, text });
  }
  return tokens;
}

/** Lines of highlighted SQL, each finding shown right under the line it is on. */
function codeBlock(sql, label, findings = []) {
  const lines = [[]];
  for (const token of tokenize(sql.replace(/\r\n/g, '\n'))) {
    token.text.split('\n').forEach((part, i) => {
      if (i > 0) lines.push([]);
      if (part) lines.at(-1).push(token.kind === 'plain' ? part : el('span', { class: `tok-${token.kind}`, text: part }));
    });
  }
  if (lines.length > 1 && lines.at(-1).length === 0) lines.pop();
  const block = el('div', { class: 'code', role: 'region', 'aria-label': label, tabindex: 0 });
  lines.forEach((parts, i) => {
    const number = i + 1;
    const here = findings.filter((finding) => finding.line === number);
    block.append(
      el(
        'div',
        { class: 'line', 'data-line': number, 'data-flagged': here.length > 0 },
        el('span', { class: 'ln', 'aria-hidden': 'true', text: number }),
        parts,
      ),
    );
    for (const finding of here) {
      block.append(
        el(
          'div',
          { class: 'finding', role: 'note', 'data-line': number, 'data-rule': finding.rule, 'data-severity': finding.severity },
          el('strong', { text: `${finding.severity} ${finding.rule}` }),
          el('span', { text: `line ${number}, column ${finding.column}: ${finding.message}` }),
          el('span', { class: 'fix', text: `Fix: ${finding.fix}` }),
        ),
      );
    }
  });
  return block;
}

// --- the timeline
const STATE_NOTES = {
  dirty: 'Dirty: it started outside a transaction and did not finish. Check what of it took effect, then resolve it.',
  modified: 'Modified: the file changed after it was applied (its checksum differs).',
  missing: 'Missing: applied, but its file is gone from the migrations directory.',
  future: 'Future: applied by a newer release; this release leaves it alone with --future ignore.',
};

function clip(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function formatMs(ms) {
  if (ms === null || ms === undefined) return '';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms < 10 ? ms.toFixed(2) : Math.round(ms)} ms`;
}

function renderTimeline() {
  const list = $('timeline');
  list.replaceChildren();
  const counts = {};
  for (const migration of state.migrations) {
    counts[migration.state] = (counts[migration.state] ?? 0) + 1;
    list.append(migrationItem(migration));
  }
  const order = ['applied', 'pending', 'dirty', 'modified', 'missing', 'future'];
  $('summary').textContent =
    state.migrations.length === 0
      ? 'No migrations yet.'
      : order
          .filter((s) => counts[s])
          .map((s) => `${counts[s]} ${s}`)
          .join(', ');
  $('lint-note').hidden = !state.lint.error;
  $('lint-note').textContent = state.lint.error ? `Lint did not run: ${state.lint.error}` : '';
}

function migrationItem(migration) {
  const errors = migration.findings.filter((f) => f.severity === 'error').length;
  const summary = el(
    'summary',
    {},
    el('span', { class: `badge state-${migration.state}`, text: migration.state }),
    el('span', { class: 'version', text: migration.version }),
    el('span', { class: 'description', text: migration.description || '(no description)' }),
    el('span', {
      class: 'meta',
      text: [
        migration.installedOn ? new Date(migration.installedOn).toISOString().replace('T', ' ').slice(0, 19) : '',
        formatMs(migration.executionTimeMs),
        migration.transactional === false ? 'no transaction' : '',
      ]
        .filter(Boolean)
        .join(' · '),
    }),
    migration.findings.length > 0 &&
      el('span', {
        class: 'finding-count',
        'data-severity': errors > 0 ? 'error' : 'warning',
        text: `${migration.findings.length} lint finding${migration.findings.length === 1 ? '' : 's'}`,
      }),
  );
  const body = el('div', { class: 'body' });
  if (STATE_NOTES[migration.state]) {
    const callout = el('div', { class: 'callout', role: 'note' }, el('span', { text: STATE_NOTES[migration.state] }));
    if (migration.state === 'dirty' && state.allowWrite) {
      callout.append(
        el(
          'div',
          { class: 'row' },
          el('button', { type: 'button', 'data-resolve': 'applied', text: 'Mark applied…' }),
          el('button', { type: 'button', 'data-resolve': 'rolled-back', text: 'Mark rolled back…' }),
        ),
      );
      for (const button of callout.querySelectorAll('button')) {
        button.addEventListener('click', () =>
          confirmAction('resolve', `Resolve migration ${migration.version}`, {
            version: migration.version,
            resolution: button.dataset.resolve,
          }),
        );
      }
    }
    body.append(callout);
  }
  if (migration.up !== null) {
    body.append(
      el('h3', { text: `Up: ${migration.upFile ?? 'up script'}` }),
      codeBlock(migration.up, `up script of ${migration.version}`, migration.findings),
    );
    body.append(
      el('h3', { text: `Down: ${migration.downFile ?? (migration.down === null ? 'none' : 'down script')}` }),
      migration.down === null
        ? el('p', { class: 'note', text: 'No down script: this migration cannot be reverted.' })
        : codeBlock(migration.down, `down script of ${migration.version}`),
    );
  }
  const open = migration.findings.length > 0 || ['pending', 'dirty', 'modified'].includes(migration.state);
  return el(
    'li',
    { class: 'migration', 'data-version': migration.version, 'data-state': migration.state },
    el('details', { open }, summary, body),
  );
}

// --- durations: one bar per applied migration; the slow ones stand out.
function renderDurations() {
  const timed = state.migrations.filter((m) => m.executionTimeMs !== null);
  const host = $('durations');
  if (timed.length === 0) {
    host.replaceChildren(el('p', { class: 'note', text: 'Nothing applied yet: no durations to show.' }));
    return;
  }
  const sorted = timed.map((m) => m.executionTimeMs).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const max = Math.max(...sorted, 0.001);
  const row = 22;
  const labelWidth = 250;
  const width = 640;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${timed.length * row + 8}`,
    width,
    role: 'img',
    'aria-labelledby': 'durations-title',
  });
  chart.append(svg('title', { id: 'durations-title', text: `Execution time of ${timed.length} applied migrations` }));
  timed.forEach((migration, i) => {
    const y = i * row + 4;
    const ms = migration.executionTimeMs;
    const slow = timed.length > 2 && ms > Math.max(median * 4, 50);
    const barWidth = Math.max(2, ((width - labelWidth - 80) * ms) / max);
    chart.append(
      svg(
        'g',
        { 'data-version': migration.version },
        svg('title', { text: `${migration.version} ${migration.description}: ${formatMs(ms)}${slow ? ' (slow)' : ''}` }),
        svg('text', { class: 'axis-label', x: 0, y: y + 14, text: clip(`${migration.version} ${migration.description}`, 32) }),
        svg('rect', { class: slow ? 'bar slow' : 'bar', x: labelWidth, y: y + 3, width: barWidth, height: row - 8, rx: 2 }),
        svg('text', { class: 'axis-label', x: labelWidth + barWidth + 6, y: y + 14, text: formatMs(ms) }),
      ),
    );
  });
  host.replaceChildren(chart);
}

// --- the ER diagram: tables in columns, each after the tables it references; foreign keys as curves.
const BOX_WIDTH = 230;
const HEAD = 26;
const ROW = 18;
const GAP_X = 90;
const GAP_Y = 28;
const MAX_OTHER_COLUMNS = 6;

function renderSchema(schema) {
  const tables = schema.tables;
  const key = (schemaName, name) => `${schemaName}.${name}`;
  const byKey = new Map(tables.map((t) => [key(t.schema, t.name), t]));
  const label = (t) => (t.schema === schema.defaultSchema ? t.name : `${t.schema}.${t.name}`);
  const level = new Map();
  const levelOf = (t, seen = new Set()) => {
    const k = key(t.schema, t.name);
    if (level.has(k)) return level.get(k);
    if (seen.has(k)) return 0;
    seen.add(k);
    const parents = t.foreignKeys
      .map((fk) => byKey.get(key(fk.references.schema, fk.references.table)))
      .filter((p) => p && p !== t);
    const value = parents.length === 0 ? 0 : 1 + Math.max(...parents.map((p) => levelOf(p, seen)));
    level.set(k, value);
    return value;
  };
  const columns = [];
  for (const t of tables) {
    const at = levelOf(t);
    columns[at] = [...(columns[at] ?? []), t];
  }
  const boxes = new Map();
  let height = 0;
  columns.forEach((group, x) => {
    let y = 16;
    for (const t of group ?? []) {
      const keys = t.columns.filter((c) => c.primaryKey || c.foreignKey);
      const others = t.columns.filter((c) => !c.primaryKey && !c.foreignKey);
      const shown = [...keys, ...others.slice(0, MAX_OTHER_COLUMNS)];
      const more = others.length - Math.min(others.length, MAX_OTHER_COLUMNS);
      const boxHeight = HEAD + (shown.length + (more > 0 ? 1 : 0)) * ROW + 6;
      boxes.set(key(t.schema, t.name), { table: t, x: 16 + x * (BOX_WIDTH + GAP_X), y, shown, more, height: boxHeight });
      y += boxHeight + GAP_Y;
    }
    height = Math.max(height, y);
  });
  const width = 32 + columns.length * BOX_WIDTH + Math.max(0, columns.length - 1) * GAP_X + 40;
  const relations = tables.flatMap((t) =>
    t.foreignKeys.map((fk) => ({
      from: t,
      to: byKey.get(key(fk.references.schema, fk.references.table)),
      fk,
      text: `${label(t)}.${fk.columns.join(', ')} → ${fk.references.schema === schema.defaultSchema ? '' : `${fk.references.schema}.`}${fk.references.table}.${fk.references.columns.join(', ')}`,
    })),
  );
  const diagram = svg('svg', {
    viewBox: `0 0 ${Math.max(width, 200)} ${Math.max(height, 60)}`,
    width: Math.max(width, 200),
    role: 'img',
    'aria-labelledby': 'er-title er-desc',
  });
  diagram.append(
    svg('title', { id: 'er-title', text: `Entity-relationship diagram: ${tables.length} tables` }),
    svg('desc', { id: 'er-desc', text: relations.map((r) => r.text).join('; ') || 'No foreign keys.' }),
    svg(
      'defs',
      {},
      svg(
        'marker',
        { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#44617f' }),
      ),
    ),
  );
  for (const r of relations) {
    const from = boxes.get(key(r.from.schema, r.from.name));
    const to = r.to && boxes.get(key(r.to.schema, r.to.name));
    if (!from || !to) continue;
    const row = Math.max(
      0,
      from.shown.findIndex((c) => c.name === r.fk.columns[0]),
    );
    const y1 = from.y + HEAD + row * ROW + ROW / 2 + 2;
    const y2 = to.y + HEAD / 2;
    let d;
    if (from === to) {
      const x = from.x + BOX_WIDTH;
      d = `M${x},${y1} C${x + 50},${y1} ${x + 50},${y2} ${x},${y2}`;
    } else {
      const x1 = from.x;
      const x2 = to.x + BOX_WIDTH;
      const bend = Math.max(40, Math.abs(x1 - x2) / 2);
      d = `M${x1},${y1} C${x1 - bend},${y1} ${x2 + bend},${y2} ${x2},${y2}`;
    }
    diagram.append(
      svg(
        'path',
        { class: 'fk', d, 'marker-end': 'url(#arrow)', 'data-from': r.from.name, 'data-to': r.to.name },
        svg('title', { text: r.text }),
      ),
    );
  }
  for (const box of boxes.values()) {
    const t = box.table;
    const group = svg('g', {
      class: `er-table${t.drift ? ` drift-${t.drift}` : ''}`,
      'data-table': t.name,
      transform: `translate(${box.x},${box.y})`,
    });
    group.append(
      svg('title', { text: `${label(t)}${t.drift ? ` (drift: ${t.drift})` : ''}` }),
      svg('rect', { class: 'frame', width: BOX_WIDTH, height: box.height, rx: 4 }),
      svg('rect', { class: 'head', width: BOX_WIDTH, height: HEAD, rx: 4 }),
      svg('text', { class: 'name', x: 10, y: 17, text: `${label(t)}${t.drift ? ` · ${t.drift}` : ''}` }),
    );
    box.shown.forEach((column, i) => {
      const y = HEAD + i * ROW + 15;
      const mark = [column.primaryKey ? 'PK' : '', column.foreignKey ? 'FK' : ''].filter(Boolean).join(' ');
      group.append(
        svg('text', { class: 'key', x: 8, y, text: mark }),
        svg('text', { x: 50, y, 'data-column': column.name, text: clip(`${column.name} ${column.type}`, 24) }),
      );
    });
    if (box.more > 0) group.append(svg('text', { x: 50, y: HEAD + box.shown.length * ROW + 15, text: `+${box.more} more` }));
    diagram.append(group);
  }
  $('diagram').replaceChildren(tables.length === 0 ? el('p', { class: 'note', text: 'No tables yet.' }) : diagram);
  $('relations').replaceChildren(...relations.map((r) => el('li', { text: r.text })));
  if (relations.length === 0) $('relations').append(el('li', { text: 'none' }));
  renderDrift(schema.drift);
}

function renderDrift(drift) {
  const host = $('drift');
  if (!drift) {
    host.replaceChildren();
    return;
  }
  if (!drift.drift) {
    host.replaceChildren(
      el('p', {
        class: 'message',
        text: `No drift: the schema is what the migrations applied through ${drift.appliedThrough ?? 'none'} make.`,
      }),
    );
    return;
  }
  host.replaceChildren(
    el(
      'div',
      { class: 'callout', role: 'note' },
      el('strong', { text: `Drift: ${drift.differences.length} difference(s) from what the applied migrations make` }),
    ),
    el(
      'ul',
      { class: 'relations' },
      drift.differences.map((d) =>
        el('li', { text: `${d.change} ${d.kind} ${d.name}${d.details.length ? `: ${d.details.join('; ')}` : ''}` }),
      ),
    ),
  );
}

// --- the fleet table
let fleetRows = [];
function renderFleet() {
  const text = $('fleet-filter').value.trim().toLowerCase();
  const which = $('fleet-state').value;
  const shown = fleetRows.filter(
    (row) =>
      row.target.toLowerCase().includes(text) &&
      (which === 'all' || (which === 'failed' ? row.outcome === 'failed' : row[which] > 0)),
  );
  $('fleet-caption').textContent = `${shown.length} of ${fleetRows.length} targets`;
  $('fleet').tBodies[0].replaceChildren(
    ...shown.map((row) =>
      el(
        'tr',
        { 'data-target': row.target },
        el('th', { scope: 'row', text: row.target }),
        el('td', { class: 'num', text: row.applied }),
        el('td', { class: 'num', text: row.pending }),
        el('td', { class: 'num', text: row.dirty }),
        el('td', { class: 'num', text: row.other }),
        el('td', { text: row.error ? `${row.outcome}: ${row.error}` : row.outcome }),
      ),
    ),
  );
}

// --- actions: plan first, then confirm, then act, then show the new state.
async function confirmAction(action, title, input = {}) {
  let plan;
  try {
    const query = new URLSearchParams(input).toString();
    plan = await api(`/api/plan/${action}${query ? `?${query}` : ''}`);
  } catch (error) {
    say(`${title}: ${error.message}`, 'error');
    return;
  }
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  const nothing = action !== 'resolve' && plan.steps.length === 0;
  $('confirm-plan').textContent = nothing ? `Nothing to ${action === 'run' ? 'apply' : 'revert'}.` : plan.text;
  $('confirm-ok').disabled = nothing;
  dialog.showModal();
  (nothing ? $('confirm-cancel') : $('confirm-ok')).focus();
  const confirmed = await new Promise((resolve) => {
    const done = (value) => {
      $('confirm-ok').onclick = null;
      $('confirm-cancel').onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(value);
    };
    $('confirm-ok').onclick = () => done(true);
    $('confirm-cancel').onclick = () => done(false);
    dialog.onclose = () => done(false);
  });
  if (!confirmed) return;
  try {
    const result = await api(`/api/actions/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const verb = { run: 'Applied', revert: 'Reverted', resolve: 'Resolved' }[action];
    say(result.versions.length > 0 ? `${verb} ${result.versions.join(', ')}.` : `${verb} nothing: there was nothing to do.`);
  } catch (error) {
    say(`${title} failed: ${error.code ? `${error.code}: ` : ''}${error.message}`, 'error');
  }
  await refresh();
}

function renderLock() {
  const lock = $('lock');
  lock.dataset.state = state.lock.state;
  const h = state.lock.holder;
  lock.textContent =
    state.lock.state === 'free'
      ? 'Lock: free'
      : state.lock.state === 'held'
        ? `Lock: held by ${h.pid !== null ? `pid ${h.pid}` : 'another session'}${h.applicationName ? ` "${h.applicationName}"` : ''}${h.hostname ? ` on ${h.hostname}` : ''}${h.since ? ` since ${new Date(h.since).toISOString().replace('T', ' ').slice(0, 19)} UTC` : ''}`
        : 'Lock: cannot be told without waiting for it';
}

/** Counts the refreshes started, so a lock poll sent before the latest one cannot overwrite its answer. */
let refreshesStarted = 0;

async function refresh() {
  refreshesStarted++;
  try {
    state = await api('/api/state');
  } catch (error) {
    say(`Cannot read the state: ${error.message}`, 'error');
    document.body.dataset.ready = 'error';
    return;
  }
  $('database').textContent = `${state.database} · history in ${state.historyTable}`;
  $('actions').hidden = !state.allowWrite;
  $('read-only').hidden = state.allowWrite;
  renderLock();
  renderTimeline();
  renderDurations();
  $('nav-fleet').hidden = !state.fleet;
  $('fleet-section').hidden = !state.fleet;
  const pending = [
    api('/api/schema').then(renderSchema, (error) =>
      $('diagram').replaceChildren(el('p', { class: 'note', text: `Cannot read the schema: ${error.message}` })),
    ),
  ];
  if (state.fleet) {
    pending.push(
      api('/api/fleet').then(
        (body) => {
          fleetRows = body.targets;
          renderFleet();
        },
        (error) => say(`Cannot read the fleet: ${error.message}`, 'error'),
      ),
    );
  }
  await Promise.all(pending);
  document.body.dataset.ready = 'true';
}

$('action-run').addEventListener('click', () => confirmAction('run', 'Run pending migrations'));
$('action-revert').addEventListener('click', () => confirmAction('revert', 'Revert one step'));
$('refresh').addEventListener('click', () => {
  document.body.dataset.ready = 'false';
  refresh();
});
$('fleet-filter').addEventListener('input', renderFleet);
$('fleet-state').addEventListener('change', renderFleet);
// The lock changes while nobody clicks (a deploy starts): it is asked again every few seconds.
const LOCK_POLL_MS = 5_000;
setInterval(async () => {
  if (!state || document.hidden) return;
  const sentAfter = refreshesStarted;
  try {
    const lock = await api('/api/lock');
    // A refresh started meanwhile asked later: its answer stands, not this older one.
    if (sentAfter !== refreshesStarted) return;
    state.lock = lock;
    renderLock();
  } catch {
    // The next refresh says what is wrong; a missed poll is not worth a message.
  }
}, LOCK_POLL_MS);
// The token came in the URL; the cookie now carries it, so it leaves the address bar (and the history).
if (location.search.includes('token=')) history.replaceState(null, '', location.pathname);
refresh();
