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
  // drizzle-kit's output: statements separated by its breakpoint marker, listed in meta/_journal.json.
  drizzle: (m) => [`${pad(m.index)}_${m.name}.sql`, splitGenerated(m.sql).join(';\n--> statement-breakpoint\n').concat(';\n')],
};

/** drizzle-kit's journal: the migrator applies the entries whose `when` is newer than the last applied one. */
function drizzleJournal(migrations) {
  const entries = migrations.map((m) => ({
    idx: m.index - 1,
    version: '7',
    when: DRIZZLE_EPOCH + m.index,
    tag: `${pad(m.index)}_${m.name}`,
    breakpoints: true,
  }));
  return `${JSON.stringify({ version: '7', dialect: 'postgresql', entries }, null, 2)}\n`;
}
const DRIZZLE_EPOCH = Date.UTC(2026, 0, 1);

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
        const migrations = migrationList(kind, n);
        for (const migration of migrations) {
          const [file, text] = layout(migration);
          await writeFile(join(dir, file), text);
        }
        if (format === 'drizzle') {
          await mkdir(join(dir, 'meta'), { recursive: true });
          await writeFile(join(dir, 'meta', '_journal.json'), drizzleJournal(migrations));
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
