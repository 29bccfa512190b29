import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The generated migrations. The SQL is the same text for every tool and runs unchanged on
 * PostgreSQL and SQLite; only the file name (and, for dbmate, its section markers, which are
 * comments) differs per tool.
 */
const WIDTH = 5;
export const pad = (n) => String(n).padStart(WIDTH, '0');

/** A table with a few columns, an index and a few rows: the "apply" and "contention" workloads. */
export function schemaMigration(i) {
  const t = `bench_${pad(i)}`;
  return [
    `CREATE TABLE ${t} (`,
    '  id INTEGER PRIMARY KEY,',
    '  name TEXT NOT NULL,',
    '  amount INTEGER NOT NULL DEFAULT 0,',
    '  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP',
    ');',
    `CREATE INDEX ${t}_name_idx ON ${t} (name);`,
    `INSERT INTO ${t} (id, name, amount) VALUES (1, 'alpha', 10), (2, 'beta', 20), (3, 'gamma', 30);`,
    '',
  ].join('\n');
}

/**
 * A long history that stays cheap to build: one table, then one row per migration (the shape of
 * years of small data migrations). What is measured on it is the no-op check, not the apply.
 */
export function growthMigration(i) {
  return i === 1 ? 'CREATE TABLE growth_log (n INTEGER NOT NULL);\n' : `INSERT INTO growth_log (n) VALUES (${i});\n`;
}

export function migrationList(kind, n) {
  const make = kind === 'growth' ? growthMigration : schemaMigration;
  return Array.from({ length: n }, (_, k) => ({ index: k + 1, name: `${kind}_${pad(k + 1)}`, sql: make(k + 1) }));
}

/** File name and content for one migration in a tool's layout. */
const LAYOUTS = {
  // SQLx's flat layout: strata, knex/kysely/umzug (read by the bench's SQL-file providers), node-pg-migrate.
  plain: (m) => [`${pad(m.index)}_${m.name}.sql`, m.sql],
  postgrator: (m) => [`${pad(m.index)}.do.${m.name}.sql`, m.sql],
  dbmate: (m) => [`${pad(m.index)}_${m.name}.sql`, `-- migrate:up\n${m.sql}\n-- migrate:down\n`],
};

const written = new Map();

/** Writes (once per run) the first `n` migrations of `kind` in `format` under `root`; returns the directory. */
export async function migrationsDir(root, kind, n, format) {
  const dir = join(root, `${kind}-${n}-${format}`);
  if (!written.has(dir)) {
    written.set(
      dir,
      (async () => {
        await mkdir(dir, { recursive: true });
        const layout = LAYOUTS[format];
        for (const migration of migrationList(kind, n)) {
          const [file, text] = layout(migration);
          await writeFile(join(dir, file), text);
        }
        return dir;
      })(),
    );
  }
  return written.get(dir);
}

/** Every file's SQL split into statements: the generated SQL has one statement per `;` at a line end. */
export function splitGenerated(sql) {
  return sql
    .split(/;\s*\n/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0 && !/^--/.test(statement));
}
