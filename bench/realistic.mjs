/**
 * Issue 21's whole-process figures, paired run by run on the same machine at the same moment:
 *   apply: the realistic corpus (lib/corpus.mjs, ~300 migrations shaped like a real project) onto
 *     a fresh PostgreSQL database by `strata run` against the psql floor (lib/psql-floor.mjs), both
 *     spawn to exit; in process, Migrator.run() against a pg loop sending each file between BEGIN
 *     and COMMIT on one connection. The CLI runs under lib/phase-probe.mjs, which says where its
 *     time goes (node start-up, imports, connecting, reading the source, the run, the exit).
 *   noop: `strata run` with 1,000 migrations applied, against `node -e ''` and `psql -c 'select 1'`.
 *   --baseline-bin OTHER/bin/strata.js: another build's CLI (the code before a change) in both, run by run.
 *   npm run build && node bench/realistic.mjs [--only apply|noop] [--runs 5] [--migrations 300]
 *     [--layout diesel|sqlx] [--applied 1000] [--noop-runs 10] [--baseline-bin OTHER/bin/strata.js]
 * Prints one JSON document (medians, min–max, ratios taken run by run, the load average).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Migrator } from '@strata/core';
import pg from 'pg';
import { corpusShape, realisticCorpus, writeCorpus } from './lib/corpus.mjs';
import { migrationsDir } from './lib/migrations.mjs';
import { adminUrl, createDatabase, databaseName, dropDatabase, dropStaleDatabases, queryRows } from './lib/postgres.mjs';
import { BENCH_DIR } from './lib/processes.mjs';
import { psqlArgs, writePsqlScript } from './lib/psql-floor.mjs';
import { readSql } from './lib/sql-files.mjs';
import { summarize } from './lib/stats.mjs';
import strata from './tools/strata.mjs';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string', default: '5' },
    migrations: { type: 'string', default: '300' },
    layout: { type: 'string', default: 'diesel' },
    applied: { type: 'string', default: '1000' },
    'noop-runs': { type: 'string', default: '10' },
    // Another build's bin (the code before a change) measured beside this one, run by run.
    'baseline-bin': { type: 'string' },
  },
});
const runs = Number(values.runs);
const PROBE = join(BENCH_DIR, 'lib', 'phase-probe.mjs');
const load = () => os.loadavg().map((n) => Number(n.toFixed(2)));
const log = (message) => process.stderr.write(`[realistic] ${message}\n`);

/** Spawn to exit; with `probe`, the CLI's phase marks come back on fd 3. */
function spawnTimed(command, args, { env = {}, probe = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: BENCH_DIR,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe', probe ? 'pipe' : 'ignore'],
    });
    let stderr = '';
    let marks = '';
    child.stdout.resume();
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    if (probe) child.stdio[3].on('data', (chunk) => (marks += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(0, 800)}`));
      resolve({ wallMs, marks: marks ? JSON.parse(marks.trim().split('\n').at(-1)) : undefined });
    });
  });
}

/** The list started at a different place each round, so no one always runs first or last. */
const rotate = (list, round) => list.map((_, i) => list[(i + round) % list.length]);

const rounded = (n) => (n === undefined ? undefined : Number(n.toFixed(1)));

/** The probe's marks turned into consecutive phases of one CLI process (ms). */
function phases(marks, wallMs) {
  const connects = marks.connects.filter((c) => c.end);
  // The CLI starts its connection as soon as pg has loaded, while the engine's modules still load:
  // the imports run up to the source read, and only the part of connecting that outlasts the
  // read (or precedes a read that never came) is time the process spends waiting for it.
  const firstWork = marks.sourceFirst ?? connects[0]?.start ?? Number.POSITIVE_INFINITY;
  const readEnd = marks.sourceLast ?? 0;
  const pg = marks.pgFirst === undefined ? 0 : marks.pgLoaded - marks.pgFirst;
  return {
    nodeStart: rounded(marks.userCode),
    // The CLI's own modules, its configuration and the engine's (pg apart), up to the first read of a file.
    imports: rounded(firstWork - marks.userCode - pg),
    importPg: rounded(pg),
    connecting: rounded(connects.reduce((sum, c) => sum + (c.end - c.start), 0)),
    connectingNotOverlapped: rounded(connects.reduce((sum, c) => sum + Math.max(0, c.end - Math.max(c.start, readEnd)), 0)),
    connections: marks.connects.length,
    readingSource: rounded(marks.sourceLast - marks.sourceFirst),
    run: rounded(marks.lastQueryEnd - Math.max(marks.sourceLast ?? 0, connects[0]?.end ?? 0)),
    exit: rounded(marks.exit - marks.lastQueryEnd),
    spawnToExit: rounded(wallMs),
    queries: marks.queries,
  };
}

function summarizePhases(list) {
  return Object.fromEntries(Object.keys(list[0]).map((key) => [key, summarize(list.map((entry) => entry[key]))]));
}

async function freshDatabase(tag) {
  const name = databaseName(tag);
  return { name, url: await createDatabase(name) };
}

async function tableCount(url) {
  const [{ n }] = await queryRows(
    url,
    "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_strata_migrations'",
  );
  return n;
}

/** In process, the floor: one connection, each file sent between BEGIN and COMMIT (bare when not transactional). */
async function pgLoop(url, files) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  for (const file of files) {
    const sql = await readSql(file.path);
    if (!file.transactional) {
      await client.query(sql);
      continue;
    }
    await client.query('BEGIN');
    await client.query(sql);
    await client.query('COMMIT');
  }
  const ms = performance.now() - started;
  await client.end();
  return ms;
}

async function strataInProcess(url, dir) {
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', () => {});
  await pool.query('SELECT 1');
  const started = performance.now();
  await new Migrator({ db: pool, migrations: dir }).run();
  const ms = performance.now() - started;
  await pool.end();
  return ms;
}

async function applyWorkload(tmp) {
  const migrations = realisticCorpus({ count: Number(values.migrations) });
  const dir = join(tmp, `realistic-${values.layout}`);
  const files = await writeCorpus(dir, migrations, values.layout);
  const script = await writePsqlScript(join(tmp, 'floor.sql'), files);
  const cli = (url) => strata.cli({ dialect: 'postgres', url, dir });
  const samples = {
    strataCli: [],
    psql: [],
    ratio: [],
    strataInProcess: [],
    pgLoop: [],
    ratioInProcess: [],
    phases: [],
    load: [],
    before: [],
    beforeRatio: [],
    afterOverBefore: [],
  };
  let expectedTables;
  for (let round = 0; round <= runs; round++) {
    // With --baseline-bin, the other build's `strata run` takes its turn too.
    const order = rotate(['strata', 'psql', ...(values['baseline-bin'] ? ['before'] : [])], round);
    const got = {};
    for (const which of order) {
      const db = await freshDatabase(`real_${which}`);
      if (which === 'strata') {
        const command = cli(db.url);
        const result = await spawnTimed(command.command, ['--import', PROBE, ...command.args], {
          probe: true,
          env: { BENCH_PROBE_SOURCE: dir },
        });
        got.strata = result.wallMs;
        got.phases = phases(result.marks, result.wallMs);
      } else if (which === 'before') {
        const command = cli(db.url);
        // Probed as this build's run is, so the two are timed alike.
        const args = ['--import', PROBE, values['baseline-bin'], ...command.args.slice(1)];
        got.before = (await spawnTimed(command.command, args, { probe: true, env: { BENCH_PROBE_SOURCE: dir } })).wallMs;
      } else {
        got.psql = (await spawnTimed('psql', psqlArgs(db.url, script))).wallMs;
      }
      const tables = await tableCount(db.url);
      expectedTables ??= tables;
      if (tables !== expectedTables) throw new Error(`${which} left ${tables} tables, expected ${expectedTables}`);
      await dropDatabase(db.name);
    }
    for (const which of round % 2 === 0 ? ['lib', 'loop'] : ['loop', 'lib']) {
      const db = await freshDatabase(`real_${which}`);
      got[which] = which === 'lib' ? await strataInProcess(db.url, dir) : await pgLoop(db.url, files);
      await dropDatabase(db.name);
    }
    log(
      `apply round ${round}${round === 0 ? ' (warm-up)' : ''}: strata run ${got.strata.toFixed(0)} ms${got.before === undefined ? '' : ` (before ${got.before.toFixed(0)})`}, psql ${got.psql.toFixed(0)} ms; in process ${got.lib.toFixed(0)} vs ${got.loop.toFixed(0)} ms; load ${load().join(' ')}`,
    );
    if (round === 0) continue;
    samples.strataCli.push(got.strata);
    samples.psql.push(got.psql);
    samples.ratio.push(got.strata / got.psql);
    samples.strataInProcess.push(got.lib);
    samples.pgLoop.push(got.loop);
    samples.ratioInProcess.push(got.lib / got.loop);
    if (got.before !== undefined) {
      samples.before.push(got.before);
      samples.beforeRatio.push(got.before / got.psql);
      samples.afterOverBefore.push(got.strata / got.before);
    }
    samples.phases.push(got.phases);
    samples.load.push(load()[0]);
  }
  const psqlStart = [];
  for (let i = 0; i < runs; i++) {
    psqlStart.push((await spawnTimed('psql', ['-X', '-q', '-d', adminUrl(), '-c', ''])).wallMs);
  }
  return {
    corpus: { ...corpusShape(migrations), layout: values.layout, tables: expectedTables },
    wholeProcess: {
      strataRun: summarize(samples.strataCli),
      psqlFloor: summarize(samples.psql),
      strataOverPsql: summarize(samples.ratio),
      psqlStartConnectExit: summarize(psqlStart),
      ...(samples.before.length > 0
        ? {
            baselineRun: summarize(samples.before),
            baselineOverPsql: summarize(samples.beforeRatio),
            strataOverBaseline: summarize(samples.afterOverBefore),
          }
        : {}),
    },
    inProcess: {
      migratorRun: summarize(samples.strataInProcess),
      pgLoop: summarize(samples.pgLoop),
      strataOverLoop: summarize(samples.ratioInProcess),
    },
    strataPhases: summarizePhases(samples.phases),
    loadAverage1m: summarize(samples.load),
  };
}

async function noopWorkload(tmp) {
  const n = Number(values.applied);
  const dir = await migrationsDir(tmp, 'growth', n, 'plain');
  const db = await freshDatabase('real_noop');
  const command = strata.cli({ dialect: 'postgres', url: db.url, dir });
  await spawnTimed(command.command, command.args);
  const samples = {
    strata: [],
    node: [],
    psql: [],
    ratio: [],
    phases: [],
    load: [],
    baseline: [],
    baselineRatio: [],
    afterOverBefore: [],
  };
  const baseline = values['baseline-bin'];
  for (let round = 0; round <= Number(values['noop-runs']); round++) {
    const got = {};
    const steps = {
      strata: async () => {
        const result = await spawnTimed(command.command, ['--import', PROBE, ...command.args], {
          probe: true,
          env: { BENCH_PROBE_SOURCE: dir },
        });
        got.strata = result.wallMs;
        got.phases = phases(result.marks, result.wallMs);
      },
      node: async () => {
        got.node = (await spawnTimed(process.execPath, ['-e', ''])).wallMs;
      },
      psql: async () => {
        got.psql = (await spawnTimed('psql', ['-X', '-q', '-d', db.url, '-c', 'select 1'])).wallMs;
      },
    };
    const names = Object.keys(steps);
    for (let i = 0; i < names.length; i++) await steps[names[(i + round) % names.length]]();
    // The probe costs a little itself: the ratio is taken on a run without it.
    const timedRuns = [
      ['plain', command.args],
      ['empty', ['-e', '']],
      ...(baseline ? [['before', [baseline, ...command.args.slice(1)]]] : []),
    ];
    const wall = {};
    for (let i = 0; i < timedRuns.length; i++) {
      const [name, args] = timedRuns[(i + round) % timedRuns.length];
      wall[name] = (await spawnTimed(process.execPath, args)).wallMs;
    }
    const { plain, empty, before } = wall;
    log(
      `noop round ${round}: strata run ${plain.toFixed(0)} ms (probed ${got.strata.toFixed(0)}${before === undefined ? '' : `, before ${before.toFixed(0)}`}), node -e '' ${empty.toFixed(0)} / ${got.node.toFixed(0)} ms, psql ${got.psql.toFixed(0)} ms; load ${load().join(' ')}`,
    );
    if (round === 0) continue;
    samples.strata.push(plain);
    samples.node.push(empty);
    samples.psql.push(got.psql);
    samples.ratio.push(plain / empty);
    if (before !== undefined) {
      samples.baseline.push(before);
      samples.baselineRatio.push(before / empty);
      samples.afterOverBefore.push(plain / before);
    }
    samples.phases.push(got.phases);
    samples.load.push(load()[0]);
  }
  await dropDatabase(db.name);
  return {
    applied: n,
    strataRun: summarize(samples.strata),
    nodeEmpty: summarize(samples.node),
    psqlSelect1: summarize(samples.psql),
    strataOverNode: summarize(samples.ratio),
    ...(baseline
      ? {
          baselineRun: summarize(samples.baseline),
          baselineOverNode: summarize(samples.baselineRatio),
          strataOverBaseline: summarize(samples.afterOverBefore),
        }
      : {}),
    strataPhases: summarizePhases(samples.phases),
    loadAverage1m: summarize(samples.load),
  };
}

if (!strata.cli({ dialect: 'postgres', url: 'x', dir: 'x' })) throw new Error('build first: npm run build');
await dropStaleDatabases();
const tmp = await mkdtemp(join(os.tmpdir(), 'strata-bench-realistic-'));
const result = { node: process.version, cpus: os.cpus().length, loadAtStart: load() };
try {
  if (!values.only || values.only === 'apply') result.apply = await applyWorkload(tmp);
  if (!values.only || values.only === 'noop') result.noop = await noopWorkload(tmp);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
result.loadAtEnd = load();
process.stdout.write(`${JSON.stringify(result, null)}\n`);
