/**
 * How long `strata validate --reversible` takes on the generated corpus (issue 22's target: about
 * what applying the corpus three times costs, with the schema reads in between). The corpus is
 * the realistic one (lib/corpus.mjs: ~300 migrations with foreign keys, functions, triggers, enums,
 * views, backfills and a few `-- no-transaction` indexes, each with the down that undoes it) in
 * the database's own SQL; `--corpus synthetic` takes the apply workload's instead (a table, an
 * index and three rows each, down `DROP TABLE`). Paired, on one database kind at a time:
 *   - apply x3: run all, revert all, run all again with the Migrator (what the check does, minus reads);
 *   - check: checkReversible on a temporary database (created and dropped inside the figure).
 *   npm run build && node bench/reversibility.mjs [--migrations N] [--kind postgres|sqlite] [--runs N] [--corpus realistic|synthetic]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Migrator } from '@strata/core';
import { checkReversible } from '@strata/core/schema';
import Database from 'better-sqlite3';
import pg from 'pg';
import { realisticCorpus, upText } from './lib/corpus.mjs';
import { schemaMigration } from './lib/migrations.mjs';
import { adminUrl, createDatabase, databaseName, dropDatabase, redact } from './lib/postgres.mjs';
import { summarize } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    migrations: { type: 'string', default: '300' },
    kind: { type: 'string', default: 'postgres' },
    runs: { type: 'string', default: '5' },
    corpus: { type: 'string', default: 'realistic' },
  },
});
const count = Number(values.migrations);
const kind = values.kind;

const migrations =
  values.corpus === 'synthetic'
    ? Array.from({ length: count }, (_, k) => {
        const i = k + 1;
        return {
          version: i,
          description: `bench ${i}`,
          up: schemaMigration(i),
          down: `DROP TABLE bench_${String(i).padStart(5, '0')};\n`,
        };
      })
    : realisticCorpus({ count, dialect: kind }).map((m) => ({
        version: BigInt(m.timestamp),
        description: m.name.replaceAll('_', ' '),
        up: upText(m, 'sqlx'),
        down: `${m.transactional ? '' : '-- no-transaction\n'}${m.down.join('\n\n')}\n`,
      }));

async function timed(work) {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** One round: the three passes and the check, in an order that alternates from round to round. */
async function measure(handle, round) {
  const migrator = new Migrator({ db: handle, migrations });
  const steps = {
    apply: async () => {
      const three = await timed(async () => {
        await migrator.run();
        await migrator.revert({ all: true });
        await migrator.run();
      });
      // Not part of "three passes": it only empties the database for what comes next.
      await migrator.revert({ all: true });
      return three;
    },
    check: () => timed(() => checkReversible(handle, { migrations })),
  };
  const got = {};
  for (const name of round % 2 === 0 ? ['apply', 'check'] : ['check', 'apply']) got[name] = await steps[name]();
  return got;
}

async function rounds(handle) {
  const samples = { apply: [], check: [], ratio: [], load: [] };
  let summary;
  for (let round = 0; round <= Number(values.runs); round++) {
    const { apply, check } = await measure(handle, round);
    summary = check.value.summary;
    process.stderr.write(
      `[reversibility] ${kind} round ${round}${round === 0 ? ' (warm-up)' : ''}: apply x3 ${apply.ms.toFixed(0)} ms, check ${check.ms.toFixed(0)} ms; load ${os.loadavg()[0].toFixed(2)}\n`,
    );
    if (round === 0) continue;
    samples.apply.push(apply.ms);
    samples.check.push(check.ms);
    samples.ratio.push(check.ms / apply.ms);
    samples.load.push(os.loadavg()[0]);
  }
  return {
    applyThreeTimesMs: summarize(samples.apply),
    checkMs: summarize(samples.check),
    checkOverApply: summarize(samples.ratio),
    summary,
    loadAverage1m: summarize(samples.load),
  };
}

let result;
if (kind === 'sqlite') {
  const dir = await mkdtemp(join(os.tmpdir(), 'strata-bench-rev-'));
  const db = new Database(join(dir, 'bench.db'));
  try {
    result = { database: 'SQLite file (the check: in memory)', ...(await rounds(db)) };
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
} else {
  const name = databaseName(`reversible_${count}`);
  const url = await createDatabase(name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    result = { database: `PostgreSQL at ${redact(adminUrl())}`, ...(await rounds(pool)) };
  } finally {
    await pool.end();
    await dropDatabase(name);
  }
}

process.stdout.write(
  `${JSON.stringify({ migrations: count, corpus: values.corpus, cpus: os.cpus().length, ...result }, null, 2)}\n`,
);
