// The fleet bench: one `strata run --targets-query` against a shell loop of `strata run` per target.
//   node bench/fleet.mjs [--databases=200] [--migrations=30] [--rounds=1] [--check-rounds=3]
// D tenant databases × M generated migrations, every mode a real CLI process (its start counted):
//   chosen   `strata run --targets-query ... --json` at the concurrency strata chooses (max_connections)
//   serial   the same with `--concurrency 1`
//   loop     `while read url; do strata run --database-url "$url"; done < targets.txt`
// 1. From empty (--rounds): each mode in turn, the fleet emptied before each; afterwards every
//    tenant is checked for its M tables and M successful history rows.
// 2. The all-up-to-date check of the same fleet (--check-rounds): the modes interleaved per round,
//    so load from elsewhere on a shared machine falls on all of them alike; medians are reported.
// Wall time is from spawn to exit, so a process's start counts for every mode alike.
// Meanwhile a separate connection samples pg_stat_activity every 20 ms: client sessions on the
// bench's databases never exceed the concurrency plus one (the targets query's own connection).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { adminUrl, dropDatabase, dropStaleDatabases, PREFIX, queryRows, urlFor } from './lib/postgres.mjs';
import { runProcess } from './lib/processes.mjs';

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const DATABASES = arg('databases', 200);
const MIGRATIONS = arg('migrations', 30);
const ROUNDS = arg('rounds', 1);
const CHECK_ROUNDS = arg('check-rounds', 3);
/** Setup, reset and checks use a few connections at once; the measured runs are never overlapped by them. */
const SETUP_PARALLEL = 6;
const SAMPLE_EVERY_MS = 20;
/** A shell loop over 200 databases from empty takes minutes on a loaded machine; past this it is stuck. */
const MODE_TIMEOUT_MS = 3_600_000;
const STRATA = fileURLToPath(new URL('../packages/core/dist/cli/main.js', import.meta.url));

const prefix = `${PREFIX}${process.pid}_fleet`;
const home = `${prefix}_home`; // where the targets query runs: its session is counted with the fleet's
const tenants = Array.from({ length: DATABASES }, (_, i) => `${prefix}_t${String(i).padStart(4, '0')}`);
const tenantUrls = tenants.map(urlFor);
const TARGETS_SQL = `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}\\_t%' ORDER BY 1`;

const dir = mkdtempSync(join(tmpdir(), 'strata-fleet-bench-'));
const migrationsDir = join(dir, 'migrations');
const targetsFile = join(dir, 'targets.txt');
const measured = []; // { phase, mode, ms, concurrency, peak }

/** Each mode is one shell command; `strata run` exits 0 only when every target is done. */
const MODES = [
  {
    name: 'chosen',
    label: '`strata run --targets-query` (chosen concurrency)',
    argv: () => [process.execPath, STRATA, 'run', ...fleetArgs(), '--json'],
  },
  {
    name: 'serial',
    label: '`strata run --targets-query --concurrency 1`',
    argv: () => [process.execPath, STRATA, 'run', ...fleetArgs(), '--json', '--concurrency', '1'],
  },
  {
    name: 'loop',
    label: 'shell loop of `strata run` per target',
    argv: () => [
      'sh',
      '-c',
      'while IFS= read -r url; do "$0" "$1" run --no-dotenv --source "$2" --database-url "$url" >/dev/null || exit 1; done < "$3"',
      process.execPath,
      STRATA,
      migrationsDir,
      targetsFile,
    ],
  },
];

await dropStaleDatabases();
try {
  writeMigrations();
  writeFileSync(targetsFile, `${tenantUrls.join('\n')}\n`);
  await inParallel([home, ...tenants], (name) => queryRows(adminUrl(), `CREATE DATABASE "${name}" TEMPLATE template0`));
  log(`${DATABASES} databases created; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`);

  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of MODES) {
      await emptyFleet();
      await measure('from empty', mode);
      await checkFleetComplete();
    }
  }
  for (let round = 1; round <= CHECK_ROUNDS; round++) {
    for (const mode of MODES) await measure('up to date', mode);
  }
} finally {
  await inParallel([...tenants, home], (name) => dropDatabase(name).catch(() => {}));
  rmSync(dir, { recursive: true, force: true });
}
printTable();

function fleetArgs() {
  return ['--no-dotenv', '--source', migrationsDir, '--database-url', urlFor(home), '--targets-query', TARGETS_SQL];
}

async function measure(phase, mode) {
  const [command, ...args] = mode.argv();
  const { value: run, peak } = await samplePeak(() => runProcess(command, args, { timeoutMs: MODE_TIMEOUT_MS }));
  if (run.code !== 0) throw new Error(`${phase}, ${mode.name}: exit ${run.code}\n${run.stderr}\n${run.stdout.slice(-2000)}`);
  const summary = mode.name === 'loop' ? { concurrency: 1 } : JSON.parse(run.stdout.trim().split('\n').at(-1));
  const allowed = summary.concurrency + 1;
  const entry = {
    phase,
    mode: mode.name,
    ms: Math.round(run.wallMs),
    concurrency: summary.concurrency,
    peak,
    load: loadavg()[0],
  };
  measured.push(entry);
  log(JSON.stringify(entry));
  if (peak > allowed) throw new Error(`${phase}, ${mode.name}: ${peak} server sessions seen, more than ${allowed}`);
}

/** Runs `work` while a separate session counts the client sessions on the bench's databases; the most seen at once. */
async function samplePeak(work) {
  const watcher = new pg.Client({ connectionString: adminUrl() });
  await watcher.connect();
  let peak = 0;
  let running = true;
  const sampling = (async () => {
    while (running) {
      const { rows } = await watcher.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname LIKE $1",
        [`${prefix}%`],
      );
      peak = Math.max(peak, rows[0].n);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_EVERY_MS));
    }
  })();
  try {
    return { value: await work(), peak };
  } finally {
    running = false;
    await sampling;
    await watcher.end();
  }
}

function writeMigrations() {
  mkdirSync(migrationsDir);
  for (let i = 1; i <= MIGRATIONS; i++) {
    writeFileSync(
      join(migrationsDir, `${String(i).padStart(4, '0')}_t${i}.sql`),
      `CREATE TABLE t${i} (id int PRIMARY KEY, note text);\nCREATE INDEX t${i}_note ON t${i} (note);\nINSERT INTO t${i} VALUES (1, 'a'), (2, 'b');\n`,
    );
  }
}

async function emptyFleet() {
  await inParallel(tenantUrls, (url) => queryRows(url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public'));
}

/** Every tenant has all M tables and M successful history rows: the run did the work, not only exit 0. */
async function checkFleetComplete() {
  await inParallel(tenantUrls, async (url) => {
    const [row] = await queryRows(
      url,
      `SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+$')::int AS tables,
              (SELECT count(*) FROM _strata_migrations WHERE success)::int AS history`,
    );
    if (row.tables !== MIGRATIONS || row.history !== MIGRATIONS) {
      throw new Error(`${url}: ${row.tables} tables and ${row.history} history rows, expected ${MIGRATIONS} of each`);
    }
  });
}

async function inParallel(items, fn, width = SETUP_PARALLEL) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function printTable() {
  console.log(
    `\n${DATABASES} databases × ${MIGRATIONS} migrations; medians of ${ROUNDS} (from empty) and ${CHECK_ROUNDS} (up to date) runs\n`,
  );
  console.log('| workload | mode | concurrency | wall (median) | × chosen | peak sessions |\n|---|---|---|---|---|---|');
  for (const phase of ['from empty', 'up to date']) {
    const of = (mode) => measured.filter((m) => m.phase === phase && m.mode === mode.name);
    const chosen = median(of(MODES[0]).map((m) => m.ms));
    for (const mode of MODES) {
      const runs = of(mode);
      const ms = median(runs.map((m) => m.ms));
      const peak = Math.max(...runs.map((m) => m.peak));
      console.log(
        `| ${phase} | ${mode.label} | ${runs[0].concurrency} | ${(ms / 1000).toFixed(1)} s | ${(ms / chosen).toFixed(1)} | ${peak} |`,
      );
    }
  }
}

function log(line) {
  console.error(line);
}
