/**
 * How long `strata schema dump` and `strata types` take on a 300-table PostgreSQL schema (issue
 * 16's target: under 1 s each). Builds the schema once in a scratch database (tables with identity keys, foreign keys,
 * checks, defaults, comments, two indexes each; a view per 10 tables, a trigger per 5, an enum and
 * a domain), then times reading the catalogs and rendering the SQL, and reading them and rendering
 * the TypeScript: the first of each on a new pool (connection and a cold backend included) and the
 * median of warm ones.
 *   npm run build && node bench/schema-dump.mjs [--tables N] [--runs N]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { readDatabaseSchema, renderSchema, renderTypeScript } from '@strata/core/schema';
import pg from 'pg';
import { adminUrl, createDatabase, databaseName, dropDatabase, redact } from './lib/postgres.mjs';

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

const name = databaseName(`schema_dump_${tables}`);
const url = await createDatabase(name);
try {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query(ddl(tables));
  await setup.end();

  const timeOnce = (render) => async (pool) => {
    const started = performance.now();
    const model = await readDatabaseSchema(pool);
    const text = render(model);
    return { ms: performance.now() - started, tables: model.tables.length, bytes: text.length };
  };
  const measure = async (once) => {
    const coldPool = new pg.Pool({ connectionString: url });
    const first = await once(coldPool);
    await coldPool.end();
    const pool = new pg.Pool({ connectionString: url });
    const warm = [];
    for (let i = 0; i < runs; i++) warm.push((await once(pool)).ms);
    await pool.end();
    warm.sort((a, b) => a - b);
    return { first, median: warm[Math.floor(warm.length / 2)], min: warm[0] };
  };
  const dump = await measure(timeOnce((model) => renderSchema(model, 'sql')));
  const types = await measure(timeOnce((model) => renderTypeScript(model)));
  // The rendering alone, on a model read once: what types add to the catalog read.
  const model = await (async () => {
    const pool = new pg.Pool({ connectionString: url });
    try {
      return await readDatabaseSchema(pool);
    } finally {
      await pool.end();
    }
  })();
  const renders = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    renderTypeScript(model);
    renders.push(performance.now() - started);
  }
  renders.sort((a, b) => a - b);
  const cold = dump.first;
  const median = dump.median;
  const warm = [dump.min];
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  const { rows } = await admin.query("SELECT current_setting('server_version') AS v");
  await admin.end();
  const result = {
    server: `PostgreSQL ${rows[0].v} at ${redact(adminUrl())}`,
    tables: cold.tables,
    sqlBytes: cold.bytes,
    firstDumpMs: Math.round(cold.ms),
    warmMedianMs: Math.round(median),
    warmMinMs: Math.round(warm[0]),
    types: {
      typescriptBytes: types.first.bytes,
      firstMs: Math.round(types.first.ms),
      warmMedianMs: Math.round(types.median),
      warmMinMs: Math.round(types.min),
      renderOnlyMedianMs: Math.round(renders[Math.floor(renders.length / 2)]),
    },
    // The machine's load: on a shared box the figures move with it.
    loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))),
    cpus: os.cpus().length,
    target: 'under 1000 ms',
    met: cold.ms < 1000 && median < 1000 && types.first.ms < 1000 && types.median < 1000,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await dropDatabase(name);
}
