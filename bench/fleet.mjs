// The fleet bench: `strata run --targets-query` / migrateFleet over many tenants.
//   node bench/fleet.mjs [--schemas=1000] [--databases=40] [--migrations=30] [--loop=20]
// 1. From empty: D tenant databases × M migrations, at the default concurrency and at 1.
// 2. The all-up-to-date check of S tenant schemas of one database (and of the D databases), at
//    the default concurrency and at 1, and a shell loop of `strata run` per target (timed over
//    --loop targets, reported per target and extrapolated to the fleet).
// Meanwhile a separate connection samples pg_stat_activity every 20 ms: the fleet's sessions
// (application_name 'strata' on the bench's databases) never exceed the concurrency.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrateFleet } from '../packages/core/dist/index.js';
import { adminUrl, urlFor } from './lib/postgres.mjs';

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const SCHEMAS = arg('schemas', 1000);
const DATABASES = arg('databases', 40);
const MIGRATIONS = arg('migrations', 30);
const LOOP = arg('loop', 20);
const STRATA = fileURLToPath(new URL('../packages/core/dist/cli/main.js', import.meta.url));
const prefix = `sbench${process.pid}_fleet`;

const admin = new pg.Client({ connectionString: adminUrl() });
await admin.connect();
const dir = mkdtempSync(join(tmpdir(), 'strata-fleet-bench-'));
const databases = Array.from({ length: DATABASES }, (_, i) => `${prefix}_${String(i).padStart(4, '0')}`);
const schemaDb = `${prefix}_schemas`;
const results = [];

try {
  for (let i = 1; i <= MIGRATIONS; i++) {
    writeFileSync(
      join(dir, `${String(i).padStart(4, '0')}_t${i}.sql`),
      `CREATE TABLE t${i} (id int PRIMARY KEY, note text);\nCREATE INDEX t${i}_note ON t${i} (note);\nINSERT INTO t${i} VALUES (1, 'a'), (2, 'b');\n`,
    );
  }
  for (const name of [...databases, schemaDb]) await admin.query(`CREATE DATABASE "${name}"`);
  const schemaUrl = urlFor(schemaDb);
  const setup = new pg.Client({ connectionString: schemaUrl });
  await setup.connect();
  for (let i = 0; i < SCHEMAS; i += 200) {
    const batch = Array.from(
      { length: Math.min(200, SCHEMAS - i) },
      (_, j) => `CREATE SCHEMA tenant_${String(i + j).padStart(5, '0')};`,
    );
    await setup.query(batch.join('\n'));
  }
  await setup.end();
  const dbTargets = databases.map(urlFor);
  const schemaTargets = Array.from({ length: SCHEMAS }, (_, i) => ({
    url: schemaUrl,
    schema: `tenant_${String(i).padStart(5, '0')}`,
  }));

  const measure = async (label, targets, concurrency) => {
    const peak = await samplePeak(
      async () => migrateFleet(targets, { migrations: dir, ...(concurrency ? { concurrency } : {}) }).summary,
    );
    const { value: summary, peak: sessions } = peak;
    if (summary.failed > 0)
      throw new Error(`${label}: ${summary.failed} failed: ${summary.results.find((r) => r.error)?.error.message}`);
    results.push({
      label,
      targets: summary.total,
      concurrency: summary.concurrency,
      steps: summary.steps,
      ms: Math.round(summary.durationMs),
      perTargetMs: +(summary.durationMs / summary.total).toFixed(2),
      peakSessions: sessions,
    });
    console.log(JSON.stringify(results.at(-1)));
    return summary;
  };
  const reset = async () => {
    for (const url of dbTargets) {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA public CASCADE; CREATE SCHEMA public;`);
      await c.end();
    }
  };

  await measure(`${DATABASES} databases × ${MIGRATIONS} migrations from empty, default concurrency`, dbTargets);
  await reset();
  await measure(`${DATABASES} databases × ${MIGRATIONS} migrations from empty, --concurrency 1`, dbTargets, 1);
  await measure(`${DATABASES} databases up to date, default concurrency`, dbTargets);
  await measure(`${DATABASES} databases up to date, --concurrency 1`, dbTargets, 1);
  await measure(`${SCHEMAS} schemas × ${MIGRATIONS} migrations from empty, default concurrency`, schemaTargets);
  await measure(`${SCHEMAS} schemas up to date, default concurrency`, schemaTargets);
  await measure(`${SCHEMAS} schemas up to date, --concurrency 1`, schemaTargets, 1);

  // The shell loop a user would write otherwise: one `strata run` process per target.
  const loop = (targets, argsFor) => {
    const started = performance.now();
    for (const target of targets.slice(0, LOOP)) {
      const run = spawnSync(process.execPath, [STRATA, 'run', '--source', dir, ...argsFor(target)], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(run.stderr);
    }
    const per = (performance.now() - started) / Math.min(LOOP, targets.length);
    return { perTargetMs: +per.toFixed(1), fleetMsExtrapolated: Math.round(per * targets.length) };
  };
  const dbLoop = loop(dbTargets, (url) => ['--database-url', url]);
  results.push({ label: `shell loop of strata run, ${DATABASES} databases up to date (timed over ${LOOP})`, ...dbLoop });
  console.log(JSON.stringify(results.at(-1)));
  const schemaLoop = loop(schemaTargets, (t) => ['--database-url', t.url, '--schema', t.schema]);
  results.push({ label: `shell loop of strata run, ${SCHEMAS} schemas up to date (timed over ${LOOP})`, ...schemaLoop });
  console.log(JSON.stringify(results.at(-1)));
} finally {
  for (const name of [...databases, schemaDb])
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}

console.log('\n| workload | targets | concurrency | wall | per target | peak sessions |\n|---|---|---|---|---|---|');
for (const r of results) {
  const wall = r.ms !== undefined ? `${r.ms} ms` : `${r.fleetMsExtrapolated} ms (extrapolated)`;
  console.log(
    `| ${r.label} | ${r.targets ?? ''} | ${r.concurrency ?? 1} | ${wall} | ${r.perTargetMs} ms | ${r.peakSessions ?? 1} |`,
  );
}

/** Runs `work` while counting, every 20 ms, the strata sessions on the bench's databases; the most seen at once. */
async function samplePeak(work) {
  const watcher = new pg.Client({ connectionString: adminUrl() });
  await watcher.connect();
  let peak = 0;
  let running = true;
  const sampling = (async () => {
    while (running) {
      const { rows } = await watcher.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'strata' AND datname LIKE $1",
        [`${prefix}%`],
      );
      peak = Math.max(peak, rows[0].n);
      await new Promise((resolve) => setTimeout(resolve, 20));
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
