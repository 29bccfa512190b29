import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A realistic migration history, generated (issue 21): what years of a real Diesel or SQLx
 * project look like, not the synthetic "table + index + rows" set. Each migration has 1 to 15
 * statements: tables with comments, `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY` onto earlier
 * tables, added columns with defaults and checks, enums, views, plpgsql functions and triggers
 * in dollar quotes, a few data backfills, and 2–3 % `-- no-transaction` migrations that build an
 * index `CONCURRENTLY`. Every up has a down that undoes it exactly (issue 22 checks them).
 * Deterministic: the same seed gives the same files. PostgreSQL by default; `dialect: 'sqlite'`
 * gives the same shapes in SQLite's SQL (foreign keys through link tables, which SQLite can drop,
 * triggers without functions, CHECK instead of enums).
 */
export function realisticCorpus({ count = 300, seed = 21, dialect = 'postgres' } = {}) {
  const random = mulberry32(seed);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const sql = dialect === 'sqlite' ? SQLITE : POSTGRES;
  const tables = [];
  const migrations = [];
  let objects = 0;
  const next = (prefix) => `${prefix}_${String(++objects).padStart(4, '0')}`;

  const ops = {
    createTable() {
      const name = `${pick(NOUNS)}_${String(++objects).padStart(4, '0')}`;
      const columns = Array.from({ length: 2 + Math.floor(random() * 5) }, () => `${pick(FIELDS)}_${++objects}`);
      const table = { name, columns: [...columns], indexed: [] };
      tables.push(table);
      const up = [
        `-- ${pick(COMMENTS)}`,
        `CREATE TABLE ${name} (\n  id ${sql.id},\n  name TEXT NOT NULL,\n${columns
          .map((column, i) => `  ${column} ${sql.types[i % sql.types.length]},\n`)
          .join('')}  created_at ${sql.timestamp} NOT NULL DEFAULT ${sql.now}\n);`,
      ];
      const down = [`DROP TABLE ${name};`];
      if (sql.comments) {
        up.push(`COMMENT ON TABLE ${name} IS '${pick(COMMENTS).replaceAll("'", "''")}';`);
        if (random() < 0.5) up.push(`COMMENT ON COLUMN ${name}.name IS 'shown in the admin list';`);
      }
      const indexes = Math.floor(random() * 3);
      for (let i = 0; i < indexes; i++) {
        const column = columns[i];
        up.push(`CREATE INDEX ${name}_${column}_idx ON ${name} (${column});`);
      }
      return { name: `create_${name}`, up, down };
    },
    addForeignKey() {
      if (tables.length < 2) return ops.createTable();
      const child = pick(tables);
      let parent = pick(tables);
      if (parent === child) parent = tables.find((table) => table !== child);
      const column = `${parent.name}_id`;
      if (dialect === 'sqlite') {
        const link = next(`${child.name.split('_')[0]}_links`);
        tables.push({ name: link, columns: ['note'], indexed: [] });
        return {
          name: `link_${child.name}_${parent.name}`,
          up: [
            `-- SQLite cannot add a constraint to a table: the relation gets a table of its own`,
            `CREATE TABLE ${link} (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL DEFAULT '',\n  note TEXT,\n  ${child.name}_id INTEGER REFERENCES ${child.name} (id) ON DELETE CASCADE,\n  ${column} INTEGER REFERENCES ${parent.name} (id) ON DELETE CASCADE,\n  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP\n);`,
            `CREATE INDEX ${link}_${column}_idx ON ${link} (${column});`,
          ],
          down: [`DROP TABLE ${link};`],
        };
      }
      if (child.columns.includes(column)) return ops.addColumns();
      child.columns.push(column);
      const constraint = `${child.name}_${column}_fkey`;
      return {
        name: `add_${column}_to_${child.name}`,
        up: [
          `ALTER TABLE ${child.name} ADD COLUMN ${column} BIGINT;`,
          `ALTER TABLE ${child.name}\n  ADD CONSTRAINT ${constraint} FOREIGN KEY (${column})\n  REFERENCES ${parent.name} (id) ON DELETE ${pick(['CASCADE', 'SET NULL', 'RESTRICT'])};`,
          `CREATE INDEX ${child.name}_${column}_idx ON ${child.name} (${column});`,
        ],
        down: [
          `DROP INDEX ${child.name}_${column}_idx;`,
          `ALTER TABLE ${child.name} DROP CONSTRAINT ${constraint};`,
          `ALTER TABLE ${child.name} DROP COLUMN ${column};`,
        ],
      };
    },
    addColumns() {
      const table = pick(tables);
      const added = Array.from({ length: 1 + Math.floor(random() * 4) }, () => `${pick(FIELDS)}_${++objects}`);
      table.columns.push(...added);
      const up = [`/* ${pick(COMMENTS)} */`];
      added.forEach((column, i) => {
        if (i === 0) up.push(`ALTER TABLE ${table.name} ADD COLUMN ${column} INTEGER NOT NULL DEFAULT 0 CHECK (${column} >= 0);`);
        else up.push(`ALTER TABLE ${table.name} ADD COLUMN ${column} ${sql.types[i % sql.types.length]};`);
      });
      if (sql.comments && random() < 0.4) up.push(`COMMENT ON COLUMN ${table.name}.${added[0]} IS 'never negative';`);
      const down = added.toReversed().map((column) => `ALTER TABLE ${table.name} DROP COLUMN ${column};`);
      return { name: `add_${added[0]}_to_${table.name}`, up, down };
    },
    trigger() {
      const table = pick(tables.filter((candidate) => !candidate.trigger));
      if (!table) return ops.addColumns();
      table.trigger = true;
      const fn = next('touch');
      if (dialect === 'sqlite') {
        return {
          name: `touch_${table.name}`,
          up: [
            `ALTER TABLE ${table.name} ADD COLUMN updated_at TEXT;`,
            `CREATE TRIGGER ${fn}\nAFTER UPDATE OF name ON ${table.name}\nBEGIN\n  UPDATE ${table.name} SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;\nEND;`,
          ],
          down: [`DROP TRIGGER ${fn};`, `ALTER TABLE ${table.name} DROP COLUMN updated_at;`],
        };
      }
      const tag = random() < 0.5 ? '$$' : '$body$';
      return {
        name: `touch_${table.name}`,
        up: [
          `ALTER TABLE ${table.name} ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT now();`,
          `-- keeps updated_at honest whatever the application forgets\nCREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger AS ${tag}\nBEGIN\n  -- a ; inside the body must not end the statement\n  IF NEW IS DISTINCT FROM OLD THEN\n    NEW.updated_at := now();\n  END IF;\n  RETURN NEW;\nEND;\n${tag} LANGUAGE plpgsql;`,
          `CREATE TRIGGER ${fn}\n  BEFORE UPDATE ON ${table.name}\n  FOR EACH ROW EXECUTE FUNCTION ${fn}();`,
        ],
        down: [
          `DROP TRIGGER ${fn} ON ${table.name};`,
          `DROP FUNCTION ${fn}();`,
          `ALTER TABLE ${table.name} DROP COLUMN updated_at;`,
        ],
      };
    },
    enumColumn() {
      const table = pick(tables);
      const column = `${pick(['status', 'kind', 'state'])}_${++objects}`;
      table.columns.push(column);
      const values = ['draft', 'active', 'archived', 'deleted'].slice(0, 2 + Math.floor(random() * 3));
      const list = values.map((value) => `'${value}'`).join(', ');
      if (dialect === 'sqlite') {
        return {
          name: `add_${column}_to_${table.name}`,
          up: [`ALTER TABLE ${table.name} ADD COLUMN ${column} TEXT NOT NULL DEFAULT 'draft' CHECK (${column} IN (${list}));`],
          down: [`ALTER TABLE ${table.name} DROP COLUMN ${column};`],
        };
      }
      const type = `${column}_t`;
      return {
        name: `add_${column}_to_${table.name}`,
        up: [
          `CREATE TYPE ${type} AS ENUM (${list});`,
          `ALTER TABLE ${table.name} ADD COLUMN ${column} ${type} NOT NULL DEFAULT 'draft';`,
        ],
        down: [`ALTER TABLE ${table.name} DROP COLUMN ${column};`, `DROP TYPE ${type};`],
      };
    },
    view() {
      const table = pick(tables);
      const name = next(`recent_${table.name.split('_')[0]}`);
      return {
        name: `create_${name}`,
        up: [`CREATE VIEW ${name} AS\n  SELECT id, name, created_at\n  FROM ${table.name}\n  WHERE name <> '';`],
        down: [`DROP VIEW ${name};`],
      };
    },
    backfill() {
      const table = pick(tables);
      const rows = 50 + Math.floor(random() * 200);
      const tag = `backfill ${++objects}`;
      const insert =
        dialect === 'sqlite'
          ? `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${rows})\nINSERT INTO ${table.name} (name) SELECT '${tag} ' || n FROM g;`
          : `INSERT INTO ${table.name} (name)\nSELECT '${tag} ' || g FROM generate_series(1, ${rows}) AS g;`;
      return {
        name: `backfill_${table.name}`,
        up: [
          `-- data migration: rows the application expects to exist`,
          insert,
          `UPDATE ${table.name} SET name = upper(name) WHERE name LIKE '${tag} %' AND length(name) > 12;`,
        ],
        down: [`DELETE FROM ${table.name} WHERE name LIKE '${tag} %' OR name LIKE '${tag.toUpperCase()} %';`],
      };
    },
    concurrentIndex() {
      const table = pick(tables);
      const column = pick(table.columns.filter((candidate) => !table.indexed.includes(candidate))) ?? 'created_at';
      table.indexed.push(column);
      const index = `${table.name}_${column}_c_idx`;
      const concurrently = dialect === 'sqlite' ? '' : ' CONCURRENTLY';
      return {
        name: `index_${table.name}_${column}`,
        transactional: false,
        up: [`CREATE INDEX${concurrently} IF NOT EXISTS ${index} ON ${table.name} (${column});`],
        down: [`DROP INDEX${concurrently} IF EXISTS ${index};`],
      };
    },
  };

  const weighted = [
    [ops.createTable, 22],
    [ops.addForeignKey, 22],
    [ops.addColumns, 20],
    [ops.trigger, 9],
    [ops.enumColumn, 7],
    [ops.view, 6],
    [ops.backfill, 6],
  ];
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
  const chooseOp = () => {
    let roll = random() * total;
    for (const [op, weight] of weighted) {
      roll -= weight;
      if (roll < 0) return op;
    }
    return ops.addColumns;
  };

  const start = Date.UTC(2021, 0, 4, 9, 0, 0);
  for (let index = 1; index <= count; index++) {
    let parts;
    // Every 40th migration (2.5 %) builds an index outside a transaction.
    if (index > 5 && index % 40 === 0) parts = [ops.concurrentIndex()];
    else if (index <= 5) parts = [ops.createTable()];
    else {
      // Most migrations do one thing; some do two or three (a feature's tables land together).
      const roll = random();
      const size = roll < 0.65 ? 1 : roll < 0.9 ? 2 : 3;
      parts = Array.from({ length: size }, () => chooseOp()());
    }
    const when = new Date(start + index * 3.7 * 86_400_000 + Math.floor(random() * 86_400) * 1000);
    migrations.push({
      index,
      timestamp: when.toISOString().replace(/\D/g, '').slice(0, 14),
      name: parts[0].name.slice(0, 60),
      transactional: parts.every((part) => part.transactional !== false),
      up: parts.flatMap((part) => part.up),
      down: parts.toReversed().flatMap((part) => part.down),
    });
  }
  return migrations;
}

const POSTGRES = {
  id: 'BIGSERIAL PRIMARY KEY',
  timestamp: 'TIMESTAMPTZ',
  now: 'now()',
  types: ['TEXT', 'INTEGER', 'BOOLEAN NOT NULL DEFAULT false', 'NUMERIC(12, 2)', 'JSONB', 'TIMESTAMPTZ', 'UUID'],
  comments: true,
};
const SQLITE = {
  id: 'INTEGER PRIMARY KEY',
  timestamp: 'TEXT',
  now: 'CURRENT_TIMESTAMP',
  types: ['TEXT', 'INTEGER', 'INTEGER NOT NULL DEFAULT 0', 'NUMERIC', 'TEXT', 'TEXT', 'BLOB'],
  comments: false,
};
const NOUNS = ['users', 'accounts', 'orders', 'invoices', 'products', 'teams', 'projects', 'events', 'payments', 'sessions'];
const FIELDS = ['email', 'title', 'amount', 'score', 'region', 'notes', 'handle', 'rank', 'label', 'total'];
const COMMENTS = [
  'Your SQL goes here',
  'one row per customer-visible record',
  "kept for the auditors: don't delete rows by hand",
  'see the design doc for why this is not a JSON column',
  'written by the admin panel only',
];

/** A small, fast, seedable PRNG: the corpus is the same on every machine. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const text = (statements) => `${statements.join('\n\n')}\n`;

/** The up script as its file holds it: SQLx's directive first when it runs outside a transaction. */
export function upText(migration, layout) {
  const body = text(migration.up);
  return !migration.transactional && layout === 'sqlx' ? `-- no-transaction\n${body}` : body;
}

/**
 * Writes the corpus in one layout: `diesel` (`YYYY-MM-DD-HHMMSS_name/up.sql`, `down.sql`, and
 * `metadata.toml` with `run_in_transaction = false` where needed) or `sqlx`
 * (`<version>_<name>.up.sql` / `.down.sql`, `-- no-transaction` first). Returns, in order, each
 * migration's up file and whether it runs in a transaction (what the psql floor needs).
 */
export async function writeCorpus(dir, migrations, layout = 'diesel') {
  await mkdir(dir, { recursive: true });
  const files = [];
  for (const migration of migrations) {
    const t = migration.timestamp;
    if (layout === 'diesel') {
      const folder = join(dir, `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}-${t.slice(8)}_${migration.name}`);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'up.sql'), upText(migration, layout));
      await writeFile(join(folder, 'down.sql'), `-- This file should undo anything in \`up.sql\`\n${text(migration.down)}`);
      if (!migration.transactional) await writeFile(join(folder, 'metadata.toml'), 'run_in_transaction = false\n');
      files.push({ path: join(folder, 'up.sql'), transactional: migration.transactional });
    } else {
      const base = join(dir, `${t}_${migration.name}`);
      await writeFile(`${base}.up.sql`, upText(migration, layout));
      const down = text(migration.down);
      await writeFile(`${base}.down.sql`, migration.transactional ? down : `-- no-transaction\n${down}`);
      files.push({ path: `${base}.up.sql`, transactional: migration.transactional });
    }
  }
  return files;
}

/** The corpus's shape, for the README: statements per migration, no-transaction share. */
export function corpusShape(migrations) {
  const counts = migrations.map((migration) => migration.up.filter((part) => part.includes(';')).length).sort((a, b) => a - b);
  return {
    migrations: migrations.length,
    statements: counts.reduce((sum, n) => sum + n, 0),
    minStatements: counts[0],
    maxStatements: counts.at(-1),
    noTransaction: migrations.filter((migration) => !migration.transactional).length,
  };
}
