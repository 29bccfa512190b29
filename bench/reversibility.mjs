/**
 * How long `strata validate --reversible` takes on the generated corpus (issue 22's target: about
 * what applying the corpus three times costs, with the schema reads in between). The corpus is
 * the apply workload's (bench/lib/migrations.mjs: a table, an index and three rows each), each
 * migration given the down `DROP TABLE`. Measured on one database kind at a time:
 *   - apply x3: run all, revert all, run all again with the Migrator (what the check does, minus reads);
 *   - check: checkReversible on a temporary database (created and dropped inside the figure).
 *   npm run build && node bench/reversibility.mjs [--migrations N] [--kind postgres|sqlite]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Migrator } from '@strata/core';
import { checkReversible } from '@strata/core/schema';
import Database from 'better-sqlite3';
import pg from 'pg';
import { schemaMigration } from './lib/migrations.mjs';
import { adminUrl, createDatabase, databaseName, dropDatabase, redact } from './lib/postgres.mjs';

const { values } = parseArgs({
  options: { migrations: { type: 'string', default: '300' }, kind: { type: 'string', default: 'postgres' } },
});
const count = Number(values.migrations);
const kind = values.kind;

const migrations = Array.from({ length: count }, (_, k) => {
  const i = k + 1;
  return {
    version: i,
    description: `bench ${i}`,
    up: schemaMigration(i),
    down: `DROP TABLE bench_${String(i).padStart(5, '0')};\n`,
  };
});

async function timed(work) {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

async function measure(handle) {
  const migrator = new Migrator({ db: handle, migrations });
  const apply = await timed(async () => {
    await migrator.run();
    await migrator.revert({ all: true });
    await migrator.run();
  });
  await migrator.revert({ all: true });
  const check = await timed(() => checkReversible(handle, { migrations }));
  return { apply, check };
}

let result;
if (kind === 'sqlite') {
  const dir = await mkdtemp(join(os.tmpdir(), 'strata-bench-rev-'));
  const db = new Database(join(dir, 'bench.db'));
  try {
    result = { database: 'SQLite file (the check: in memory)', ...(await measure(db)) };
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
} else {
  const name = databaseName(`reversible_${count}`);
  const url = await createDatabase(name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    result = { database: `PostgreSQL at ${redact(adminUrl())}`, ...(await measure(pool)) };
  } finally {
    await pool.end();
    await dropDatabase(name);
  }
}

const { apply, check } = result;
process.stdout.write(
  `${JSON.stringify(
    {
      database: result.database,
      migrations: count,
      applyThreeTimesMs: Math.round(apply.ms),
      checkMs: Math.round(check.ms),
      ratio: Number((check.ms / apply.ms).toFixed(2)),
      summary: check.value.summary,
      // The machine's load: on a shared box the figures move with it.
      loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))),
      cpus: os.cpus().length,
    },
    null,
    2,
  )}\n`,
);
