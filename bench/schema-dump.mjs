/**
 * How long `strata schema dump` and `strata types` take on a 300-table PostgreSQL schema (issue
 * 16's target: under 1 s each). Builds the schema once in a scratch database (tables with identity
 * keys, foreign keys, checks, defaults, comments, two indexes each; a view per 10 tables, a trigger
 * per 5, an enum and a domain), then measures, each as the median of --runs runs (and the min/max):
 *
 * - the whole command, as a user runs it: `strata schema dump --out FILE` and `strata types --out
 *   FILE`, a new Node process each time (start-up, connection, catalog read, rendering, the write);
 *   beside it `strata --version`, the process start alone; wall time, and the strata process's CPU
 *   time (user + system, from sh's `times`);
 * - in process, on a new pool each time (connect + a cold backend): read + render, for each;
 * - in process, split: the catalog read alone on a warm pool, each catalog query alone, and the SQL
 *   and TypeScript rendering alone on a model read once.
 *
 * The machine's load average is printed before and after: on a shared box the figures move with it.
 *   npm run build && node bench/schema-dump.mjs [--tables N] [--runs N]
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { readDatabaseSchema, renderSchema, renderTypeScript } from '@strata/core/schema';
import pg from 'pg';
import { adminUrl, createDatabase, databaseName, dropDatabase, redact } from './lib/postgres.mjs';

const STRATA = fileURLToPath(new URL('../packages/core/bin/strata.js', import.meta.url));
const run = promisify(execFile);

const { values } = parseArgs({ options: { tables: { type: 'string', default: '300' }, runs: { type: 'string', default: '7' } } });
const tables = Number(values.tables);
const runs = Number(values.runs);

function ddl(count) {
  const parts = [
    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');",
    'CREATE DOMAIN positive AS integer CHECK (VALUE > 0);',
    'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;',
  ];
  for (let i = 0; i < count; i++) {
    const t = `t${String(i).padStart(3, '0')}`;
    const parent = i === 0 ? '' : `, parent_id bigint REFERENCES t${String(i - 1).padStart(3, '0')} (id)`;
    parts.push(
      `CREATE TABLE ${t} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL DEFAULT '', ` +
        `feeling mood, size positive, amount numeric(12,2) CHECK (amount >= 0), tags text[], ` +
        `created timestamptz NOT NULL DEFAULT now()${parent}, UNIQUE (name, created));`,
      `COMMENT ON TABLE ${t} IS 'table ${i}';`,
      `CREATE INDEX ${t}_lower ON ${t} (lower(name)) WHERE amount > 0;`,
    );
    if (i % 10 === 0) parts.push(`CREATE VIEW v${t} AS SELECT id, name FROM ${t};`);
    if (i % 5 === 0) parts.push(`CREATE TRIGGER ${t}_touch BEFORE UPDATE ON ${t} FOR EACH ROW EXECUTE FUNCTION touch();`);
  }
  return parts.join('\n');
}

/** Median, min and max of `runs` timings of `once` (ms), rounded to 0.1 ms. */
async function timed(once) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await once();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const round = (ms) => Math.round(ms * 10) / 10;
  return { median: round(times[Math.floor(times.length / 2)]), min: round(times[0]), max: round(times.at(-1)) };
}

const load = () => os.loadavg().map((n) => Number(n.toFixed(2)));
const loadBefore = load();
const name = databaseName(`schema_dump_${tables}`);
const url = await createDatabase(name);
const dir = await mkdtemp(join(os.tmpdir(), 'strata-bench-schema-'));
try {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(ddl(tables));
  await setup.end();

  const env = { ...process.env, DATABASE_URL: url, NO_COLOR: '1' };
  // Through sh, whose `times` then prints the CPU time its child (the strata process) used.
  const cpu = new Map();
  const cli =
    (...args) =>
    async () => {
      const script = '"$0" "$@" >/dev/null; times';
      const { stdout } = await run('/bin/sh', ['-c', script, process.execPath, STRATA, ...args], { env, cwd: dir });
      const [user, system] = [
        ...stdout
          .trim()
          .split('\n')
          .at(-1)
          .matchAll(/(\d+)m([\d.]+)s/g),
      ].map((m) => Number(m[1]) * 60_000 + Number(m[2]) * 1000);
      cpu.set(args[0], [...(cpu.get(args[0]) ?? []), user + system]);
    };
  // Warm the server's catalog cache and the file system once, outside the timings.
  await cli('schema', 'dump', '--out', join(dir, 'schema.sql'))();

  const command = {
    processStart: await timed(cli('--version')),
    schemaDump: await timed(cli('schema', 'dump', '--out', join(dir, 'schema.sql'))),
    types: await timed(cli('types', '--out', join(dir, 'types.ts'))),
  };
  // The process's own CPU time (not the server's), median of the timed runs (the warm-up run dropped).
  for (const [key, first] of [
    ['processStart', '--version'],
    ['schemaDump', 'schema'],
    ['types', 'types'],
  ]) {
    const times = cpu
      .get(first)
      .slice(-runs)
      .sort((a, b) => a - b);
    command[key].cpuMedian = Math.round(times[Math.floor(times.length / 2)]);
  }

  const onNewPool = (render) => async () => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      render(await readDatabaseSchema(pool));
    } finally {
      await pool.end();
    }
  };
  const inProcess = {
    schemaDump: await timed(onNewPool((model) => renderSchema(model, 'sql'))),
    types: await timed(onNewPool((model) => renderTypeScript(model))),
  };

  // The read on one warm connection whose queries are timed one by one (the reader's own, in its
  // order), and the server backend's CPU time for the whole read when the server is on this machine
  // (/proc/PID/stat): CPU time moves less with the machine's load than the wall clock does.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const query = client.query.bind(client);
  let perQuery = [];
  client.query = (...args) => {
    const started = performance.now();
    const pending = query(...args);
    const sql = typeof args[0] === 'string' ? args[0] : args[0].text;
    pending.then(() => perQuery.push({ sql, ms: performance.now() - started }));
    return pending;
  };
  const backend = (await query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const backendCpuMs = () => {
    try {
      const fields = readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in 100 Hz ticks
    } catch {
      return Number.NaN; // a server elsewhere
    }
  };
  let model;
  const byQuery = new Map();
  const backendCpu = [];
  const readWarm = await timed(async () => {
    perQuery = [];
    const cpuBefore = backendCpuMs();
    model = await readDatabaseSchema(client);
    backendCpu.push(backendCpuMs() - cpuBefore);
    for (const { sql, ms } of perQuery.filter((q) => /^\s*SELECT/i.test(q.sql))) {
      const label = sql.trim().split('\n')[0].slice(0, 60);
      byQuery.set(label, [...(byQuery.get(label) ?? []), ms]);
    }
  });
  await client.end();
  const median = (xs) => Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] * 10) / 10;
  const split = {
    readCatalogsWarmPool: readWarm,
    readBackendCpuMedian: median(backendCpu),
    eachQueryMedian: Object.fromEntries([...byQuery].map(([label, times]) => [label, median(times)])),
    renderSql: await timed(() => renderSchema(model, 'sql')),
    renderTypeScript: await timed(() => renderTypeScript(model)),
  };

  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  const { rows } = await admin.query("SELECT current_setting('server_version') AS v");
  await admin.end();
  const result = {
    server: `PostgreSQL ${rows[0].v} at ${redact(adminUrl())}`,
    node: process.version,
    tables: model.tables.length,
    views: model.views.length,
    indexes: model.indexes.length,
    runs,
    sqlBytes: renderSchema(model, 'sql').length,
    typescriptBytes: renderTypeScript(model).length,
    ms: { command, inProcess, split },
    cpus: os.cpus().length,
    loadAverageBefore: loadBefore,
    loadAverageAfter: load(),
    target: 'strata schema dump and strata types under 1000 ms each (median of the whole command)',
    met: command.schemaDump.median < 1000 && command.types.median < 1000,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
  await dropDatabase(name);
}
