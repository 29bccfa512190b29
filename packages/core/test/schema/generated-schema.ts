/**
 * A generated schema with every kind of object `strata schema dump` reads, as migrations: types,
 * sequences, functions, procedures, tables with identity, generated and defaulted columns, keys,
 * checks, partial, expression and GIN indexes, views, materialized views, triggers, partitions and
 * comments, spread over two schemas. Ten tables per migration, as a project grows.
 */
import type { MigrationInput } from '../../src/index.js';

export function generatedPostgresMigrations(tables: number, extension: string | undefined): MigrationInput[] {
  const migrations: MigrationInput[] = [
    {
      version: 1,
      description: 'types and routines',
      up: `
${extension ? `CREATE EXTENSION IF NOT EXISTS ${extension};` : ''}
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'the second schema';
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN app.positive AS integer DEFAULT 1 NOT NULL CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE TYPE pair AS (a integer, b text);
CREATE TYPE app.span AS RANGE (subtype = float8);
CREATE SEQUENCE app.counter AS integer START 5 INCREMENT 2 CYCLE;
COMMENT ON TYPE mood IS 'how it went';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := trim(NEW.name); RETURN NEW; END $$;
CREATE FUNCTION app.double(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$;
CREATE FUNCTION app.double(x numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$;
CREATE PROCEDURE app.noop(a integer) LANGUAGE sql AS $$ SELECT 1 $$;
COMMENT ON FUNCTION touch() IS 'trims names';
CREATE TABLE app.events (id bigint NOT NULL, at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE app.events_2026 PARTITION OF app.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE UNLOGGED TABLE scratch (k text PRIMARY KEY, v jsonb);
`,
    },
  ];
  for (let start = 0; start < tables; start += 10) {
    const statements: string[] = [];
    for (let i = start; i < Math.min(start + 10, tables); i++) statements.push(postgresTable(i));
    migrations.push({ version: 2 + start / 10, description: `tables ${start} to ${start + 9}`, up: statements.join('\n') });
  }
  return migrations;
}

function postgresTable(i: number): string {
  const schema = i % 3 === 0 ? 'app' : 'public';
  const name = `${schema}.t${String(i).padStart(3, '0')}`;
  const short = `t${String(i).padStart(3, '0')}`;
  const parentSchema = (i - 1) % 3 === 0 ? 'app' : 'public';
  const parent =
    i === 0 ? '' : `,\n  parent_id bigint REFERENCES ${parentSchema}.t${String(i - 1).padStart(3, '0')} (id) ON DELETE CASCADE`;
  const lines = [
    `CREATE TABLE ${name} (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name varchar(100) NOT NULL DEFAULT '' COLLATE "C",
  serial_no serial,
  feeling mood,
  amount numeric(12, 2) CHECK (amount >= 0),
  tags text[],
  grid integer[][],
  doubled numeric GENERATED ALWAYS AS (amount * 2) STORED,
  size app.positive,
  created timestamptz NOT NULL DEFAULT now()${parent},
  CONSTRAINT ${short}_name_unique UNIQUE (name, created)
);`,
    `COMMENT ON TABLE ${name} IS 'table number ${i}';`,
    `COMMENT ON COLUMN ${name}.name IS 'it''s the name';`,
    `CREATE INDEX ${short}_lower_name ON ${name} (lower(name) DESC NULLS LAST) WHERE amount > 0;`,
  ];
  if (i % 10 === 0) lines.push(`CREATE INDEX ${short}_tags ON ${name} USING gin (tags);`);
  if (i % 5 === 0)
    lines.push(`CREATE TRIGGER ${short}_touch BEFORE INSERT OR UPDATE ON ${name} FOR EACH ROW EXECUTE FUNCTION touch();`);
  if (i % 10 === 1) lines.push(`CREATE VIEW ${schema}.v${short} AS SELECT id, name FROM ${name} WHERE amount IS NOT NULL;`);
  if (i % 25 === 2)
    lines.push(`CREATE MATERIALIZED VIEW ${schema}.m${short} AS SELECT feeling, count(*) AS n FROM ${name} GROUP BY feeling;`);
  if (i % 25 === 2) lines.push(`CREATE UNIQUE INDEX m${short}_feeling ON ${schema}.m${short} (feeling);`);
  return lines.join('\n');
}

export function generatedSqliteMigrations(tables: number): MigrationInput[] {
  const migrations: MigrationInput[] = [];
  for (let start = 0; start < tables; start += 10) {
    const statements: string[] = [];
    for (let i = start; i < Math.min(start + 10, tables); i++) statements.push(sqliteTable(i));
    migrations.push({ version: 1 + start / 10, description: `tables ${start} to ${start + 9}`, up: statements.join('\n') });
  }
  return migrations;
}

function sqliteTable(i: number): string {
  const name = `t${String(i).padStart(3, '0')}`;
  // Every other foreign key named and deferred: SQLite's pragmas say neither, the text does.
  const deferred = i % 2 === 1 ? ` CONSTRAINT ${name}_parent` : '';
  const parent =
    i === 0
      ? ''
      : `,\n  parent_id INTEGER${deferred} REFERENCES t${String(i - 1).padStart(3, '0')} ON DELETE CASCADE${deferred ? ' DEFERRABLE INITIALLY DEFERRED' : ''}`;
  const options = i % 7 === 0 ? ' STRICT' : '';
  const lines = [
    `CREATE TABLE ${name} (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
  amount REAL CHECK (amount >= 0),
  created TEXT NOT NULL DEFAULT (datetime('now')),
  doubled REAL GENERATED ALWAYS AS (amount * 2) STORED,
  lowered TEXT AS (lower(name))${parent},
  CONSTRAINT ${name}_name_unique UNIQUE (name, created),
  CONSTRAINT ${name}_positive CHECK (id > 0)
)${options};`,
    `CREATE INDEX ${name}_lower_name ON ${name} (lower(name) DESC, amount) WHERE amount > 0;`,
  ];
  if (i % 9 === 0) {
    lines.push(
      `CREATE TABLE ${name}_kv (k TEXT, v BLOB, owner INTEGER, CONSTRAINT ${name}_kv_key PRIMARY KEY (k), ` +
        `CONSTRAINT "${name} owner" FOREIGN KEY (owner) REFERENCES ${name} (id) DEFERRABLE INITIALLY IMMEDIATE) WITHOUT ROWID;`,
    );
  }
  if (i % 5 === 0) lines.push(`CREATE TRIGGER ${name}_touch AFTER UPDATE ON ${name} BEGIN SELECT 1; END;`);
  if (i % 10 === 1) lines.push(`CREATE VIEW v${name} AS SELECT id, name FROM ${name} WHERE amount IS NOT NULL;`);
  return lines.join('\n');
}

/** Rows for every table of the generated PostgreSQL schema: one with each nullable column set, one with none. */
export function generatedPostgresRows(tables: number): string {
  const statements = [
    "INSERT INTO app.events (id, at) VALUES (1, '2026-06-01 10:00+00');",
    "INSERT INTO scratch (k, v) VALUES ('full', '{\"a\": [1, true, null]}'), ('empty', NULL);",
  ];
  for (let i = 0; i < tables; i++) {
    const name = `${i % 3 === 0 ? 'app' : 'public'}.t${String(i).padStart(3, '0')}`;
    statements.push(
      `INSERT INTO ${name} (name, feeling, amount, tags, grid, size) VALUES (' full ', 'happy', 12.5, '{a,b}', '{{1,2},{3,4}}', 3);`,
      `INSERT INTO ${name} DEFAULT VALUES;`,
    );
  }
  return statements.join('\n');
}

/** Rows for every table of the generated SQLite schema, as for PostgreSQL. */
export function generatedSqliteRows(tables: number): string {
  const statements: string[] = [];
  for (let i = 0; i < tables; i++) {
    const name = `t${String(i).padStart(3, '0')}`;
    statements.push(`INSERT INTO ${name} (name, amount) VALUES ('full', 12.5);`, `INSERT INTO ${name} DEFAULT VALUES;`);
    if (i % 9 === 0) statements.push(`INSERT INTO ${name}_kv (k, v, owner) VALUES ('full', x'01', 1), ('empty', NULL, NULL);`);
  }
  return statements.join('\n');
}
